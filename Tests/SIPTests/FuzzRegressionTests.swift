import Foundation
import Testing
@testable import SIP

/// Inputs on which the libFuzzer target `fuzz-sip-message` (Fuzz/, `make fuzz`) failed. The
/// inputs themselves are kept in Fuzz/corpus/sip-message/regress-* and replayed here.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/sip-message")

    let required = ["Via: SIP/2.0/UDP h.example;branch=z9hG4bK1", "To: <sip:b@example.com>",
                    "From: <sip:a@example.com>;tag=1", "Call-ID: c1", "CSeq: 1 OPTIONS"]

    /// A bare CR inside a header value was accepted, and serialisation turned it into a space:
    /// the message changed on the way through. A CR only ends a line, so it is malformed.
    @Test func bareCRInHeaderLineIsMalformed() throws {
        for line in ["Subject: a\rb", "Subject: a\r", "X-Thing\r: a", "Subject: a"] {
            let bytes = wire(["OPTIONS sip:b@example.com SIP/2.0"] + required + [line, "Content-Length: 0", "", ""])
            if line == "Subject: a" { #expect(parseError(bytes) == nil); continue }
            let error = try #require(parseError(bytes), "\(line.debugDescription)")
            #expect(error.kind == .malformedHeader)
            // The required headers came first, so the request can still be answered.
            let response = try #require(error.badRequestResponse())
            #expect(response.statusCode == 400 && response.headers.callID == "c1")
        }
        // In a folded continuation line.
        let folded = wire(["OPTIONS sip:b@example.com SIP/2.0"] + required + ["Subject: a", " \rb", "", ""])
        #expect(parseError(folded)?.kind == .malformedHeader)
        // Also when the CR sits in a required header: no answer then, but no crash.
        let callID = wire(["OPTIONS sip:b@example.com SIP/2.0", "Call-ID: c\r1"] + required + ["", ""])
        #expect(parseError(callID)?.kind == .malformedHeader)
    }

    @Test func bareCRInStartLineIsMalformed() throws {
        let request = wire(["OPTIONS sip:b@example.com\r SIP/2.0"] + required + ["", ""])
        #expect(parseError(request)?.kind == .malformedStartLine)
        let response = wire(["SIP/2.0 200 O\rK"] + required + ["", ""])
        #expect(parseError(response)?.kind == .malformedStartLine)
        // CRLF and LF line ends are still fine.
        #expect(parseError(wire(["SIP/2.0 200 OK"] + required + ["", ""])) == nil)
        #expect(parseError(Array((["SIP/2.0 200 OK"] + required + ["", ""]).joined(separator: "\n").utf8)) == nil)
    }

    /// URI equality compared each parameter with the first of that name in the other URI, so
    /// a URI with a parameter written twice (`;p=1;p=2`) was not equal to itself.
    @Test func uriWithRepeatedParameterEqualsItself() throws {
        let uri = try SIPURI(parsing: "sip:u@example.com;p=1;p=2")
        #expect(uri == uri)
        #expect(try SIPURI(parsing: uri.description) == uri)
        #expect(uri != (try SIPURI(parsing: "sip:u@example.com;p=1")))
        #expect(uri != (try SIPURI(parsing: "sip:u@example.com;p=2;p=1")))
        #expect(uri == (try SIPURI(parsing: "sip:u@example.com;P=1;p=2;other")))
        let address = try NameAddress(parsing: "<sip:u@example.com;x=a;x=b>;tag=1")
        #expect(address == address)
    }

    /// Every kept input: parsed or rejected, and if parsed, serialised and parsed back unchanged.
    @Test func keptInputsRoundTrip() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasPrefix("regress-") }
        #expect(!names.isEmpty)
        for name in names.sorted() {
            let bytes = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name)))
            guard let message = try? SIPParser.parse(bytes) else { continue }
            let again = try SIPParser.parse(message.bytes)
            #expect(again.headers.semantic == message.headers.semantic, "\(name)")
            #expect(again.body == message.body, "\(name)")
            #expect(again.bytes == message.bytes, "\(name)")
            for field in message.headers.fields {
                if let uri = SIPURI(field.value) { #expect(uri == uri && SIPURI(uri.description) == uri, "\(name)") }
            }
        }
    }
}

private func wire(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }
