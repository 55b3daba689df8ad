import Testing
@testable import SIP

@Suite("Datagram parser")
struct ParserTests {
    let headers = ["Via: SIP/2.0/UDP h.example;branch=z9hG4bK1", "To: <sip:b@example.com>", "From: <sip:a@example.com>;tag=1",
                   "Call-ID: c1", "CSeq: 1 OPTIONS", "Max-Forwards: 70"]

    func options(_ extra: [String] = [], body: String = "", startLine: String = "OPTIONS sip:b@example.com SIP/2.0") -> [UInt8] {
        Array(([startLine] + headers + extra + ["", body]).joined(separator: "\r\n").utf8)
    }

    @Test func typicalInvite() throws {
        let r = try parseRequest(sampleInvite)
        #expect(r.method == .invite && r.uri.user == "bob")
        #expect(r.body == Array(sampleSDP.utf8))
        #expect(r.headers.values(.supported) == ["replaces", "timer"])
        #expect(try r.headers.topVia?.hasRport == true)
    }

    @Test func requestLine() throws {
        #expect(try parseRequest(options()).method == .options)
        #expect(try parseRequest(options(startLine: "OPTIONS sip:b@example.com sip/2.0")).method == .options)
        for (line, kind) in [("OPTIONS sip:b@example.com", SIPParseError.Kind.malformedStartLine),
                             ("OPTIONS sip:b@example.com HTTP/1.1", .malformedStartLine),
                             ("OPTIONS sip:b@example.com SIP/3.0", .unsupportedVersion),
                             ("OPT{ONS sip:b@example.com SIP/2.0", .malformedStartLine),
                             ("OPTIONS sip:b@ex ample.com SIP/2.0", .malformedStartLine),
                             ("OPTIONS b@example.com SIP/2.0", .invalidURI),
                             ("", .malformedStartLine)] {
            #expect(parseError(options(startLine: line))?.kind == kind, "\(line)")
        }
        // CSeq method must match.
        #expect(parseError(options(startLine: "INFO sip:b@example.com SIP/2.0"))?.kind == .methodMismatch)
    }

    @Test func statusLine() throws {
        func response(_ line: String) -> [UInt8] {
            Array(([line] + headers.dropLast() + ["Content-Length: 0", "", ""]).joined(separator: "\r\n").utf8)
        }
        let ok = try parseResponse(response("SIP/2.0 200 OK"))
        #expect(ok.statusCode == 200 && ok.reasonPhrase == "OK")
        #expect(try parseResponse(response("SIP/2.0 486 Busy  Here")).reasonPhrase == "Busy  Here")
        #expect(try parseResponse(response("SIP/2.0 180")).reasonPhrase == "")
        #expect(try parseResponse(response("SIP/2.0 699 x")).statusCode == 699)
        for bad in ["SIP/2.0 099 Low", "SIP/2.0 700 High", "SIP/2.0 20 OK", "SIP/2.0 2000 OK", "SIP/2.0 abc OK", "SIP/2.0"] {
            #expect(parseError(response(bad))?.kind == .malformedStartLine, "\(bad)")
        }
        #expect(parseError(response("SIP/1.0 200 OK"))?.kind == .unsupportedVersion)
        #expect(parseError(response("SIP/2.0 200 OK"))?.partialRequest == nil)
    }

    @Test func bodyAndContentLength() throws {
        // Exact.
        #expect(try parseRequest(options(["Content-Length: 5"], body: "hello")).body == Array("hello".utf8))
        // Longer datagram than Content-Length: truncated (RFC 3261 §18.3).
        #expect(try parseRequest(options(["Content-Length: 3"], body: "hello")).body == Array("hel".utf8))
        // Shorter: error.
        let short = parseError(options(["Content-Length: 6"], body: "hello"))
        #expect(short?.kind == .invalidContentLength && short?.canRespond == true)
        // Missing on UDP: the rest of the datagram.
        #expect(try parseRequest(options(body: "rest of it")).body == Array("rest of it".utf8))
        // Malformed values.
        for v in ["-1", "five", "1 2", "", "99999999999999999999999999", "+3"] {
            #expect(parseError(options(["Content-Length: \(v)"], body: "x"))?.kind == .invalidContentLength, "\(v)")
        }
        // Compact form and leading zeros.
        #expect(try parseRequest(options(["l: 0003"], body: "abcdef")).body == Array("abc".utf8))
    }

