import SDP
import SIP
import SIPAuth
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// The registrar's 200 for `register`, its top Via stamped as RFC 3581 says
/// (`received`, `rport`), listing `contact` as bound.
func natOK(_ register: SIPRequest, received: String?, rport: Int?, contact: String,
           expires: UInt32 = 600) -> SIPResponse {
    var response = SIPResponse(replyingTo: register, status: 200, toTag: "reg-tag")
    if var via = try? register.headers.topVia {
        if let received { via.parameters.set("received", received) }
        if let rport { via.parameters.set("rport", String(rport)) }
        var vias = response.headers.values(.via)
        vias[0] = via.description
        response.headers.remove(.via)
        for value in vias { response.headers.add("Via", value) }
    }
    response.headers.add("Contact", contact + ";expires=\(expires)")
    return try! SIPParser.parse(response.bytes).response!
}

extension Step {
    var keepAlives: [SIPHop] { outputs.compactMap { if case .keepAlive(let hop) = $0 { hop } else { nil } } }
}

@Suite("NAT: keep-alives and the learned Contact (SPEC section 8)")
struct NATTests {
    static let publicContact = "<sip:alice@203.0.113.7:40123>"
    static let localContact = "<sip:alice@198.51.100.5:5060>"

    /// Registered at the listening address (no NAT on the way); returns the last REGISTER.
    func registered(_ line: inout LineHarness, expires: UInt32 = 600) -> SIPRequest {
        let register = line.command(.register).requests(.register)[0]
        line.receive(natOK(register, received: nil, rport: 5060, contact: Self.localContact, expires: expires))
        return register
    }

    @Test("While registered a keep-alive goes to the registrar's hop every 25 s, through refreshes; logout stops them")
    func keepAlivesWhileRegistered() throws {
        var line = LineHarness(Net.configuration(credentials: false, expires: 120))
        _ = registered(&line, expires: 120)
        #expect(line.remaining(.keepAlive) == .seconds(25))
        #expect(line.advance(by: .seconds(24)).keepAlives.isEmpty)
        #expect(line.advance(by: .seconds(1)).keepAlives == [Net.registrar])
        // The refresh REGISTER at 60 s: keep-alives go on while it is out and after its 200.
        let refreshing = line.advance(by: .seconds(50))
        #expect(refreshing.keepAlives.count == 2)
        let refresh = try #require(refreshing.requests(.register).first)  // at 60 s; the one at 75 s went while it was out
        line.receive(natOK(refresh, received: nil, rport: 5060, contact: Self.localContact, expires: 120))
        #expect(line.advance(by: .seconds(25)).keepAlives == [Net.registrar])
        let logout = line.command(.unregister)
        #expect(logout.cancelled.contains(.keepAlive))
        let removal = try #require(logout.requests(.register).first)
        line.receive(natOK(removal, received: nil, rport: 5060, contact: Self.localContact, expires: 0))
        #expect(line.advance(by: .seconds(300)).keepAlives.isEmpty)
        #expect(!line.isRunning(.keepAlive))
    }

    @Test("No keep-alives before the registrar accepted us, after a failure, or when switched off")
    func noKeepAlives() throws {
        var line = LineHarness(Net.configuration(credentials: false))
        let register = try #require(line.command(.register).requests(.register).first)
        #expect(line.advance(by: .seconds(30)).keepAlives.isEmpty)
        let failed = line.receive(reply(to: register, 503, toTag: "reg-tag"))
        #expect(failed.cancelled.contains(.keepAlive))
        #expect(line.advance(by: .seconds(29)).keepAlives.isEmpty)

        var configuration = Net.configuration(credentials: false)
        configuration.keepAliveInterval = nil
        var silent = LineHarness(configuration)
        _ = registered(&silent)
        #expect(!silent.isRunning(.keepAlive))
        #expect(silent.advance(by: .seconds(500)).keepAlives.isEmpty)
    }

