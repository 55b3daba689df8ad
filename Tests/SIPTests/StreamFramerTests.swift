import Testing
@testable import SIP

@Suite("Stream framing")
struct StreamFramerTests {
    let ok200: [UInt8] = wire("SIP/2.0 200 OK", "Via: SIP/2.0/TCP h.example;branch=z9hG4bK1", "To: <sip:b@example.com>;tag=9",
                              "From: <sip:a@example.com>;tag=1", "Call-ID: c1", "CSeq: 1 INVITE", "Content-Length: 4", "", "body")

    func drain(_ framer: inout SIPStreamFramer) throws -> [SIPMessage] {
        var out: [SIPMessage] = []
        while let m = try framer.next() { out.append(m) }
        return out
    }

    @Test func twoMessagesSplitAtEveryBoundary() throws {
        let stream = sampleInvite + ok200
        for cut in 0...stream.count {
            var framer = SIPStreamFramer()
            framer.append(stream[..<cut])
            var got = try drain(&framer)
            framer.append(stream[cut...])
            got += try drain(&framer)
            #expect(got.count == 2, "cut at \(cut)")
            #expect(got.first?.request?.body == Array(sampleSDP.utf8))
            #expect(got.last?.response?.body == Array("body".utf8))
            #expect(framer.bufferedByteCount == 0)
        }
    }

    @Test func byteByByte() throws {
        var framer = SIPStreamFramer()
        var got: [SIPMessage] = []
        for b in ok200 + sampleInvite + ok200 {
            framer.append([b])
            got += try drain(&framer)
        }
        #expect(got.count == 3)
    }

    @Test func severalInOneChunkWithKeepAlives() throws {
        var framer = SIPStreamFramer()
        framer.append(Array("\r\n\r\n".utf8) + ok200 + Array("\r\n".utf8) + sampleInvite + Array("\r\n\r\n\r\n".utf8) + ok200)
        let got = try drain(&framer)
        #expect(got.count == 3)
        framer.append(Array("\r\n\r\n".utf8))  // a lone keep-alive yields nothing
        #expect(try framer.next() == nil)
    }

    @Test func contentLengthRequiredOnStreams() {
        var framer = SIPStreamFramer()
        framer.append(wire("SIP/2.0 200 OK", "Via: SIP/2.0/TCP h;branch=z9hG4bK1", "To: <sip:b@x>", "From: <sip:a@x>;tag=1",
                           "Call-ID: c", "CSeq: 1 INVITE", "", ""))
        #expect(throws: SIPParseError.self) { _ = try framer.next() }
        #expect(framer.isFailed)
        framer.append(ok200)
        #expect(throws: SIPParseError.self) { _ = try framer.next() }  // stays failed
    }

    @Test func oversizeRejected() {
        var framer = SIPStreamFramer(maximumMessageSize: 1024)
        // Header block that never ends.
        framer.append(Array("INVITE sip:a@b SIP/2.0\r\nX: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 2000))
        let e1 = #expect(throws: SIPParseError.self) { _ = try framer.next() }
        #expect(e1?.kind == .messageTooLarge)
        // Declared body too big.
        var f2 = SIPStreamFramer(maximumMessageSize: 1024)
        f2.append(wire("SIP/2.0 200 OK", "Via: SIP/2.0/TCP h;branch=z9hG4bK1", "To: <sip:b@x>", "From: <sip:a@x>;tag=1",
                       "Call-ID: c", "CSeq: 1 INVITE", "Content-Length: 5000", "", ""))
        let e2 = #expect(throws: SIPParseError.self) { _ = try f2.next() }
        #expect(e2?.kind == .messageTooLarge)
    }

    @Test func badMessageWithGoodFramingIsSkipped() throws {
        var framer = SIPStreamFramer()
        let bad = wire("OPTIONS sip:a@b.example SIP/2.0", "Via: SIP/2.0/TCP h;branch=z9hG4bK1", "To: <sip:b@x>",
                       "From: <sip:a@x>;tag=1", "Call-ID: c", "CSeq: 1 INVITE", "Content-Length: 0", "", "")
        framer.append(bad + ok200)
        do {
            _ = try framer.next()
            Issue.record("expected a method mismatch")
        } catch {
            #expect(error.kind == .methodMismatch && error.canRespond)
        }
        #expect(try framer.next()?.response?.statusCode == 200)
        #expect(!framer.isFailed)
    }
}
