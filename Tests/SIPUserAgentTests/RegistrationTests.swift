import SIP
import SIPAuth
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// The registrar's side: challenges and checks credentials with the server-side verifier.
struct Registrar {
    let verifier = DigestVerifier(realm: Net.realm)

    func challenge(_ register: SIPRequest, nonce: String, stale: Bool = false) -> SIPResponse {
        reply(to: register, 401, toTag: "reg-tag",
              headers: [("WWW-Authenticate", verifier.challenge(nonce: nonce, stale: stale).headerValue)])
    }

    /// 200 listing our binding with the granted lifetime (and an Expires header that must lose to it).
    func ok(_ register: SIPRequest, expires: UInt32, header: UInt32? = nil) -> SIPResponse {
        var headers = [("Contact", "<sip:alice@198.51.100.5:5060>;expires=\(expires)")]
        if let header { headers.append(("Expires", String(header))) }
        return reply(to: register, 200, toTag: "reg-tag", headers: headers)
    }

    func verify(_ request: SIPRequest, password: String = Net.password) -> DigestVerification? {
        guard let value = request.headers.first(.authorization) else { return nil }
        return try? verifier.verify(headerValue: value, method: request.method.rawValue, password: password)
    }

    func authorization(_ request: SIPRequest) -> DigestAuthorization? {
        request.headers.first(.authorization).flatMap { try? DigestAuthorization(parsing: $0) }
    }
}

@Suite("Registration")
struct RegistrationTests {
    let registrar = Registrar()

    /// Registers through a challenge; returns the harness and the last REGISTER.
    func registered(expires: UInt32 = 120) -> (LineHarness, SIPRequest) {
        var line = LineHarness()
        let first = line.command(.register).requests(.register)[0]
        let second = line.receive(registrar.challenge(first, nonce: "nonce-1")).requests(.register)[0]
        line.receive(registrar.ok(second, expires: expires))
        return (line, second)
    }

    @Test("register sends a REGISTER to the registrar with Contact, Expires, CSeq and a Call-ID")
    func registerSendsRegister() throws {
        var line = LineHarness()
        let step = line.command(.register)
        #expect(step.lineStates == [.registering])
        let sent = try #require(step.sent(.register).first)
        #expect(sent.hop == Net.registrar)
        #expect(sent.transaction != nil)
        let register = sent.request
        #expect(register.uri.description == "sip:pbx.example.com")
        #expect(register.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>;expires=600")
        #expect(register.headers.first(.expires) == "600")
        #expect(try register.headers.to.uri.description == "sip:alice@pbx.example.com")
        #expect(try register.headers.from.uri.description == "sip:alice@pbx.example.com")
        #expect(register.fromTag?.isEmpty == false)
        #expect(try register.headers.cseq.method == .register)
        #expect(register.headers.callID?.isEmpty == false)
        let via = try #require(try register.headers.topVia)
        #expect(via.hasMagicCookie && via.hasRport)
        #expect(via.host == "198.51.100.5" && via.port == 5060)
        #expect(register.headers.first(.authorization) == nil)
    }

    @Test("A 401 Digest challenge is answered with an Authorization the registrar's verifier accepts")
    func challengeIsAnswered() throws {
        var line = LineHarness()
        let first = try #require(line.command(.register).requests(.register).first)
        let step = line.receive(registrar.challenge(first, nonce: "nonce-1"))
        let second = try #require(step.requests(.register).first)
        #expect(registrar.verify(second) == .valid)
        #expect(registrar.verify(second, password: "wrong") == .wrongResponse)
        #expect(registrar.authorization(second)?.nonceCount == 1)
        #expect(second.headers.callID == first.headers.callID)
        #expect(second.cseqNumber == first.cseqNumber.map { $0 + 1 })
        #expect(second.branch != first.branch)
        #expect(step.lineStates.isEmpty)
    }

    @Test("200 with a Contact expires= registers the line and refreshes before expiry")
    func okRegistersAndSchedulesRefresh() throws {
        var line = LineHarness()
        let first = line.command(.register).requests(.register)[0]
        let second = line.receive(registrar.challenge(first, nonce: "nonce-1")).requests(.register)[0]
        let step = line.receive(registrar.ok(second, expires: 120, header: 3600))
        #expect(step.lineStates == [.registered])
        let refresh = try #require(step.startedTimer(.registrationRefresh))
        #expect(refresh > .zero && refresh < .seconds(120))
    }

    @Test("The refresh reuses the nonce with nc=00000002, keeps the Call-ID and increments CSeq")
    func refreshReusesNonce() throws {
        var (line, last) = registered(expires: 120)
        let wait = try #require(line.remaining(.registrationRefresh))
        #expect(line.advance(by: wait - .milliseconds(1)).requests.isEmpty)
        let step = line.advance(by: .milliseconds(1))
        let refresh = try #require(step.requests(.register).first)
        #expect(refresh.headers.callID == last.headers.callID)
        #expect(refresh.cseqNumber == last.cseqNumber.map { $0 + 1 })
        #expect(refresh.headers.first(.expires) == "600")
        let authorization = try #require(registrar.authorization(refresh))
        #expect(authorization.nonce == "nonce-1")
        #expect(authorization.nonceCount == 2)
        #expect(refresh.headers.first(.authorization)?.contains("nc=00000002") == true)
        #expect(registrar.verify(refresh) == .valid)
        // The refresh is accepted: still registered, the next refresh is scheduled.
        let again = line.receive(registrar.ok(refresh, expires: 120))
        #expect(again.lineStates == [.registered])
        #expect(line.isRunning(.registrationRefresh))
    }

