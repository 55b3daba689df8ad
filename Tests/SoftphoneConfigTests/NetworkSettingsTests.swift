import Testing
@testable import SoftphoneConfig

@Suite("The line's network settings (SPEC section 8)")
struct NetworkSettingsTests {
    @Test("Defaults: no domain, proxy or CA of its own; 4 calls; INVITEs only from the registrar; SRTP off over UDP")
    func defaults() throws {
        let sip = try Configuration.parse("[sip]\nregistrar = \"sip:pbx.example.com\"\nusername = \"1001\"",
                                          environment: ["SOFTPHONE_SIP_PASSWORD": "pw"]).sip
        #expect(sip.domain == nil && sip.authUser == nil && sip.outboundProxy == nil && sip.tlsCAFile == nil)
        #expect(sip.maxCalls == 4)
        #expect(sip.keepAliveSeconds == 25)
        #expect(sip.acceptFrom == .registrar)
        #expect(sip.srtp == nil)
        #expect(sip.signallingTransport == "udp")
        #expect(sip.effectiveSRTP == .off)
    }

    @Test("A PBX account: domain, auth user, outbound proxy over TLS, CA file; SRTP defaults to optional over TLS")
    func account() throws {
        let sip = try Configuration.parse("""
            [sip]
            registrar = "sip:pbx.test"
            username = "1001"
            domain = "pbx.test"
            auth_user = "a7bx"
            outbound_proxy = "sip:edge.pbx.test:5061;transport=tls"
            tls_ca_file = "/dev/null"
            max_calls = 2
            accept_from = "any"
            keepalive_seconds = 15
            """, environment: ["SOFTPHONE_SIP_PASSWORD": "pw"]).sip
        #expect(sip.domain == "pbx.test")
        #expect(sip.authUser == "a7bx")
        #expect(sip.outboundProxy == "sip:edge.pbx.test:5061;transport=tls")
        #expect(sip.tlsCAFile == "/dev/null")
        #expect(sip.maxCalls == 2)
        #expect(sip.acceptFrom == .any)
        #expect(sip.keepAliveSeconds == 15)
        #expect(sip.signallingTransport == "tls")
        #expect(sip.effectiveSRTP == .optional)
    }

    @Test("The transport a URI asks for", arguments: [
        ("sip:pbx.example.com", "udp"), ("sip:pbx.example.com;transport=TCP", "tcp"),
        ("sips:pbx.example.com", "tls"), ("sip:pbx.example.com;lr;transport=tls", "tls"),
        ("sips:pbx.example.com;transport=tcp", "tls"),
    ])
    func transports(uri: String, expected: String) {
        #expect(Configuration.SIP.transport(of: uri) == expected)
    }

    @Test("SDES over plain transport is allowed on loopback (tests), and with TLS anywhere")
    func srtpOnLoopback() throws {
        let local = try Configuration.parse("[user]\nextension = \"1\"\n[sip]\nregistrar = \"sip:127.0.0.1:5060\"\nsrtp = \"mandatory\"", environment: [:]).sip
        #expect(local.effectiveSRTP == .mandatory)
        let tls = try Configuration.parse("[user]\nextension = \"1\"\n[sip]\nregistrar = \"sips:pbx.example.com\"\nsrtp = \"mandatory\"", environment: [:]).sip
        #expect(tls.effectiveSRTP == .mandatory)
        let off = try Configuration.parse("[user]\nextension = \"1\"\n[sip]\nregistrar = \"sips:pbx.example.com\"\nsrtp = \"off\"", environment: [:]).sip
        #expect(off.effectiveSRTP == .off)
    }
}
