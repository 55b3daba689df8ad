import Testing
@testable import SIP

@Suite("SIP URIs")
struct URITests {
    @Test func fullSIPURI() throws {
        let uri = try SIPURI(parsing: "sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project&priority=urgent")
        #expect(uri.scheme == "sips" && uri.isSIP)
        #expect(uri.user == "alice" && uri.password == "secret")
        #expect(uri.host == "atlanta.example.com" && uri.port == 5061)
        #expect(uri.transport == "tcp" && uri.isLooseRouting && uri.maddr == "239.255.255.1")
        #expect(uri.headers == [.init(name: "subject", value: "project"), .init(name: "priority", value: "urgent")])
    }

    @Test func ipv6Host() throws {
        let uri = try SIPURI(parsing: "sip:bob@[2001:db8::10]:5070;transport=udp")
        #expect(uri.host == "[2001:db8::10]" && uri.isIPv6 && uri.port == 5070)
        #expect(uri.description == "sip:bob@[2001:db8::10]:5070;transport=udp")
        #expect(SIPURI("sip:[2001:db8::10") == nil)
    }

    @Test func telAndOtherSchemesAreOpaque() throws {
        let tel = try SIPURI(parsing: "tel:+1-201-555-0123;phone-context=example.com")
        #expect(tel.scheme == "tel" && !tel.isSIP && tel.opaque == "+1-201-555-0123;phone-context=example.com")
        #expect(tel.description == "tel:+1-201-555-0123;phone-context=example.com")
        #expect(SIPURI("urn:service:sos")?.opaque == "service:sos")
    }

    @Test func escapedUser() throws {
        let uri = try SIPURI(parsing: "sip:%61lice%20smith@example.com")
        #expect(uri.user == "%61lice%20smith")
        #expect(uri.decodedUser == "alice smith")
        #expect(SIPURI.percentDecode("100%") == Array("100%".utf8))
        #expect(SIPURI.percentDecode("%zz%4") == Array("%zz%4".utf8))
    }

    @Test(arguments: [
        "sip:alice@atlanta.example.com",
        "sip:alice:pw@atlanta.example.com:5060;transport=tcp",
        "sips:bob@[::1]:5061;lr",
        "sip:user;par=u%40example.net@example.com",
        "sip:biloxi.example.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.example.com",
        "sip:+1-212-555-1212:1234@gateway.example.com;user=phone",
        "tel:+358-555-1234567;postd=pp22",
    ])
    func roundTrip(text: String) throws {
        let uri = try SIPURI(parsing: text)
        #expect(uri.description == text)
        #expect(try SIPURI(parsing: uri.description) == uri)
    }

    @Test(arguments: [
        "", "sip:", "sip:@host", "sip:alice@", "sip:alice@host:99999", "sip:alice@host:", "alice@host",
        "sip:alice@ho st", "<sip:alice@host>", "sip:alice@host;;lr", "sip:a@h?", "sip:a@h?x", "1sip:a@h",
        "sip:alice@host:-1", "sip:alice@[::1", "sip:alice@host>",
    ])
    func invalid(text: String) {
        #expect(SIPURI(text) == nil, "\(text) should be invalid")
    }

    @Test func comparisonRFC3261() throws {
        // 19.1.4 examples of equivalent URIs.
        #expect(SIPURI("sip:%61lice@atlanta.com;transport=TCP") == SIPURI("sip:alice@AtLanTa.CoM;Transport=tcp"))
        #expect(SIPURI("sip:carol@chicago.com") == SIPURI("sip:carol@chicago.com;newparam=5"))
        #expect(SIPURI("sip:carol@chicago.com;security=on") == SIPURI("sip:carol@chicago.com;newparam=5"))
        #expect(SIPURI("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com")
                == SIPURI("sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"))
        #expect(SIPURI("sip:alice@atlanta.com?subject=project%20x&priority=urgent")
                == SIPURI("sip:alice@atlanta.com?priority=urgent&subject=project%20x"))
        // ...and non-equivalent ones.
        #expect(SIPURI("SIP:ALICE@AtLanTa.CoM;Transport=udp") != SIPURI("sip:alice@AtLanTa.CoM;Transport=UDP"))
        #expect(SIPURI("sip:bob@biloxi.com") != SIPURI("sip:bob@biloxi.com:5060"))
        #expect(SIPURI("sip:bob@biloxi.com") != SIPURI("sip:bob@biloxi.com;transport=udp"))
        #expect(SIPURI("sip:carol@chicago.com;newparam=5") != SIPURI("sip:carol@chicago.com;newparam=6"))
        #expect(SIPURI("sip:carol@chicago.com") != SIPURI("sips:carol@chicago.com"))
        #expect(SIPURI("sip:h.example.com?subject=a") != SIPURI("sip:h.example.com"))
        // Host and scheme are case-insensitive; hashing agrees with equality.
        let a = try #require(SIPURI("SIP:bob@EXAMPLE.com")), b = try #require(SIPURI("sip:bob@example.COM"))
        #expect(a == b && a.hashValue == b.hashValue)
    }
}
