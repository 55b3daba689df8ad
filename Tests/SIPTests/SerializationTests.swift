import Testing
@testable import SIP

@Suite("Serialisation")
struct SerializationTests {
    @Test func canonicalOutput() throws {
        let r = try parseRequest(wire("OPTIONS sip:a@b.example SIP/2.0", "v: SIP/2.0/UDP h;branch=z9hG4bK1", "t: <sip:b@x>",
                                      "f: <sip:a@x>;tag=1", "i: c", "CSEQ: 1 OPTIONS", "X-Thing: kept", "l: 3", "", "abc"))
        let text = String(decoding: r.bytes, as: UTF8.self)
        #expect(text == "OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:b@x>\r\n"
                + "From: <sip:a@x>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nX-Thing: kept\r\nContent-Length: 3\r\n\r\nabc")
    }

    @Test func contentLengthFollowsBody() throws {
        var r = try parseRequest(sampleInvite)
        r.body = Array("v=0\r\n".utf8)
        let again = try parseRequest(r.bytes)
        #expect(try again.headers.contentLength == 5 && again.body == r.body)
    }

    @Test func roundTripTortureAndSample() throws {
        for bytes in [sampleInvite, try torture("wsinv"), try torture("longreq"), try torture("mpart01"), try torture("unreason")] {
            let m = try SIPParser.parse(bytes)
            let again = try SIPParser.parse(m.bytes)
            // Same header values in the same order (Content-Length is regenerated last) and body.
            #expect(again.headers.semantic == m.headers.semantic)
            #expect(again.body == m.body)
            // The canonical form is a fixed point.
            #expect(try SIPParser.parse(again.bytes) == again)
            #expect(again.bytes == m.bytes)
        }
    }

    @Test func buildAndParseRequest() throws {
        var h = SIPHeaders()
        h.add("Via", Via(transport: "UDP", host: "192.0.2.1", port: 5060, branch: "z9hG4bKnew").description + ";rport")
        h.add("Max-Forwards", "70")
        h.add("From", NameAddress(displayName: "Al \"the\" ce", uri: try SIPURI(parsing: "sip:alice@a.example"), parameters: ["tag": "t1"]).description)
        h.add("To", NameAddress(uri: try SIPURI(parsing: "sip:bob@b.example")).description)
        h.add("Call-ID", "xyz@192.0.2.1")
        h.add("CSeq", CSeq(1, .register).description)
        let req = SIPRequest(method: .register, uri: try SIPURI(parsing: "sip:b.example"), headers: h)
        let parsed = try parseRequest(req.bytes)
        #expect(parsed == SIPRequest(method: .register, uri: req.uri, headers: parsed.headers))
        #expect(try parsed.headers.from.displayName == "Al \"the\" ce")
        #expect(try parsed.headers.topVia?.hasRport == true)
        // Control characters in a display name are escaped, never raw.
        let weird = NameAddress(displayName: "a\u{0}b\r\nc", uri: try SIPURI(parsing: "sip:x@y.example"))
        #expect(try NameAddress(parsing: weird.description).displayName == "a\u{0}b  c")
        // Header values can never inject lines.
        var inj = SIPHeaders()
        inj.add("Subject", "hi\r\nVia: evil")
        let out = SIPSerializer.serialize(startLine: "SIP/2.0 200 OK", headers: inj, body: [])
        #expect(String(decoding: out, as: UTF8.self).contains("Subject: hi  Via: evil\r\n"))
    }

    @Test func responseFromRequest() throws {
        let request = try parseRequest(wire(
            "INVITE sip:bob@b.example SIP/2.0", "Via: SIP/2.0/UDP p1.example;branch=z9hG4bK1", "Via: SIP/2.0/UDP p2.example;branch=z9hG4bK2",
            "v: SIP/2.0/UDP ua.example;branch=z9hG4bK3;received=192.0.2.9", "Max-Forwards: 68", "To: Bob <sip:bob@b.example>",
            "From: Alice <sip:alice@a.example>;tag=1928", "Call-ID: a84b4c76e66710", "CSeq: 314159 INVITE", "Timestamp: 54",
            "Contact: <sip:alice@ua.example>", "Record-Route: <sip:p1.example;lr>", "Content-Length: 0", "", ""))
        let trying = SIPResponse(replyingTo: request, status: 100)
        #expect(trying.reasonPhrase == "Trying")
        #expect(trying.headers.fields.map(\.key) == [.via, .via, .via, .to, .from, .callID, .cseq, "timestamp"])
        #expect(try trying.headers.to.tag == nil)

        let ringing = SIPResponse(replyingTo: request, status: 180, toTag: "as83kd")
        #expect(ringing.statusLine == "SIP/2.0 180 Ringing")
        #expect(try ringing.headers.via.map(\.host) == ["p1.example", "p2.example", "ua.example"])
        #expect(try ringing.headers.to.tag == "as83kd")
        #expect(try ringing.headers.from.tag == "1928")
        #expect(ringing.headers.callID == "a84b4c76e66710")
        #expect(try ringing.headers.cseq == CSeq(314159, .invite))
        #expect(!ringing.headers.contains(.contact) && !ringing.headers.contains("timestamp"))
        let parsed = try parseResponse(ringing.bytes)
        #expect(parsed.statusCode == 180 && parsed.headers.semantic == ringing.headers.semantic)

        // An existing To tag is kept.
        var tagged = request
        tagged.headers.set("To", "Bob <sip:bob@b.example>;tag=old")
        #expect(try SIPResponse(replyingTo: tagged, status: 200, toTag: "new").headers.to.tag == "old")
        #expect(SIPResponse(replyingTo: request, status: 299).reasonPhrase == "")
    }
}

extension SIPHeaders {
    /// (normalised name, value) pairs without Content-Length, for comparing across serialisation.
    var semantic: [String] {
        fields.filter { $0.key != .contentLength }.map { $0.key.key + ": " + $0.value }
    }
}
