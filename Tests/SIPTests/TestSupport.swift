import Foundation
import Testing
@testable import SIP

/// Loads an RFC 4475 torture message from the test bundle.
func torture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "dat", subdirectory: "Torture"),
                           "missing Torture/\(name).dat")
    return [UInt8](try Data(contentsOf: url))
}

/// Every torture file name (without extension).
func tortureNames() -> [String] {
    guard let dir = Bundle.module.url(forResource: "Torture", withExtension: nil),
          let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
    return files.filter { $0.hasSuffix(".dat") }.map { String($0.dropLast(4)) }.sorted()
}

/// CRLF-joined text as bytes.
func wire(_ lines: String...) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

/// Parses, returning the error instead of throwing it.
func parseError(_ bytes: [UInt8]) -> SIPParseError? {
    do { _ = try SIPParser.parse(bytes); return nil } catch { return error }
}

func parseRequest(_ bytes: [UInt8]) throws -> SIPRequest {
    try #require(try SIPParser.parse(bytes).request)
}

func parseResponse(_ bytes: [UInt8]) throws -> SIPResponse {
    try #require(try SIPParser.parse(bytes).response)
}

/// A typical INVITE with an SDP body.
let sampleSDP = "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
let sampleInvite: [UInt8] = Array((
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n" +
    "Max-Forwards: 70\r\n" +
    "To: Bob <sip:bob@biloxi.example.com>\r\n" +
    "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
    "CSeq: 314159 INVITE\r\n" +
    "Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>\r\n" +
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n" +
    "Supported: replaces, timer\r\n" +
    "User-Agent: softphone/1.0\r\n" +
    "Content-Type: application/sdp\r\n" +
    "Content-Length: \(sampleSDP.utf8.count)\r\n" +
    "\r\n" + sampleSDP).utf8)