    @Test("received/rport unlike our Contact: at once a REGISTER of that address, removing the old binding; then registered")
    func learnsContact() throws {
        var line = LineHarness(Net.configuration(credentials: false))
        let first = try #require(line.command(.register).requests(.register).first)
        #expect(first.headers.values(.contact) == [Self.localContact + ";expires=600"])
        let step = line.receive(natOK(first, received: "203.0.113.7", rport: 40123, contact: Self.localContact))
        #expect(!step.lineStates.contains(.registered))
        let second = try #require(step.sent(.register).first)
        #expect(second.hop == Net.registrar)
        #expect(second.request.headers.values(.contact)
                == [Self.publicContact + ";expires=600", Self.localContact + ";expires=0"])
        #expect(second.request.headers.callID == first.headers.callID)
        #expect(second.request.cseqNumber == first.cseqNumber.map { $0 + 1 })
        // The Via still names the listening address (RFC 3581 §3).
        #expect(try second.request.headers.topVia?.host == "198.51.100.5")
        let done = line.receive(natOK(second.request, received: "203.0.113.7", rport: 40123, contact: Self.publicContact))
        #expect(done.lineStates == [.registered])
        #expect(done.requests(.register).isEmpty)
        #expect(done.startedTimer(.registrationRefresh) == .seconds(540))

        // Dialogs carry the learned Contact; the SDP stays on the media host.
        let call: CallID = "out-1"
        line.command(.dial(call, target: "2001"))
        let invite = try #require(line.feed(.mediaOpened(call, port: 31000)).requests(.invite).first)
        #expect(invite.headers.first(.contact) == Self.publicContact)
        #expect(invite.sdp?.negotiatedAudio()?.remote == RTPEndpoint(address: "198.51.100.5", port: 31000))

        // The NAT rebinds: the refresh's 200 shows a new port; we register it and drop the old one.
        let refresh = try #require(line.advance(by: .seconds(540)).requests(.register).first)
        #expect(refresh.headers.values(.contact) == [Self.publicContact + ";expires=600"])
        let moved = line.receive(natOK(refresh, received: "203.0.113.7", rport: 40999, contact: Self.publicContact))
        let third = try #require(moved.requests(.register).first)
        #expect(third.headers.values(.contact)
                == ["<sip:alice@203.0.113.7:40999>;expires=600", Self.publicContact + ";expires=0"])
        #expect(moved.notes.contains { $0.contains("203.0.113.7:40999") })
    }

    @Test("The same address seen (or no rport) changes nothing; a registrar reporting a new port each time cannot loop us")
    func noNeedlessRegisters() throws {
        var same = LineHarness(Net.configuration(credentials: false))
        let register = try #require(same.command(.register).requests(.register).first)
        let step = same.receive(natOK(register, received: "198.51.100.5", rport: 5060, contact: Self.localContact))
        #expect(step.lineStates == [.registered] && step.requests(.register).isEmpty)

        var plain = LineHarness(Net.configuration(credentials: false))
        let first = try #require(plain.command(.register).requests(.register).first)
        #expect(plain.receive(natOK(first, received: nil, rport: nil, contact: Self.localContact)).lineStates == [.registered])

        var restless = LineHarness(Net.configuration(credentials: false))
        var request = try #require(restless.command(.register).requests(.register).first)
        var registers = 0
        for port in 40000..<40010 {
            let step = restless.receive(natOK(request, received: "203.0.113.7", rport: port, contact: Self.localContact))
            guard let next = step.requests(.register).first else {
                #expect(step.lineStates == [.registered])
                break
            }
            registers += 1
            request = next
        }
        #expect(registers == 2)
    }

    @Test("On TCP, rport without received (no NAT) keeps the listening Contact: the connection carries calls")
    func streamWithoutNAT() throws {
        var configuration = Net.configuration(credentials: false)
        configuration.registrar = SIPURI("sip:pbx.example.com;transport=tcp")
        var line = LineHarness(configuration)
        let register = try #require(line.command(.register).requests(.register).first)
        let step = line.receive(natOK(register, received: nil, rport: 51234,
                                      contact: "<sip:alice@198.51.100.5:5060;transport=tcp>"))
        #expect(step.lineStates == [.registered])
        #expect(step.requests(.register).isEmpty)
        #expect(line.advance(by: .seconds(25)).keepAlives
                == [SIPHop(transport: .tcp, host: "pbx.example.com", port: 5060)])
    }
}

