import Testing
@testable import SDP

@Suite("Opus, G.722 and G.711 negotiated in audio.codecs order (SPEC section 7)")
struct CodecNegotiationTests {
    func answer(_ text: String, supported: [Codec] = Codec.all) throws -> SessionDescription {
        try OfferAnswer.answer(offer: try SessionDescription(parsing: Fixtures.crlf(text)), localAddress: "192.0.2.50",
                               localPort: 7078, sessionID: 555, version: 1, supported: supported)
    }

    /// A pjsua-style offer: opus/48000/2 on 111 with FEC, G722, G.711 and both telephone-events.
    static let pjsuaOpus = """
        v=0
        o=- 3918546125 3918546125 IN IP4 192.168.1.20
        s=pjmedia
        t=0 0
        m=audio 4000 RTP/AVP 111 9 8 0 120 121
        c=IN IP4 192.168.1.20
        a=rtcp:4001 IN IP4 192.168.1.20
        a=sendrecv
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 useinbandfec=1
        a=rtpmap:9 G722/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:120 telephone-event/48000
        a=fmtp:120 0-16
        a=rtpmap:121 telephone-event/8000
        a=fmtp:121 0-16

        """

    /// A baresip-style offer with G.711 first and opus after it, one telephone-event/8000.
    static let baresipG711First = """
        v=0
        o=- 1186439592 4029718316 IN IP4 10.0.0.5
        s=-
        c=IN IP4 10.0.0.5
        t=0 0
        m=audio 10382 RTP/AVP 0 8 96 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:96 opus/48000/2
        a=fmtp:96 stereo=1;sprop-stereo=1
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=ptime:20
        a=sendrecv

        """

    @Test("Codec(named:) knows the four audio.codecs names, any case; nothing else")
    func names() {
        #expect(Codec(named: "opus") == .opus)
        #expect(Codec(named: "G722") == .g722)
        #expect(Codec(named: "pcmu") == .pcmu)
        #expect(Codec(named: "PCMA") == .pcma)
        #expect(Codec(named: "g729") == nil)
        #expect(Codec(named: "") == nil)
        #expect(Codec.configurationNames.compactMap(Codec.init(named:)) == Codec.all)
        #expect(Codec.opus.clockRate == 48000 && Codec.opus.channels == 2)
        #expect(Codec.g722.staticPayloadType == 9 && Codec.g722.clockRate == 8000)
    }

    @Test("pjsua's opus offer: opus on its payload type, FEC asked, telephone-event/48000 beside it")
    func pjsuaOpusAnswer() throws {
        let a = try answer(Self.pjsuaOpus)
        #expect(a.media[0].formats == ["111", "120"])
        #expect(a.media[0].rtpMap(for: 111) == RTPMap(payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2))
        #expect(a.media[0].fmtp(for: "111") == "useinbandfec=1")
        #expect(a.media[0].rtpMap(for: 120) == RTPMap(payloadType: 120, encodingName: "telephone-event", clockRate: 48000))
        #expect(a.text.contains("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\n"))
        let offer = try SessionDescription(parsing: Fixtures.crlf(Self.pjsuaOpus))
        let audio = try #require(offer.negotiatedAudio())
        #expect(audio.codec == .opus)
        #expect(audio.payloadType == 111)
        #expect(audio.telephoneEventPayloadType == 120)
        #expect(audio.codec.clockRate == 48000)
    }

    @Test("The telephone-event at the codec's clock: G.722 and G.711 take telephone-event/8000")
    func telephoneEventRate() throws {
        let g722 = try answer(Self.pjsuaOpus, supported: [.g722, .pcmu])
        #expect(g722.media[0].formats == ["9", "121"])
        #expect(g722.media[0].rtpMap(for: 121)?.clockRate == 8000)
        let offer = try SessionDescription(parsing: Fixtures.crlf(Self.pjsuaOpus))
        #expect(offer.negotiatedAudio(supported: [.pcma])?.telephoneEventPayloadType == 121)
        // Only telephone-event/8000 offered beside opus: that one, at its own rate.
        let opus = try answer(Self.baresipG711First)
        #expect(opus.media[0].formats == ["96", "101"])
        #expect(opus.media[0].rtpMap(for: 101)?.clockRate == 8000)
        #expect(opus.media[0].fmtp(for: "101") == "0-15")
    }

