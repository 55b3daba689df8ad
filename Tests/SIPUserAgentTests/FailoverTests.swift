import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// RFC 3263 failover of the registration (issue 12 item 5): the driver locates the
/// registrar's servers when asked, the agent registers at the first and moves on to the
/// next at once on 503, a transport error, or no answer within `failoverTimeout`; after the
/// last it waits its retry delay and starts again from the top with a fresh location.
@Suite("Registration failover")
struct FailoverTests {
    static let first = SIPHop(transport: .udp, host: "192.0.2.51", port: 5060)
    static let second = SIPHop(transport: .udp, host: "192.0.2.52", port: 5070)
    let registrar = Registrar()

    static func configuration() -> LineAgentConfiguration {
        var configuration = Net.configuration(credentials: false)
        configuration.locatesServers = true
        return configuration
    }

    /// Logged in, the servers located: returns the harness and the first REGISTER as sent.
    func located(_ targets: [SIPHop] = [first, second]) throws -> (LineHarness, SentRequest) {
        var line = LineHarness(Self.configuration())
        let step = line.command(.register)
        #expect(step.located == [Net.registrarURI])
        #expect(step.sent.isEmpty)
        #expect(step.lineStates == [.registering])
        let sent = try #require(line.feed(.targets(targets)).sent(.register).first)
        return (line, sent)
    }

    @Test("the agent asks for the registrar's servers before registering, then registers at the first")
    func registersAtFirst() throws {
        var (line, sent) = try located()
        #expect(sent.hop == Self.first)
        #expect(line.remaining(.registrationFailover) == .seconds(8))
        let step = line.receive(registrar.ok(sent.request, expires: 600), from: Self.first)
        #expect(step.lineStates == [.registered])
        #expect(step.notes.contains("registered at \(Self.first)"))
        #expect(step.cancelled.contains(.registrationFailover))
        #expect(!line.isRunning(.registrationFailover))
    }

    @Test("no answer from the first server within the failover timeout: the second at once, well inside the retry delay")
    func timeoutMovesOn() throws {
        var (line, sent) = try located()
        let quiet = line.advance(by: .seconds(7))
        #expect(quiet.sent(.register).allSatisfy { $0.hop == Self.first })  // retransmissions only
        let step = line.advance(by: .seconds(1))
        let next = try #require(step.sent(.register).last)
        #expect(next.hop == Self.second)
        #expect(next.request.headers.callID == sent.request.headers.callID)
        #expect(try next.request.headers.cseq.sequence == sent.request.headers.cseq.sequence + 1)
        #expect(step.notes.contains { $0.contains("registration at \(Self.first) failed: no answer") && $0.contains("trying \(Self.second)") })
        #expect(step.lineStates.isEmpty)  // still registering, no failure shown
        // The second is the last: no failover timer, the transaction's own timeout applies.
        #expect(!line.isRunning(.registrationFailover))

        let ok = line.receive(registrar.ok(next.request, expires: 600), from: Self.second)
        #expect(ok.lineStates == [.registered])
        // A late answer from the first server no longer counts.
        let late = line.receive(registrar.ok(sent.request, expires: 600), from: Self.first)
        #expect(late.lineStates.isEmpty)
        // The abandoned REGISTER only retransmits until its Timer F, without touching the registration.
        let expired = line.advance(by: .seconds(40))
        #expect(expired.lineStates.isEmpty)
        #expect(expired.sent(.register).allSatisfy { $0.hop == Self.second || $0.transaction == sent.transaction })
    }

    @Test("calls and refreshes go to the server the registration succeeded at")
    func callsUseRegisteredTarget() throws {
        var (line, sent) = try located()
        let second = try #require(line.receive(reply(to: sent.request, 503), from: Self.first).sent(.register).first)
        line.receive(registrar.ok(second.request, expires: 120), from: Self.second)
        let id: CallID = "out-1"
        line.command(.dial(id, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(id, port: 31000)).sent(.invite).first)
        #expect(invite.hop == Self.second)
        let refresh = try #require(line.advance(by: .seconds(60)).sent(.register).first)
        #expect(refresh.hop == Self.second)
    }