    @Test("A stale challenge on a refresh is answered again, not taken for a wrong password")
    func staleNonceIsAnswered() throws {
        var (line, _) = registered(expires: 120)
        let wait = try #require(line.remaining(.registrationRefresh))
        let refresh = try #require(line.advance(by: wait).requests(.register).first)
        let step = line.receive(registrar.challenge(refresh, nonce: "nonce-2", stale: true))
        let answer = try #require(step.requests(.register).first)
        #expect(registrar.authorization(answer)?.nonce == "nonce-2")
        #expect(registrar.verify(answer) == .valid)
        #expect(step.failureReason == nil)
        #expect(line.receive(registrar.ok(answer, expires: 120)).lineStates == [.registered])
    }

    @Test("A second 401 after answering a fresh challenge fails with a reason about the password, retrying with backoff")
    func wrongPasswordFailsAndBacksOff() throws {
        var line = LineHarness(Net.configuration(retry: .seconds(30), maximumRetry: .seconds(100)))
        var register = line.command(.register).requests(.register)[0]
        var delays: [Duration] = []
        for round in 1...4 {
            let answer = try #require(line.receive(registrar.challenge(register, nonce: "n\(round)a")).requests(.register).first)
            #expect(answer.headers.contains(.authorization))
            let step = line.receive(registrar.challenge(answer, nonce: "n\(round)b"))
            #expect(step.requests.isEmpty, "no third attempt with the same credentials")
            let reason = try #require(step.failureReason)
            #expect(reason.contains("401"))
            #expect(reason.contains("password"))
            let delay = try #require(step.startedTimer(.registrationRetry))
            delays.append(delay)
            let retry = line.advance(by: delay)
            register = try #require(retry.requests(.register).first, "round \(round) retries")
            #expect(register.headers.callID == answer.headers.callID)
        }
        #expect(delays == [.seconds(30), .seconds(60), .seconds(100), .seconds(100)])
    }

    @Test("423 Interval Too Brief with Min-Expires is retried with that lifetime")
    func minExpiresIsHonoured() throws {
        var line = LineHarness(Net.configuration(credentials: false, expires: 60))
        let first = line.command(.register).requests(.register)[0]
        let step = line.receive(reply(to: first, 423, toTag: "reg-tag", headers: [("Min-Expires", "1800")]))
        let second = try #require(step.requests(.register).first)
        #expect(second.headers.first(.expires) == "1800")
        #expect(second.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>;expires=1800")
        #expect(second.cseqNumber == first.cseqNumber.map { $0 + 1 })
        #expect(step.failureReason == nil)
        let ok = line.receive(registrar.ok(second, expires: 1800))
        #expect(ok.lineStates == [.registered])
        let refresh = try #require(ok.startedTimer(.registrationRefresh))
        #expect(refresh > .seconds(60) && refresh < .seconds(1800))
    }

    @Test("No answer from the registrar (Timer F) fails with \"no answer\" after retransmitting")
    func noAnswerFails() throws {
        var line = LineHarness()
        let register = line.command(.register).requests(.register)[0]
        let step = line.advance(by: .seconds(33))
        let retransmissions = step.requests(.register).filter { $0.branch == register.branch }
        #expect(retransmissions.count >= 5)
        let reason = try #require(step.failureReason)
        #expect(reason.contains("no answer"))
        #expect(line.isRunning(.registrationRetry))
    }

    @Test("A REGISTER the transport cannot send fails the registration and retries later")
    func sendFailure() throws {
        var line = LineHarness()
        let sent = try #require(line.command(.register).sent(.register).first)
        let key = try #require(sent.transaction)
        let step = line.feed(.sendFailed(key, reason: "network unreachable"))
        let reason = try #require(step.failureReason)
        #expect(reason.contains("pbx.example.com"))
        #expect(step.notes.contains { $0.contains("network unreachable") })
        #expect(line.isRunning(.registrationRetry))
        #expect(line.agent.transactionCount == 0)
    }

    @Test("unregister sends REGISTER with Expires: 0, and its 200 reports unregistered")
    func unregisterRemovesBinding() throws {
        var (line, last) = registered(expires: 120)
        let step = line.command(.unregister)
        #expect(step.cancelled.contains(.registrationRefresh))
        #expect(!line.isRunning(.registrationRefresh))
        let removal = try #require(step.requests(.register).first)
        #expect(removal.headers.first(.expires) == "0")
        #expect(removal.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>;expires=0")
        #expect(removal.headers.callID == last.headers.callID)
        #expect(removal.cseqNumber == last.cseqNumber.map { $0 + 1 })
        #expect(registrar.verify(removal) == .valid)
        #expect(step.lineStates.isEmpty)
        let done = line.receive(reply(to: removal, 200, toTag: "reg-tag"))
        #expect(done.lineStates == [.unregistered])
        #expect(line.advance(by: .seconds(3600)).requests(.register).isEmpty)
    }