@Suite("Accounts: domain, auth user, outbound proxy, SHA-256 (SPEC section 8)")
struct AccountShapeTests {
    static let proxy = SIPHop(transport: .udp, host: "192.0.2.44", port: 5070)

    func configuration(domain: String? = "pbx.test", proxy: Bool = true) -> LineAgentConfiguration {
        var configuration = Net.configuration(presence: true)
        configuration.user = "1001"
        configuration.credentials = DigestCredentials(username: "a7bx", password: Net.password)
        configuration.registrar = SIPURI("sip:198.51.100.9:5080")
        configuration.domainOverride = domain
        configuration.outboundProxyURI = proxy ? SIPURI("sip:192.0.2.44:5070") : nil
        return configuration
    }

    @Test("REGISTER: Request-URI the domain, AoR user@domain, to the outbound proxy with a loose Route; digest by the auth user")
    func registerThroughProxy() throws {
        var line = LineHarness(configuration())
        let sent = try #require(line.command(.register).sent(.register).first)
        #expect(sent.hop == Self.proxy)
        let register = sent.request
        #expect(register.uri.description == "sip:pbx.test")
        #expect(try register.headers.to.uri.description == "sip:1001@pbx.test")
        #expect(try register.headers.from.uri.description == "sip:1001@pbx.test")
        #expect(register.routeValues == ["<sip:192.0.2.44:5070;lr>"])
        let verifier = DigestVerifier(realm: "pbx.test", algorithm: .sha256)
        let challenge = reply(to: register, 401, toTag: "reg-tag",
                              headers: [("WWW-Authenticate", DigestVerifier(realm: "pbx.test").challenge(nonce: "m").headerValue),
                                        ("WWW-Authenticate", verifier.challenge(nonce: "s").headerValue)])
        let answered = try #require(line.receive(challenge, from: Self.proxy).sent(.register).first)
        #expect(answered.hop == Self.proxy)
        #expect(answered.request.routeValues == ["<sip:192.0.2.44:5070;lr>"])
        let value = try #require(answered.request.headers.first(.authorization))
        let credentials = try DigestAuthorization(parsing: value)
        #expect(credentials.username == "a7bx")
        #expect(credentials.algorithm == .sha256 && credentials.nonce == "s")
        #expect(verifier.verify(credentials, method: "REGISTER", password: Net.password) == .valid)
    }

    @Test("INVITE and PUBLISH go to the outbound proxy with Route; From is user@domain; the Request-URI is in the domain")
    func outOfDialogRequests() throws {
        var line = LineHarness(configuration())
        let call: CallID = "out-1"
        line.command(.dial(call, target: "2001"))
        let invite = try #require(line.feed(.mediaOpened(call, port: 31000)).sent(.invite).first)
        #expect(invite.hop == Self.proxy)
        #expect(invite.request.uri.description == "sip:2001@pbx.test")
        #expect(try invite.request.headers.from.uri.description == "sip:1001@pbx.test")
        #expect(invite.request.routeValues == ["<sip:192.0.2.44:5070;lr>"])
        let publish = try #require(line.command(.publish(Presence(.available))).sent(.publish).first)
        #expect(publish.hop == Self.proxy)
        #expect(publish.request.uri.description == "sip:1001@pbx.test")
        #expect(publish.request.routeValues == ["<sip:192.0.2.44:5070;lr>"])
    }

    @Test("No Route without an outbound proxy, nor when the proxy is the Request-URI's host")
    func noNeedlessRoute() throws {
        var direct = LineHarness(configuration(domain: nil, proxy: false))
        let register = try #require(direct.command(.register).sent(.register).first)
        #expect(register.hop == SIPHop(transport: .udp, host: "198.51.100.9", port: 5080))
        #expect(register.request.uri.description == "sip:198.51.100.9:5080")
        #expect(register.request.routeValues.isEmpty)

        var configuration = configuration(domain: nil, proxy: false)
        configuration.outboundProxyURI = SIPURI("sip:198.51.100.9:5080;lr")
        var same = LineHarness(configuration)
        #expect(try #require(same.command(.register).sent(.register).first).request.routeValues.isEmpty)
    }
}