    @Test("a call dialled while the registration fails over: its INVITE goes to the new server once the RTP port opens")
    func dialDuringFailover() throws {
        var (line, sent) = try located()
        let id: CallID = "out-1"
        #expect(line.command(.dial(id, target: "4930555")).media == [.open(id)])
        let next = try #require(line.receive(reply(to: sent.request, 503), from: Self.first).sent(.register).first)
        #expect(next.hop == Self.second)
        line.receive(registrar.ok(next.request, expires: 600), from: Self.second)
        let invite = try #require(line.feed(.mediaOpened(id, port: 31000)).sent(.invite).first)
        #expect(invite.hop == Self.second)
    }

    @Test("503 from the first server: the second at once; a transport error likewise")
    func serviceUnavailableAndTransportError() throws {
        var (line, sent) = try located()
        let step = line.receive(reply(to: sent.request, 503, reason: "Service Unavailable"), from: Self.first)
        let next = try #require(step.sent(.register).first)
        #expect(next.hop == Self.second)
        #expect(step.notes.contains { $0.contains("503 Service Unavailable") && $0.contains("trying \(Self.second)") })

        var (other, first) = try located()
        let key = try #require(first.transaction)
        let moved = other.feed(.sendFailed(key, reason: "connection refused"))
        #expect(moved.sent(.register).first?.hop == Self.second)
        #expect(moved.notes.contains { $0.contains("connection refused") })
    }

    @Test("a refusal that is not 503 does not fail over")
    func forbiddenDoesNotFailOver() throws {
        var (line, sent) = try located()
        let step = line.receive(reply(to: sent.request, 403, reason: "Forbidden"), from: Self.first)
        #expect(step.sent(.register).isEmpty)
        #expect(step.lineStates.count == 1)
        #expect(step.failureReason?.contains("403") == true)
        #expect(line.isRunning(.registrationRetry))
    }

    @Test("after the last server, the retry delay, then a fresh location and the first server again")
    func lastFailsThenStartsOver() throws {
        var (line, _) = try located()
        let moved = line.advance(by: .seconds(8))
        #expect(moved.sent(.register).last?.hop == Self.second)
        // The second never answers: Timer F (64·T1 = 32 s) ends its transaction.
        let failed = line.advance(by: .seconds(32))
        #expect(failed.failureReason?.contains("no answer from \(Self.second)") == true)
        #expect(line.remaining(.registrationRetry) == .seconds(30))
        #expect(failed.located.isEmpty)
        let retry = line.advance(by: .seconds(30))
        #expect(retry.located == [Net.registrarURI])
        #expect(retry.sent(.register).isEmpty)
        // The new location may differ: the agent uses what it is given, from the top.
        let third = SIPHop(transport: .tcp, host: "192.0.2.53", port: 5060)
        let again = line.feed(.targets([third, Self.first]))
        #expect(again.sent(.register).first?.hop == third)
        #expect(line.remaining(.registrationFailover) == .seconds(8))
    }

    @Test("no server found: the registration fails with the reason and locates again after the retry delay")
    func nothingLocated() throws {
        var line = LineHarness(Self.configuration())
        line.command(.register)
        let step = line.feed(.targets([], failure: "NAPTR pbx.example.com (no answer from the DNS server) → …"))
        #expect(step.sent.isEmpty)
        #expect(step.failureReason == "no server found for sip:pbx.example.com")
        #expect(step.notes.contains("no server found for sip:pbx.example.com: NAPTR pbx.example.com (no answer from the DNS server) → …"))
        #expect(line.advance(by: .seconds(30)).located == [Net.registrarURI])
    }

    @Test("logout while the servers are being located sends nothing; a late answer is ignored")
    func logoutWhileLocating() {
        var line = LineHarness(Self.configuration())
        line.command(.register)
        let out = line.command(.unregister)
        #expect(out.sent(.register).isEmpty)
        #expect(out.lineStates == [.unregistered])
        let late = line.feed(.targets([Self.first]))
        #expect(late.sent.isEmpty)
        #expect(late.lineStates.isEmpty)
    }

    @Test("one located server: no failover timer, the transaction timeout decides as before")
    func singleTarget() throws {
        var (line, sent) = try located([Self.first])
        #expect(sent.hop == Self.first)
        #expect(!line.isRunning(.registrationFailover))
        let failed = line.advance(by: .seconds(32))
        #expect(failed.failureReason?.contains("no answer") == true)
    }

    @Test("without server location the agent registers at the URI's host at once, as before")
    func withoutLocation() throws {
        var line = LineHarness(Net.configuration(credentials: false))
        let step = line.command(.register)
        #expect(step.located.isEmpty)
        #expect(step.sent(.register).first?.hop == Net.registrar)
    }
}
