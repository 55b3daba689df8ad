import SIP
import SIPAuth
import Testing
@testable import SIPUserAgent

/// The registration machine alone: no agent, no transactions — inputs in, outputs out.
@Suite("Registration machine")
struct RegistrationMachineTests {
    var context = AgentContext(configuration: Net.configuration(credentials: false, retry: .seconds(30),
                                                                maximumRetry: .seconds(100)),
                               random: SIPRandom(seed: 1), nonces: SIPRandom(seed: 2), authenticator: nil)
    var machine = Registration(callID: "reg-1@198.51.100.5")

    mutating func step(_ input: Registration.Input) -> [Registration.Output] {
        machine.handle(input, &context)
    }

    static func sent(_ outputs: [Registration.Output]) -> [SIPRequest] {
        outputs.compactMap { if case .send(let request, _) = $0 { request } else { nil } }
    }

    static func states(_ outputs: [Registration.Output]) -> [RegistrationState] {
        outputs.compactMap { if case .report(.registration(let state)) = $0 { state } else { nil } }
    }

    static func key(_ request: SIPRequest) throws -> TransactionKey { try TransactionKey.client(sending: request) }

    @Test("Login sends a REGISTER; 200 registers and starts the refresh a minute before expiry")
    mutating func registers() throws {
        let out = step(.register)
        #expect(Self.states(out) == [.registering])
        let register = try #require(Self.sent(out).first)
        #expect(register.method == .register && register.headers.first(.expires) == "600")
        #expect(register.headers.callID == "reg-1@198.51.100.5")
        #expect(try machine.isPending && machine.owns(Self.key(register)))
        let ok = reply(to: register, 200, headers: [("Expires", "300")])
        let done = step(.response(ok, try Self.key(register)))
        #expect(Self.states(done) == [.registered])
        #expect(done.contains(.startTimer(.refresh, after: .seconds(240))))
        #expect(!machine.isPending)
        // The refresh is the next REGISTER of the same Call-ID with the next CSeq.
        let refresh = try #require(Self.sent(step(.timerFired(.refresh))).first)
        #expect(refresh.cseqNumber == register.cseqNumber.map { $0 + 1 })
        #expect(refresh.headers.callID == register.headers.callID)
    }

    @Test("Failures retry with a doubling wait up to the maximum; a stale answer is ignored")
    mutating func retries() throws {
        let first = try #require(Self.sent(step(.register)).first)
        let out = step(.failed(try Self.key(first), reason: "no answer"))
        #expect(Self.states(out) == [.failed(reason: "no answer")])
        #expect(out.contains(.startTimer(.retry, after: .seconds(30))))
        let second = try #require(Self.sent(step(.timerFired(.retry))).first)
        #expect(step(.response(reply(to: first, 200), try Self.key(first))).isEmpty, "an older REGISTER's answer")
        #expect(step(.response(reply(to: second, 503), try Self.key(second))).contains(.startTimer(.retry, after: .seconds(60))))
        let third = try #require(Self.sent(step(.timerFired(.retry))).first)
        #expect(step(.response(reply(to: third, 503), try Self.key(third))).contains(.startTimer(.retry, after: .seconds(100))))
    }

    @Test("423 raises the lifetime to Min-Expires and registers again")
    mutating func intervalTooBrief() throws {
        let first = try #require(Self.sent(step(.register)).first)
        let again = Self.sent(step(.response(reply(to: first, 423, headers: [("Min-Expires", "1800")]), try Self.key(first))))
        #expect(again.first?.headers.first(.expires) == "1800")
    }

    @Test("Logout removes the binding with Expires 0 and reports unregistered when answered")
    mutating func logout() throws {
        let register = try #require(Self.sent(step(.register)).first)
        _ = step(.response(reply(to: register, 200), try Self.key(register)))
        let out = step(.unregister)
        #expect(out.contains(.cancelTimer(.refresh)) && out.contains(.cancelTimer(.retry)))
        let removal = try #require(Self.sent(out).first)
        #expect(removal.headers.first(.expires) == "0")
        #expect(Self.states(step(.response(reply(to: removal, 200), try Self.key(removal)))) == [.unregistered])
        #expect(!machine.isPending)
    }

    @Test("An authenticated copy goes out with the next CSeq on a new branch, and is the one that counts")
    mutating func resend() throws {
        let first = try #require(Self.sent(step(.register)).first)
        var withCredentials = first
        withCredentials.headers.add("Authorization", "Digest username=\"alice\"")
        let resent = try #require(Self.sent(step(.resend(withCredentials))).first)
        #expect(resent.cseqNumber == first.cseqNumber.map { $0 + 1 })
        #expect(resent.branch != first.branch)
        #expect(try machine.owns(Self.key(resent)) && !machine.owns(Self.key(first)))
    }

    @Test("Without a registrar the line only listens")
    func listening() {
        var context = AgentContext(configuration: Net.configuration(registrar: false), random: SIPRandom(seed: 1),
                                   nonces: SIPRandom(seed: 2), authenticator: nil)
        var machine = Registration(callID: "x")
        #expect(machine.handle(.register, &context) == [.report(.registration(.listening))])
    }

    @Test("A copy of the machine and its context repeats the same REGISTER")
    mutating func deterministic() {
        var copy = (machine, context)
        let a = Self.sent(step(.register))
        let b = Self.sent(copy.0.handle(.register, &copy.1))
        #expect(a == b && !a.isEmpty)
    }
}