    @Test("unregister while the first REGISTER is still being challenged: only the removal is answered, the line ends unregistered")
    func unregisterDuringChallenge() throws {
        var line = LineHarness()
        let first = line.command(.register).requests(.register)[0]
        let removal = try #require(line.command(.unregister).requests(.register).first)
        #expect(removal.headers.first(.expires) == "0")
        // The challenge to the superseded REGISTER must not revive it.
        let stale = line.receive(registrar.challenge(first, nonce: "n1"))
        #expect(stale.requests(.register).allSatisfy { $0.headers.first(.expires) == "0" }, "\(stale.requests)")
        var last = removal
        if let answer = stale.requests(.register).first { last = answer }
        let challenged = line.receive(registrar.challenge(last, nonce: "n2"))
        let answer = try #require(challenged.requests(.register).first, "the removal is authenticated")
        #expect(answer.headers.first(.expires) == "0")
        #expect(registrar.verify(answer) == .valid)
        #expect(challenged.failureReason == nil)
        let done = line.receive(reply(to: answer, 200, toTag: "reg-tag"))
        #expect(done.lineStates == [.unregistered])
        let everything = line.history.requests(.register)
        #expect(everything.filter { $0.headers.first(.authorization) != nil }.allSatisfy { $0.headers.first(.expires) == "0" },
                "no authenticated REGISTER re-adds the binding after logout")
    }

    @Test("A TCP registrar gets a TCP Via and Contact and no retransmissions")
    func tcpRegistrar() throws {
        var configuration = Net.configuration()
        configuration.registrar = SIPURI("sip:pbx.example.com;transport=tcp")
        var line = LineHarness(configuration)
        let sent = try #require(line.command(.register).sent(.register).first)
        #expect(sent.hop == SIPHop(transport: .tcp, host: "pbx.example.com", port: 5060))
        #expect(try sent.request.headers.topVia?.transport == "TCP")
        #expect(sent.request.headers.first(.contact) == "<sip:alice@198.51.100.5:5060;transport=tcp>;expires=600")
        #expect(sent.request.uri.description == "sip:pbx.example.com", "the Request-URI drops the transport parameter")
        let step = line.advance(by: .seconds(33))
        #expect(step.requests.isEmpty)
        #expect(step.failureReason?.contains("no answer") == true)
    }

    @Test("A TLS registrar (sips: or ;transport=tls) gets a TLS Via and a ;transport=tls Contact, port 5061 by default")
    func tlsRegistrar() throws {
        for registrar in ["sips:pbx.example.com", "sip:pbx.example.com;transport=tls"] {
            var configuration = Net.configuration()
            configuration.registrar = SIPURI(registrar)
            var line = LineHarness(configuration)
            let sent = try #require(line.command(.register).sent(.register).first)
            #expect(sent.hop == SIPHop(transport: .tls, host: "pbx.example.com", port: 5061))
            #expect(try sent.request.headers.topVia?.transport == "TLS")
            #expect(sent.request.headers.first(.contact) == "<sip:alice@198.51.100.5:5060;transport=tls>;expires=600")
        }
    }

    @Test("A refused TLS handshake fails the registration with the transport's words, whole")
    func tlsRefusal() throws {
        var configuration = Net.configuration()
        configuration.registrar = SIPURI("sip:pbx.example.com;transport=tls")
        var line = LineHarness(configuration)
        let sent = try #require(line.command(.register).sent(.register).first)
        let key = try #require(sent.transaction)
        let words = "TLS: certificate for pbx.example.com not trusted (self-signed)"
        let step = line.feed(.sendFailed(key, reason: words))
        #expect(step.failureReason == words)
        #expect(line.isRunning(.registrationRetry))
    }

    @Test("unregister while never registered reports unregistered at once and sends nothing")
    func unregisterWhenIdle() {
        var line = LineHarness()
        let step = line.command(.unregister)
        #expect(step.lineStates == [.unregistered])
        #expect(step.requests.isEmpty)
    }

    @Test("Without a registrar, register reports a listening line and sends nothing")
    func noRegistrarListens() {
        var line = LineHarness(Net.configuration(registrar: false))
        let step = line.command(.register)
        #expect(step.lineStates == [.listening])
        #expect(step.requests.isEmpty)
        #expect(line.timers.isEmpty)
    }

    @Test("Without credentials a 401 fails saying no password is configured")
    func challengeWithoutCredentials() throws {
        var line = LineHarness(Net.configuration(credentials: false))
        let register = line.command(.register).requests(.register)[0]
        let step = line.receive(registrar.challenge(register, nonce: "n"))
        #expect(step.requests.isEmpty)
        #expect(try #require(step.failureReason).contains("no password"))
    }
}
