import Testing
@testable import SDP

@Suite("SDP parsing and serialising (RFC 4566)")
struct SDPParserTests {
    @Test("RFC 4566 section 5 example")
    func rfc4566() throws {
        let sdp = try SessionDescription(parsing: Fixtures.crlf(Fixtures.rfc4566))
        #expect(sdp.version == 0)
        #expect(sdp.origin == Origin(username: "jdoe", sessionID: 2890844526, sessionVersion: 2890842807,
                                     networkType: "IN", addressType: "IP4", address: "10.47.16.5"))
        #expect(sdp.sessionName == "SDP Seminar")
        #expect(sdp.information == "A Seminar on the session description protocol")
        #expect(sdp.uri == "http://www.example.com/seminars/sdp.pdf")
        #expect(sdp.emails == ["j.doe@example.com (Jane Doe)"])
        #expect(sdp.connection == Connection(address: "224.2.17.12", ttl: 127))
        #expect(sdp.timing == [Timing(start: 2873397496, stop: 2873404696)])
        #expect(sdp.direction == .recvonly)
        #expect(sdp.media.count == 2)
        #expect(sdp.media[0].type == "audio")
        #expect(sdp.media[0].port == 49170)
        #expect(sdp.media[0].proto == "RTP/AVP")
        #expect(sdp.media[0].formats == ["0"])
        #expect(sdp.media[0].attributes.isEmpty)
        #expect(sdp.media[1].type == "video")
        #expect(sdp.media[1].rtpMap(for: 99) == RTPMap(payloadType: 99, encodingName: "h263-1998", clockRate: 90000))
    }

    @Test("RFC 3264 section 10 examples parse", arguments: [
        Fixtures.rfc3264AliceOffer, Fixtures.rfc3264BobAnswer, Fixtures.rfc3264BobReoffer, Fixtures.rfc3264OneOfN,
    ])
    func rfc3264(text: String) throws {
        let sdp = try SessionDescription(parsing: Fixtures.crlf(text))
        #expect(sdp.sessionName == "")
        #expect(sdp.timing == [Timing()])
        #expect(!sdp.media.isEmpty)
        #expect(sdp.text == Fixtures.crlf(text))
    }

    @Test("Bob's re-offer: second audio stream is recvonly telephone-events")
    func bobReoffer() throws {
        let sdp = try SessionDescription(parsing: Fixtures.rfc3264BobReoffer)
        #expect(sdp.origin.sessionVersion == 2890844731)
        #expect(sdp.media.map(\.port) == [65422, 0, 53000, 51434])
        #expect(sdp.media[3].direction == .recvonly)
        #expect(sdp.media[3].rtpMap(for: 110)?.encodingName == "telephone-events")
        #expect(sdp.media[1].formats == ["31"])
    }

    @Test("PJSIP and baresip offers are tolerated and round-trip byte for byte",
          arguments: [Fixtures.pjsip, Fixtures.baresip])
    func realWorld(text: String) throws {
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.text == Fixtures.crlf(text))
        #expect(try SessionDescription(parsing: sdp.text) == sdp)
    }

    @Test("PJSIP details: attributes kept raw, rtpmaps, fmtp, bandwidth")
    func pjsipDetails() throws {
        let sdp = try SessionDescription(parsing: Fixtures.pjsip)
        #expect(sdp.bandwidths == [Bandwidth(type: "AS", value: 84)])
        #expect(sdp.attributes == [.other(name: "X-nat", value: "0")])
        let audio = sdp.media[0]
        #expect(audio.payloadTypes == [96, 9, 8, 0, 101, 102])
        #expect(audio.connection?.address == "192.168.1.20")
        #expect(audio.bandwidths == [Bandwidth(type: "TIAS", value: 64000)])
        #expect(audio.rtpMap(for: 96) == RTPMap(payloadType: 96, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(audio.fmtp(for: "102") == "0-16")
        #expect(audio.direction == .sendrecv)
        #expect(audio.attributes.contains(.other(name: "rtcp", value: "4001 IN IP4 192.168.1.20")))
        #expect(audio.attributes.contains(.other(name: "ssrc", value: "1804392431 cname:2f2d6a0b1c3e4d5f")))
    }

    @Test("LF-only, CRLF and mixed line ends parse the same")
    func lineEnds() throws {
        let lf = try SessionDescription(parsing: Fixtures.pjsip)
        let crlf = try SessionDescription(parsing: Fixtures.crlf(Fixtures.pjsip))
        let mixed = try SessionDescription(parsing: Fixtures.pjsip.replacingFirstNewlines())
        #expect(lf == crlf)
        #expect(lf == mixed)
    }

    @Test("Serialisation puts lines in RFC 4566 order with CRLF")
    func order() throws {
        var sdp = SessionDescription(origin: Origin(sessionID: 1, sessionVersion: 2, address: "192.0.2.1"))
        sdp.attributes = [.other(name: "tool", value: "x")]
        sdp.encryptionKey = "prompt"
        sdp.timeZones = "2882844526 -1h 2898848070 0"
        sdp.timing = [Timing(start: 0, stop: 0, repeats: ["604800 3600 0 90000"])]
        sdp.bandwidths = [Bandwidth(type: "CT", value: 1000)]
        sdp.connection = Connection(address: "192.0.2.1")
        sdp.phones = ["+1 617 555-6011"]
        sdp.emails = ["a@example.com"]
        sdp.uri = "http://example.com/"
        sdp.information = "info"
        sdp.media = [MediaDescription(type: "audio", port: 5004, portCount: 2, formats: ["0"], information: "mi",
                                      connection: Connection(address: "2001:db8::1"),
                                      bandwidths: [Bandwidth(type: "AS", value: 64)], encryptionKey: "clear:x",
                                      attributes: [.ptime(20), .direction(.inactive)])]
        let expected = [
            "v=0", "o=- 1 2 IN IP4 192.0.2.1", "s=-", "i=info", "u=http://example.com/", "e=a@example.com",
            "p=+1 617 555-6011", "c=IN IP4 192.0.2.1", "b=CT:1000", "t=0 0", "r=604800 3600 0 90000",
            "z=2882844526 -1h 2898848070 0", "k=prompt", "a=tool:x", "m=audio 5004/2 RTP/AVP 0", "i=mi",
            "c=IN IP6 2001:db8::1", "b=AS:64", "k=clear:x", "a=ptime:20", "a=inactive", "",
        ].joined(separator: "\r\n")
        #expect(sdp.text == expected)
        #expect(try SessionDescription(parsing: expected) == sdp)
    }

    @Test("Connection suffixes: TTL and address count for IP4, count for IP6")
    func connections() throws {
        let text = """
            v=0
            o=- 1 1 IN IP4 198.51.100.1
            s=-
            c=IN IP4 233.252.0.1/127/3
            t=0 0
            m=audio 5004 RTP/AVP 0
            c=IN IP6 ff15::101/3

            """
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.connection == Connection(address: "233.252.0.1", ttl: 127, addressCount: 3))
        #expect(sdp.media[0].connection == Connection(addressType: "IP6", address: "ff15::101", addressCount: 3))
        #expect(sdp.text == Fixtures.crlf(text))
    }

    @Test("Tolerated: unknown type letters, blank lines, extra spaces, missing t=, odd ptime")
    func tolerated() throws {
        let sdp = try SessionDescription(parsing: """
            v=0
            o=-  7   8 IN IP4 192.0.2.9
            s=\u{20}
            x=unknown letter

            m=audio  6000  RTP/AVP  8 
            y=also ignored
            a=ptime:20.5
            """)
        #expect(sdp.origin.sessionID == 7)
        #expect(sdp.sessionName == " ")
        #expect(sdp.timing.isEmpty)
        #expect(sdp.media[0].formats == ["8"])
        #expect(sdp.media[0].attributes == [.other(name: "ptime", value: "20.5")])
        #expect(sdp.text.contains("t=0 0\r\n"))
    }

    @Test("Malformed input throws a readable error", arguments: [
        ("", "no v= line"),
        ("\r\n\r\n", "no v= line"),
        ("o=- 1 1 IN IP4 x\ns=-", "first line must be v="),
        ("v=1\no=- 1 1 IN IP4 x\ns=-", "version"),
        ("v=0\nv=0\no=- 1 1 IN IP4 x\ns=-", "second v="),
        ("v=0\ns=-", "missing the o= line"),
        ("v=0\no=- 1 1 IN IP4 x", "missing the s= line"),
        ("v=0\no=- 1 1 IN IP4 x\no=- 1 1 IN IP4 x\ns=-", "second o="),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\ns=-", "second s="),
        ("v=0\no=- 1 IN IP4 x\ns=-", "6 fields"),
        ("v=0\no=- abc 1 IN IP4 x\ns=-", "session id"),
        ("v=0\no=- 1 -1 IN IP4 x\ns=-", "session version"),
        ("v=0\no=- 99999999999999999999999 1 IN IP4 x\ns=-", "session id"),
        ("v=0\nhello", "expected <type>=<value>"),
        ("v=0\nV=0", "not a lowercase letter"),
        ("v=0\n=x", "expected <type>=<value>"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nc=IN IP4", "c= needs 3 fields"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nc=IN IP4 1.2.3.4/x", "TTL"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nc=IN IP4 /3", "malformed"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nb=AS", "b= must be"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nb=AS:lots", "bandwidth"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nt=1", "t= needs 2 fields"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nt=now 0", "start time"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nr=7d 1h 0 25h", "r= before any t="),
        ("v=0\nm=audio 1 RTP/AVP 0", "m= before the o= line"),
        ("v=0\no=- 1 1 IN IP4 x\nm=audio 1 RTP/AVP 0", "m= before the s= line"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio", "m= needs"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio port RTP/AVP 0", "m= port"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 70000 RTP/AVP 0", "m= port"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004/2/3 RTP/AVP 0", "malformed"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\nt=0 0", "not allowed inside a media section"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=rtpmap:abc PCMU/8000", "payload type"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=rtpmap:200 PCMU/8000", "above 127"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 PCMU", "<name>/<rate>"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 PCMU/fast", "clock rate"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=rtpmap:0 PCMU/8000/two", "channel"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=rtpmap:0", "rtpmap needs"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=rtpmap", "without a value"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\nm=audio 5004 RTP/AVP 0\na=fmtp:", "without a format"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\na=", "empty a= line"),
        ("v=0\no=- 1 1 IN IP4 x\ns=-\na=:x", "no name"),
    ])
    func malformed(text: String, fragment: String) {
        do {
            let sdp = try SessionDescription(parsing: text)
            Issue.record("parsed: \(sdp)")
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(error.description.hasPrefix("malformed SDP"))
        }
    }

    @Test("Errors name the line")
    func lineNumbers() {
        #expect(throws: SDPParseError(line: 4, "t= needs 2 fields, found 1")) {
            try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=1\r\n")
        }
    }

    @Test("Garbage never crashes the parser")
    func fuzzish() {
        var rng = SplitMix(seed: 42)
        let alphabet = Array("vosicbtrzkam=:/ 0123456789-\r\nINIP4RTPAVPpcmu")
        for _ in 0..<2000 {
            let length = Int(rng.next() % 120)
            var text = "v=0\n"
            for _ in 0..<length { text.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            _ = try? SessionDescription(parsing: text)
        }
    }
}

/// A tiny deterministic generator for the fuzz test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    /// Replaces every other "\n" with "\r\n".
    func replacingFirstNewlines() -> String {
        var out = String.UnicodeScalarView()
        var flip = false
        for scalar in unicodeScalars {
            if scalar == "\n" {
                if flip { out.append("\r") }
                flip.toggle()
            }
            out.append(scalar)
        }
        return String(out)
    }
}
