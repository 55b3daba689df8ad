import Testing
@testable import SIP

/// RFC 4475 §3.1.2 (invalid) and §3.3/§3.4 (semantically unusual) messages.
/// For each one the codec's decision is written down: rejected with which error (and
/// whether a 400/505 can be built), or accepted with the stated leniency.
@Suite("RFC 4475 invalid and application-level messages")
struct TortureInvalidTests {
    /// Expects rejection with `kind`; `respond` says whether an error response can be built.
    func expectRejected(_ name: String, _ kind: SIPParseError.Kind, header: String? = nil, respond: Bool,
                        status: Int = 400, reparse: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = try #require(parseError(try torture(name)), "\(name) should be rejected", sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(name): \(error)", sourceLocation: sourceLocation)
        if let header { #expect(error.header == header, "\(name): \(error)", sourceLocation: sourceLocation) }
        #expect(!error.reason.isEmpty, sourceLocation: sourceLocation)
        #expect(error.canRespond == respond, "\(name): \(error)", sourceLocation: sourceLocation)
        if respond {
            let response = try #require(error.badRequestResponse(toTag: "srv1"), sourceLocation: sourceLocation)
            #expect(response.statusCode == status, sourceLocation: sourceLocation)
            #expect(response.headers.callID == error.partialRequest?.headers.callID, sourceLocation: sourceLocation)
            // The error response itself is well formed when the copied headers were.
            guard reparse else { return }
            let reparsed = try SIPParser.parse(response.bytes)
            #expect(reparsed.response?.statusCode == status, sourceLocation: sourceLocation)
        }
    }

    // MARK: 3.1.2 Invalid messages

    @Test func badinv01() throws {
        // Empty Via/Contact parameters and list elements: 400, but the Via itself is
        // unreadable, so there is nowhere to send it.
        try expectRejected("badinv01", .malformedHeader, header: "via", respond: false)
    }

    @Test func clerr() throws {
        // UDP: Content-Length larger than the datagram → 400.
        try expectRejected("clerr", .invalidContentLength, respond: true)
    }

    @Test func ncl() throws {
        try expectRejected("ncl", .invalidContentLength, respond: true)
    }

    @Test func scalar02() throws {
        // CSeq above 2^32-1 (also Max-Forwards 300 and huge Expires) → 400.
        try expectRejected("scalar02", .malformedHeader, header: "cseq", respond: true, reparse: false)
        // The individual accessors clamp-check instead of trapping:
        var h = SIPHeaders()
        h.add("Max-Forwards", "300")
        h.add("Expires", "1" + String(repeating: "0", count: 100))
        #expect(throws: SIPParseError.self) { _ = try h.maxForwards }
        #expect(throws: SIPParseError.self) { _ = try h.expires }
        let contact = try NameAddress(parsing: "<sip:user@host129.example.com>;expires=280297596632815")
        #expect(contact.expires == nil)
    }

    @Test func scalarlg() throws {
        // A response with CSeq above 2^32-1 is rejected (the element drops it).
        try expectRejected("scalarlg", .malformedHeader, header: "cseq", respond: false)
    }

    @Test func quotbal() throws {
        try expectRejected("quotbal", .malformedHeader, header: "to", respond: true, reparse: false)
    }

    @Test func ltgtruri() throws {
        try expectRejected("ltgtruri", .invalidURI, respond: true)
    }

    @Test func lwsruri() throws {
        try expectRejected("lwsruri", .malformedStartLine, respond: true)
        let error = try #require(parseError(try torture("lwsruri")))
        #expect(error.partialRequest?.method == .invite)
    }

    @Test func lwsstart() throws {
        // Leniency: runs of SP between request-line elements are accepted; never re-emitted.
        let r = try parseRequest(try torture("lwsstart"))
        #expect(r.uri.description == "sip:user@example.com")
        #expect(r.requestLine == "INVITE sip:user@example.com SIP/2.0")
        #expect(r.body.count == 150)
    }

    @Test func trws() throws {
        // Leniency: trailing SP after SIP/2.0 is accepted; never re-emitted.
        let r = try parseRequest(try torture("trws"))
        #expect(r.requestLine == "OPTIONS sip:remote-target@example.com SIP/2.0")
    }

    @Test func escruri() throws {
        // Headers in a Request-URI are rejected with 400 (no leniency).
        try expectRejected("escruri", .invalidURI, respond: true)
    }

    @Test func baddate() throws {
        // Leniency: Date is not interpreted by the codec; the raw value is kept.
        let r = try parseRequest(try torture("baddate"))
        #expect(r.headers[.date] == "Fri, 01 Jan 2010 16:00:00 EST")
    }

    @Test func regbadct() throws {
        // An addr-spec carrying URI headers outside <> is rejected.
        try expectRejected("regbadct", .malformedHeader, header: "contact", respond: true)
    }

    @Test func badaspec() throws {
        // Whitespace inside <…> is rejected (no leniency).
        try expectRejected("badaspec", .malformedHeader, header: "to", respond: true, reparse: false)
    }

    @Test func baddn() throws {
        // Unquoted display names with non-token characters are rejected.
        try expectRejected("baddn", .malformedHeader, header: "from", respond: true, reparse: false)
    }

    @Test func badvers() throws {
        try expectRejected("badvers", .unsupportedVersion, respond: true, status: 505)
    }

    @Test func mismatch01() throws {
        try expectRejected("mismatch01", .methodMismatch, header: "cseq", respond: true)
    }

    @Test func mismatch02() throws {
        // Unknown method with a mismatched CSeq: the codec reports the mismatch (400);
        // RFC 4475 also allows 501.
        try expectRejected("mismatch02", .methodMismatch, header: "cseq", respond: true)
    }

    @Test func bigcode() throws {
        try expectRejected("bigcode", .malformedStartLine, respond: false)
    }

    // MARK: 3.2 / 3.3 / 3.4 Transaction- and application-layer messages

    @Test func badbranch() throws {
        // Syntactically valid; the empty transaction id after the cookie is the transaction layer's concern.
        let r = try parseRequest(try torture("badbranch"))
        let via = try #require(try r.headers.topVia)
        #expect(via.branch == "z9hG4bK" && via.hasMagicCookie)
    }

    @Test func insuf() throws {
        // Missing From, To, Call-ID: rejected; a 400 cannot be built without them.
        try expectRejected("insuf", .missingHeader, header: "from", respond: false)
    }

    @Test func unkscm() throws {
        // Parsed; answering 416 is the application's job.
        let r = try parseRequest(try torture("unkscm"))
        #expect(r.uri.scheme == "nobodyknowsthisscheme" && !r.uri.isSIP)
        #expect(r.uri.opaque == "totallyopaquecontent")
    }

    @Test func novelsc() throws {
        let r = try parseRequest(try torture("novelsc"))
        #expect(r.uri.scheme == "soap.beep" && r.uri.opaque == "//192.0.2.103:3002")
    }

    @Test func unksm2() throws {
        let r = try parseRequest(try torture("unksm2"))
        #expect(try r.headers.to.uri.description == "isbn:2983792873")
        #expect(try r.headers.from.uri.scheme == "http")
        #expect(try r.headers.contacts.first?.uri.description == "name:John_Smith")
    }

    @Test func bext01() throws {
        let r = try parseRequest(try torture("bext01"))
        #expect(r.headers.values(.require) == ["nothingSupportsThis", "nothingSupportsThisEither"])
        #expect(r.headers.values(.proxyRequire).count == 2)
    }

    @Test func invut() throws {
        let r = try parseRequest(try torture("invut"))
        #expect(try r.headers.contentType == MediaType(type: "application", subtype: "unknownformat"))
        #expect(r.body.count == 40)
    }

    @Test func regaut01() throws {
        let r = try parseRequest(try torture("regaut01"))
        #expect(r.headers.values(.authorization) == ["NoOneKnowsThisScheme opaque-data=here"])
    }

    @Test func multi01() throws {
        try expectRejected("multi01", .duplicateHeader, respond: true)
    }

    @Test func mcl01() throws {
        try expectRejected("mcl01", .duplicateHeader, header: "content-length", respond: true)
    }

    @Test func bcast() throws {
        let r = try parseResponse(try torture("bcast"))
        #expect(try r.headers.via.map(\.host) == ["192.0.2.198", "255.255.255.255"])
    }

    @Test func zeromf() throws {
        let r = try parseRequest(try torture("zeromf"))
        #expect(try r.headers.maxForwards == 0)
    }

    @Test func cparam01() throws {
        // Without <>, ";unknownparam" is a Contact parameter, not a URI parameter.
        let r = try parseRequest(try torture("cparam01"))
        let c = try #require(try r.headers.contacts.first)
        #expect(c.uri.parameters.isEmpty && c.parameters.contains("unknownparam"))
        #expect(c.uri.user == "+19725552222")
    }

    @Test func cparam02() throws {
        let r = try parseRequest(try torture("cparam02"))
        let c = try #require(try r.headers.contacts.first)
        #expect(c.uri.parameters.contains("unknownparam") && c.parameters.isEmpty)
    }

    @Test func regescrt() throws {
        let r = try parseRequest(try torture("regescrt"))
        let c = try #require(try r.headers.contacts.first)
        #expect(c.uri.headers == [SIPURI.Header(name: "Route", value: "%3Csip:sip.example.com%3E")])
    }

    @Test func sdp01() throws {
        let r = try parseRequest(try torture("sdp01"))
        #expect(r.headers[.accept] == "text/nobodyKnowsThis")
    }

    @Test func inv2543() throws {
        // RFC 2543-style: no Max-Forwards, no branch, no Content-Length (UDP: body is the rest).
        let r = try parseRequest(try torture("inv2543"))
        #expect(try r.headers.maxForwards == nil)
        #expect(try r.headers.topVia?.branch == nil)
        #expect(r.body.count == 105)
        // Without <>, ";user=phone" belongs to the To header, not to the URI (the RFC 2543 ambiguity).
        let to = try r.headers.to
        #expect(to.uri.userParameter == nil && to.parameters.value("user") == "phone")
    }

    @Test(arguments: tortureNames())
    func everyFileParsesOrFailsCleanly(name: String) throws {
        let bytes = try torture(name)
        if let message = try? SIPParser.parse(bytes) {
            // Whatever is accepted serialises to something that parses to the same message.
            let again = try SIPParser.parse(message.bytes)
            #expect(again.headers.semantic == message.headers.semantic)
            #expect(again.body == message.body)
        }
        // And the stream framer agrees with the datagram parser on fully framed input.
        var framer = SIPStreamFramer()
        framer.append(bytes)
        _ = try? framer.next()
    }
}
