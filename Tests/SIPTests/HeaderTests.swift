import Testing
@testable import SIP

@Suite("Headers")
struct HeaderTests {
    @Test func compactFormsAndCaseInsensitiveLookup() throws {
        let pairs: [(String, String)] = [
            ("i", "call-id"), ("m", "contact"), ("e", "content-encoding"), ("l", "content-length"),
            ("c", "content-type"), ("f", "from"), ("s", "subject"), ("k", "supported"), ("t", "to"),
            ("v", "via"), ("o", "event"), ("u", "allow-events"), ("r", "refer-to"), ("b", "referred-by"),
            ("x", "session-expires"), ("I", "call-id"), ("CALL-ID", "call-id"), ("cSeQ", "cseq"),
        ]
        for (raw, key) in pairs { #expect(HeaderName(raw).key == key, "\(raw)") }
        var h = SIPHeaders()
        h.add("i", "abc@host")
        h.add("CONTENT-TYPE", "application/sdp")
        #expect(h[.callID] == "abc@host" && h["Call-Id"] == "abc@host" && h["call-id"] == "abc@host")
        #expect(h[.contentType] == "application/sdp" && h["c"] == "application/sdp")
        #expect(HeaderName.callID.canonicalSpelling == "Call-ID" && HeaderName("max-forwards").canonicalSpelling == "Max-Forwards")
    }

    @Test func orderAndRepeatedHeadersPreserved() throws {
        let r = try parseRequest(wire(
            "OPTIONS sip:a@b.example SIP/2.0", "Via: SIP/2.0/UDP h1;branch=z9hG4bK1", "X-Custom: one",
            "To: <sip:a@b.example>", "From: <sip:c@d.example>;tag=1", "v: SIP/2.0/TCP h2;branch=z9hG4bK2, SIP/2.0/UDP h3",
            "Call-ID: x", "CSeq: 1 OPTIONS", "X-Custom: two", "Content-Length: 0", "", ""))
        #expect(r.headers.fields.map(\.name) == ["Via", "X-Custom", "To", "From", "v", "Call-ID", "CSeq", "X-Custom", "Content-Length"])
        #expect(r.headers.all("x-custom") == ["one", "two"])
        #expect(r.headers.values(.via) == ["SIP/2.0/UDP h1;branch=z9hG4bK1", "SIP/2.0/TCP h2;branch=z9hG4bK2", "SIP/2.0/UDP h3"])
        #expect(try r.headers.via.map(\.host) == ["h1", "h2", "h3"])
        #expect(r.headers.count(of: .via) == 2)
    }

    @Test func multiValueSplittingRespectsQuotesAndAngles() {
        #expect(SIPHeaders.splitList(#""Doe, John" <sip:j@x.example;a=1,2>;q=0.5, <sip:k@y.example>"#)
                == [#""Doe, John" <sip:j@x.example;a=1,2>;q=0.5"#, "<sip:k@y.example>"])
        #expect(SIPHeaders.splitList(#""a\"," <sip:a@b>, b"#) == [#""a\"," <sip:a@b>"#, "b"])
        #expect(SIPHeaders.splitList("a,,b") == ["a", "", "b"])
        var h = SIPHeaders()
        h.add("WWW-Authenticate", #"Digest realm="atlanta.com", nonce="84a4cc6f", qop="auth,auth-int""#)
        h.add("Authorization", #"Digest username="bob", realm="biloxi.com", uri="sip:bob@biloxi.com""#)
        h.add("Proxy-Authenticate", #"Digest realm="a", nonce="b""#)
        h.add("Date", "Sat, 13 Nov 2010 23:29:00 GMT")
        h.add("Allow", "INVITE, ACK,BYE")
        #expect(h.values(.wwwAuthenticate).count == 1)
        #expect(h.values(.authorization).count == 1)
        #expect(h.values(.proxyAuthenticate).count == 1)
        #expect(h.values(.date) == ["Sat, 13 Nov 2010 23:29:00 GMT"])
        #expect(h.values(.allow) == ["INVITE", "ACK", "BYE"])
    }

    @Test func foldedLinesAreUnfolded() throws {
        let r = try parseRequest(wire(
            "OPTIONS sip:a@b.example SIP/2.0", "Via: SIP/2.0/UDP h1", "\t;branch=z9hG4bK1", "To:", "  <sip:a@b.example>",
            "From: <sip:c@d.example>", "   ;tag=77", "Call-ID: x", "CSeq: 1", " OPTIONS", "Subject: first", " \t second   ",
            "Content-Length: 0", "", ""))
        #expect(r.headers[.via] == "SIP/2.0/UDP h1 ;branch=z9hG4bK1")
        #expect(r.headers[.to] == "<sip:a@b.example>")
        #expect(r.headers[.subject] == "first second")
        #expect(try r.headers.from.tag == "77")
        #expect(try r.headers.cseq == CSeq(1, .options))
        #expect(try r.headers.topVia?.branch == "z9hG4bK1")
    }

    @Test func quotedStringsAndParameters() throws {
        let a = try NameAddress(parsing: #""A \"quoted\" \\ name" <sip:a@b.example>;tag=xyz;Lr;q=0.7;X="semi;colon""#)
        #expect(a.displayName == #"A "quoted" \ name"#)
        #expect(a.tag == "xyz")
        #expect(a.parameters.contains("lr") && a.parameters["LR"] == .some(nil))
        #expect(a.parameters.value("x") == "semi;colon" && a.parameters.items.last?.isQuoted == true)
        #expect(a.parameters["missing"] == nil)
        #expect(a.description == #""A \"quoted\" \\ name" <sip:a@b.example>;tag=xyz;Lr;q=0.7;X="semi;colon""#)
        #expect(throws: SIPParseError.self) { try NameAddress(parsing: #""unterminated <sip:a@b>"#) }
        #expect(throws: SIPParseError.self) { try NameAddress(parsing: "<sip:a@b>;tag=") }
        #expect(throws: SIPParseError.self) { try NameAddress(parsing: "<sip:a@b>;;tag=1") }
        #expect(throws: SIPParseError.self) { try NameAddress(parsing: "<sip:a@b") }
    }

    @Test func nameAddrForms() throws {
        let plain = try NameAddress(parsing: "sip:alice@atlanta.example.com;tag=88sja8x")
        #expect(plain.displayName == nil && plain.tag == "88sja8x" && plain.uri.parameters.isEmpty)
        let tokens = try NameAddress(parsing: "Bob  Smith <sip:bob@biloxi.example.com>")
        #expect(tokens.displayName == "Bob Smith")
        let empty = try NameAddress(parsing: #""" <sip:x@y.example>"#)
        #expect(empty.displayName == "")
        let uriParams = try NameAddress(parsing: "<sip:x@y.example;transport=tcp>;expires=60")
        #expect(uriParams.uri.transport == "tcp" && uriParams.expires == 60)
        var h = SIPHeaders()
        h.add("Contact", "*")
        #expect(try h.contact == .wildcard)
        h.set("m", "<sip:a@b.example>;expires=30, \"B\" <sip:b@c.example>;q=0.1")
        #expect(try h.contacts.map(\.uri.host) == ["b.example", "c.example"])
        #expect(throws: SIPParseError.self) { _ = try NameAddress(parsing: "Bell, Alexander <sip:a@b.example>") }
    }

    @Test func via() throws {
        let v = try Via(parsing: "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;received=198.51.100.7;rport=4711;maddr=224.2.0.1;ttl=16")
        #expect(v.protocolName == "SIP" && v.protocolVersion == "2.0" && v.transport == "UDP")
        #expect(v.host == "192.0.2.1" && v.port == 5060)
        #expect(v.branch == "z9hG4bKabc" && v.hasMagicCookie)
        #expect(v.received == "198.51.100.7" && v.hasRport && v.rport == 4711)
        #expect(v.maddr == "224.2.0.1" && v.ttl == 16)
        #expect(v.description == "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;received=198.51.100.7;rport=4711;maddr=224.2.0.1;ttl=16")
        let bare = try Via(parsing: "SIP/2.0/TCP [2001:db8::1]:5070;rport;branch=z9hG4bKx")
        #expect(bare.host == "[2001:db8::1]" && bare.port == 5070 && bare.hasRport && bare.rport == nil)
        let spaced = try Via(parsing: "SIP / 2.0 / TLS  host.example.com : 5061 ; branch = z9hG4bKy")
        #expect(spaced.transport == "TLS" && spaced.port == 5061 && spaced.branch == "z9hG4bKy")
        for bad in ["SIP/2.0/UDP", "SIP/2.0 host", "SIP/2.0/UDP host;ttl=300", "SIP/2.0/UDP host:70000",
                    "SIP/2.0/UDP host;branch", "SIP/2.0/UDP host;rport=x", "SIP/2.0/UDPhost", "SIP/2.0/UDP host junk"] {
            #expect(throws: SIPParseError.self, "\(bad)") { _ = try Via(parsing: bad) }
        }
        #expect(try Via.parseList("SIP/2.0/UDP a, SIP/2.0/TCP b").count == 2)
        #expect(throws: SIPParseError.self) { _ = try Via.parseList("SIP/2.0/UDP a,") }
    }

    @Test func cseq() throws {
        #expect(try CSeq(parsing: "4711 INVITE") == CSeq(4711, .invite))
        #expect(try CSeq(parsing: "  00042   ACK ") == CSeq(42, .ack))
        #expect(try CSeq(parsing: "4294967295 BYE").sequence == UInt32.max)
        #expect(try CSeq(parsing: "1 foo").method == .other("foo"))
        for bad in ["4294967296 BYE", "INVITE", "1", "1INVITE", "-1 INVITE", "1 INVITE extra", "99999999999999999999999 BYE"] {
            #expect(throws: SIPParseError.self, "\(bad)") { _ = try CSeq(parsing: bad) }
        }
        #expect(CSeq(7, .register).description == "7 REGISTER")
    }

    @Test func methodsAreCaseSensitive() {
        #expect(SIPMethod("INVITE") == .invite)
        #expect(SIPMethod("invite") == .other("invite") && SIPMethod("invite") != .invite)
        #expect(SIPMethod("PRACK") == .prack && SIPMethod.prack.rawValue == "PRACK")
        #expect(SIPMethod.other("INVITE") == .invite)  // equality is by token
    }

    @Test func scalarHeaders() throws {
        var h = SIPHeaders()
        h.add("Max-Forwards", "70")
        h.add("Expires", "4294967295")
        h.add("Content-Type", "multipart/mixed ; boundary=\"b 1\"")
        #expect(try h.maxForwards == 70)
        #expect(try h.expires == UInt32.max)
        let ct = try #require(try h.contentType)
        #expect(ct.type == "multipart" && ct.subtype == "mixed" && ct.parameters.value("boundary") == "b 1")
        h.add("Content-Length", "99999999999999999999")
        #expect(throws: SIPParseError.self) { _ = try h.contentLength }
        h.set("Content-Length", "12")
        #expect(try h.contentLength == 12)
        h.add("Max-Forwards", "1")
        #expect(throws: SIPParseError.self) { _ = try h.maxForwards }
    }

    @Test("One header table: every compact form round-trips, no name appears twice")
    func oneTable() {
        let keys = KnownHeaders.table.map(\.key)
        #expect(Set(keys).count == keys.count, "a header appears twice: \(keys)")
        let compacts = KnownHeaders.table.compactMap(\.compact)
        #expect(Set(compacts).count == compacts.count, "a compact form appears twice")
        #expect(compacts.count == 20)
        for row in KnownHeaders.table {
            let long = HeaderName(row.key)
            #expect(long.key == row.key && long.id != 0)
            #expect(HeaderName(long.canonicalSpelling) == long)
            guard let compact = row.compact else { continue }
            for spelling in [String(compact), String(compact).uppercased()] {
                let name = HeaderName(spelling)
                #expect(name == long && name.key == row.key, "\(spelling) → \(name.key)")
                // From the wire, too.
                let wire = Array(spelling.utf8).withUnsafeBufferPointer { HeaderName(bytes: $0) }
                #expect(wire == long && wire.key == row.key, "\(spelling) from the wire")
            }
        }
        #expect(HeaderName.callID.canonicalSpelling == "Call-ID" && HeaderName("sip-etag").canonicalSpelling == "SIP-ETag")
        #expect(HeaderName.via.isList && !HeaderName.callID.isList && !HeaderName("x-unknown").isList)
    }
}