    @Test func requiredHeaders() {
        for name in ["Via", "To", "From", "Call-ID", "CSeq"] {
            let filtered = headers.filter { !$0.hasPrefix(name + ":") }
            let bytes = Array((["OPTIONS sip:b@example.com SIP/2.0"] + filtered + ["", ""]).joined(separator: "\r\n").utf8)
            let e = parseError(bytes)
            #expect(e?.kind == .missingHeader && e?.header == HeaderName(name).key, "\(name)")
        }
        #expect(parseError(options(["To: <sip:c@example.com>"]))?.kind == .duplicateHeader)
        #expect(parseError(options(["Max-Forwards: 256"]))?.kind == .duplicateHeader)
    }

    @Test func malformedHeaderLines() {
        #expect(parseError(options(["NoColonHere"]))?.kind == .malformedHeader)
        #expect(parseError(options([": empty name"]))?.kind == .malformedHeader)
        #expect(parseError(options(["Bad Name: x"]))?.kind == .malformedHeader)
        // Continuation before any header.
        let cont = Array("OPTIONS sip:b@example.com SIP/2.0\r\n folded\r\n\r\n".utf8)
        #expect(parseError(cont)?.kind == .malformedHeader)
        // No blank line.
        #expect(parseError(Array("OPTIONS sip:b@example.com SIP/2.0\r\nVia: x".utf8))?.kind == .incomplete)
        #expect(parseError([])?.kind == .incomplete)
        #expect(parseError(Array("\r\n\r\n".utf8))?.kind == .incomplete)
    }

    @Test func toleratesBareLFAndLeadingCRLF() throws {
        let text = "\r\n" + (["OPTIONS sip:b@example.com SIP/2.0"] + headers + ["", ""]).joined(separator: "\n")
        let r = try parseRequest(Array(text.utf8))
        #expect(r.headers.callID == "c1")
    }

    @Test func badRequestResponse() throws {
        let e = try #require(parseError(options(["Content-Length: 99"], body: "short")))
        #expect(e.canRespond && e.suggestedStatusCode == 400)
        let response = try #require(e.badRequestResponse(toTag: "abc"))
        #expect(response.statusCode == 400 && response.reasonPhrase.hasPrefix("Bad Request"))
        #expect(try response.headers.to.tag == "abc")
        #expect(response.headers.callID == "c1")
        #expect(try response.headers.cseq == CSeq(1, .options))
        #expect(try SIPParser.parse(response.bytes).response?.statusCode == 400)
        // ACK is never answered.
        let ack = Array((["ACK sip:b@example.com SIP/2.0"] + headers.map { $0 == "CSeq: 1 OPTIONS" ? "CSeq: 1 ACK" : $0 }
                         + ["Content-Length: 9", "", ""]).joined(separator: "\r\n").utf8)
        #expect(parseError(ack)?.canRespond == false)
        #expect(parseError(ack)?.description.contains("invalidContentLength") == true)
    }

    @Test func parsesNonArrayCollections() throws {
        let slice = sampleInvite[...]
        #expect(try SIPParser.parse(slice).request?.method == .invite)
        #expect(try SIPParser.parse(AnyCollection(sampleInvite)).request?.method == .invite)
    }

    @Test func oversizeDatagram() {
        let big = options(["X-Pad: " + String(repeating: "a", count: 70_000)])
        #expect(parseError(big)?.kind == .messageTooLarge)
    }
}