    @Test("As answerer, the first of our codecs that the offer has, whatever the offer's order")
    func answererOrder() throws {
        #expect(try answer(Self.baresipG711First).media[0].formats.first == "96")
        #expect(try answer(Self.baresipG711First, supported: [.pcma, .opus]).media[0].formats.first == "8")
        #expect(try answer(Self.baresipG711First, supported: [.g722, .pcmu]).media[0].formats.first == "0")
        #expect(try answer(Fixtures.baresip, supported: [.g722, .opus]).media[0].formats.first == "9")
    }

    @Test("G.722 on static payload type 9 without an rtpmap")
    func g722Static() throws {
        let a = try answer("v=0\no=- 1 1 IN IP4 198.51.100.7\ns=-\nc=IN IP4 198.51.100.7\nt=0 0\nm=audio 5004 RTP/AVP 9 0\n",
                           supported: [.g722, .pcmu])
        #expect(a.media[0].formats == ["9"])
        #expect(a.media[0].rtpMap(for: 9) == RTPMap(payloadType: 9, encodingName: "G722", clockRate: 8000))
    }

    @Test("Opus must say 48000 (and 2 channels when it says any); no common codec is still an error (488)")
    func opusMatching() throws {
        #expect(throws: OfferAnswerError.noCommonCodec(offered: ["96"])) {
            try answer("v=0\no=- 1 1 IN IP4 198.51.100.7\ns=-\nc=IN IP4 198.51.100.7\nt=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 opus/16000/2\n")
        }
        #expect(throws: OfferAnswerError.noCommonCodec(offered: ["96", "0"])) {
            try answer("v=0\no=- 1 1 IN IP4 198.51.100.7\ns=-\nc=IN IP4 198.51.100.7\nt=0 0\nm=audio 5004 RTP/AVP 96 0\na=rtpmap:96 opus/48000/2\n",
                       supported: [.g722])
        }
    }

    @Test("Our offer in audio.codecs order: opus on 96 with FEC, G722 on 9, G.711, telephone-event/8000 on 101 and /48000 on 97")
    func ourOffer() throws {
        let offer = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 1)
        #expect(offer.text == [
            "v=0", "o=- 42 1 IN IP4 192.0.2.50", "s=-", "c=IN IP4 192.0.2.50", "t=0 0",
            "m=audio 7078 RTP/AVP 96 9 0 8 101 97",
            "a=rtpmap:96 opus/48000/2", "a=fmtp:96 useinbandfec=1", "a=rtpmap:9 G722/8000",
            "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16",
            "a=rtpmap:97 telephone-event/48000", "a=fmtp:97 0-16",
            "a=ptime:20", "a=sendrecv", "",
        ].joined(separator: "\r\n"))
        let reordered = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 1,
                                          codecs: [.pcma, .opus])
        #expect(reordered.media[0].formats == ["8", "96", "101", "97"])
        let noOpus = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 1,
                                       codecs: [.g722, .pcmu])
        #expect(noOpus.media[0].formats == ["9", "0", "101"])
    }

    @Test("As offerer: the answer's codec is read in our order; the round trip agrees on opus and its events")
    func offererRoundTrip() throws {
        let offer = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 1)
        let answer = try OfferAnswer.answer(offer: try SessionDescription(parsing: offer.text),
                                            localAddress: "198.51.100.9", localPort: 40000, sessionID: 9, version: 9)
        let audio = try #require(try SessionDescription(parsing: answer.text).negotiatedAudio())
        #expect(audio.codec == .opus)
        #expect(audio.payloadType == 96)
        #expect(audio.telephoneEventPayloadType == 97)
        // A G.711-only peer answers PCMA: that is what we send.
        let pcma = try OfferAnswer.answer(offer: offer, localAddress: "198.51.100.9", localPort: 40000,
                                          sessionID: 9, version: 9, supported: [.pcma])
        let read = try #require(pcma.negotiatedAudio())
        #expect(read.codec == .pcma)
        #expect(read.telephoneEventPayloadType == 101)
        // An answer that lists several codecs: ours first.
        let several = try SessionDescription(parsing: Fixtures.crlf(Self.baresipG711First))
        #expect(several.negotiatedAudio(supported: [.pcma, .pcmu])?.payloadType == 8)
    }
}
