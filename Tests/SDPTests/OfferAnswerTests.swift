import Testing
@testable import SDP

@Suite("Offer/answer for a G.711 call (RFC 3264)")
struct OfferAnswerTests {
    func answer(_ text: String, hold: Bool = false, supported: [Codec] = [.pcmu, .pcma]) throws -> SessionDescription {
        let offer = try SessionDescription(parsing: text)
        return try OfferAnswer.answer(offer: offer, localAddress: "192.0.2.50", localPort: 7078,
                                      sessionID: 555, version: 1, supported: supported, hold: hold)
    }

    @Test("RFC 3264 10.1: accept PCMU audio, reject both video streams with port 0")
    func rfc3264Basic() throws {
        let a = try answer(Fixtures.rfc3264AliceOffer)
        #expect(a.media.count == 3)
        #expect(a.media[0].port == 7078)
        #expect(a.media[0].formats == ["0"])
        #expect(a.media[0].rtpMap(for: 0)?.encodingName == "PCMU")
        #expect(a.media[0].direction == .sendrecv)
        #expect(a.media[1] == MediaDescription(type: "video", port: 0, formats: ["31"]))
        #expect(a.media[2] == MediaDescription(type: "video", port: 0, formats: ["32"]))
        #expect(a.connection == Connection(address: "192.0.2.50"))
        #expect(a.origin == Origin(sessionID: 555, sessionVersion: 1, address: "192.0.2.50"))
        // And the answer survives its own serialisation.
        #expect(try SessionDescription(parsing: a.text) == a)
    }

    @Test("RFC 3264 10.1: Bob's answer gives Alice the RTP destination and payload type")
    func rfc3264Destination() throws {
        let bob = try SessionDescription(parsing: Fixtures.rfc3264BobAnswer)
        let audio = try #require(bob.negotiatedAudio())
        #expect(audio.remote == RTPEndpoint(address: "host.example.com", port: 49920))
        #expect(audio.payloadType == 0)
        #expect(audio.codec == .pcmu)
        #expect(audio.mediaIndex == 0)
        #expect(audio.direction == .sendrecv)
        #expect(bob.rtpDestination(mediaIndex: 1) == nil)  // rejected video
        #expect(bob.rtpDestination(mediaIndex: 2) == RTPEndpoint(address: "host.example.com", port: 53000))
        #expect(bob.rtpDestination(mediaIndex: 9) == nil)
    }

    @Test("RFC 3264 10.1: answering Bob's re-offer keeps the first audio, rejects the telephone-events stream")
    func rfc3264Reoffer() throws {
        let a = try answer(Fixtures.rfc3264BobReoffer)
        #expect(a.media.map(\.port) == [7078, 0, 0, 0])
        #expect(a.media[3].formats == ["110"])
    }

    @Test("RFC 3264 10.2: one of N codecs, inactive stays inactive")
    func rfc3264OneOfN() throws {
        let a = try answer(Fixtures.rfc3264OneOfN)
        #expect(a.media[0].formats == ["0"])
        #expect(a.media[0].direction == .inactive)
    }

    @Test("PJSIP offer, G.711 only and PCMA preferred: skip opus and G722, pick PCMA, keep telephone-event/8000")
    func pjsip() throws {
        let offer = try SessionDescription(parsing: Fixtures.pjsip)
        let a = try answer(Fixtures.pjsip, supported: [.pcma, .pcmu])
        #expect(a.media[0].formats == ["8", "102"])
        #expect(a.media[0].rtpMap(for: 8) == RTPMap(payloadType: 8, encodingName: "PCMA", clockRate: 8000))
        #expect(a.media[0].rtpMap(for: 102)?.encodingName == "telephone-event")
        #expect(a.media[0].fmtp(for: "102") == "0-16")
        #expect(a.media[0].packetTime == 20)
        let remote = try #require(offer.negotiatedAudio(supported: [.pcma, .pcmu]))
        #expect(remote.remote == RTPEndpoint(address: "192.168.1.20", port: 4000))
        #expect(remote.payloadType == 8)
        #expect(remote.telephoneEventPayloadType == 102)
        // Our answer, read back by the caller, agrees on PCMA.
        #expect(a.negotiatedAudio()?.payloadType == 8)
        #expect(a.negotiatedAudio()?.remote == RTPEndpoint(address: "192.0.2.50", port: 7078))
    }

    @Test("baresip offer: PCMU first among ours; the AVPF video is rejected")
    func baresip() throws {
        let a = try answer(Fixtures.baresip)
        #expect(a.media[0].formats == ["0", "101"])
        #expect(a.media[0].fmtp(for: "101") == "0-15")
        #expect(a.media[1].port == 0)
        #expect(a.media[1].proto == "RTP/AVPF")
        #expect(a.media[1].formats == ["100"])
    }

    @Test("As answerer our order wins (SPEC section 7: audio.codecs order), the offer only filters")
    func ourOrderWins() throws {
        let a = try answer(Fixtures.pjsip, supported: [.pcmu, .pcma])
        #expect(a.media[0].formats.first == "0")
        let pcmaFirst = try answer(Fixtures.pjsip, supported: [.pcma, .pcmu])
        #expect(pcmaFirst.media[0].formats.first == "8")
        let onlyU = try answer(Fixtures.pjsip, supported: [.pcmu])
        #expect(onlyU.media[0].formats.first == "0")
    }

    @Test("Static payload types match without rtpmap; dynamic numbers match by rtpmap name")
    func matching() throws {
        let staticOnly = try answer(sdp(media: "m=audio 5004 RTP/AVP 18 8"))
        #expect(staticOnly.media[0].formats == ["8"])
        #expect(staticOnly.media[0].rtpMap(for: 8)?.encodingName == "PCMA")

        let dynamic = try answer(sdp(media: "m=audio 5004 RTP/AVP 98\na=rtpmap:98 pcmu/8000"))
        #expect(dynamic.media[0].formats == ["98"])
        #expect(dynamic.media[0].rtpMap(for: 98) == RTPMap(payloadType: 98, encodingName: "PCMU", clockRate: 8000))

        // An rtpmap that contradicts the static number wins over it.
        #expect(throws: OfferAnswerError.noCommonCodec(offered: ["8"])) {
            try answer(sdp(media: "m=audio 5004 RTP/AVP 8\na=rtpmap:8 PCMA/16000"))
        }
        #expect(throws: OfferAnswerError.noCommonCodec(offered: ["0"])) {
            try answer(sdp(media: "m=audio 5004 RTP/AVP 0\na=rtpmap:0 PCMU/8000/2"))
        }
    }

    @Test("Answer direction mirrors the offer (RFC 3264 6.1), and our hold never receives", arguments: [
        (MediaDirection.sendrecv, false, MediaDirection.sendrecv),
        (.sendonly, false, .recvonly),
        (.recvonly, false, .sendonly),
        (.inactive, false, .inactive),
        (.sendrecv, true, .sendonly),
        (.sendonly, true, .inactive),
        (.recvonly, true, .sendonly),
        (.inactive, true, .inactive),
    ])
    func directions(offered: MediaDirection, hold: Bool, expected: MediaDirection) throws {
        let a = try answer(sdp(media: "m=audio 5004 RTP/AVP 0\na=\(offered.rawValue)"), hold: hold)
        #expect(a.media[0].direction == expected)
        #expect(OfferAnswer.answerDirection(to: offered, hold: hold) == expected)
    }

    @Test("A session-level direction applies when the media section has none")
    func sessionLevelDirection() throws {
        let text = """
            v=0
            o=- 1 1 IN IP4 198.51.100.7
            s=-
            c=IN IP4 198.51.100.7
            t=0 0
            a=sendonly
            m=audio 5004 RTP/AVP 0

            """
        let a = try answer(text)
        #expect(a.media[0].direction == .recvonly)
        #expect(try SessionDescription(parsing: text).negotiatedAudio()?.direction == .sendonly)
    }

    @Test("No common codec → error for 488; no audio → error")
    func failures() throws {
        #expect(throws: OfferAnswerError.noCommonCodec(offered: ["18", "4"])) {
            try answer(sdp(media: "m=audio 5004 RTP/AVP 18 4\na=rtpmap:18 G729/8000"))
        }
        #expect(throws: OfferAnswerError.noAudioStream) {
            try answer(sdp(media: "m=video 5004 RTP/AVP 31"))
        }
        #expect(throws: OfferAnswerError.noAudioStream) {
            try answer(sdp(media: "m=audio 0 RTP/AVP 0"))
        }
        // RTP/SAVP is SRTP: refused (488) unless the line answers with SRTP (see SRTPOfferAnswerTests).
        #expect(throws: OfferAnswerError.encryptionUnsupported) {
            try answer(sdp(media: "m=audio 5004 RTP/SAVP 0"))
        }
        #expect(throws: OfferAnswerError.noAudioStream) {
            try answer(sdp(media: nil))
        }
        #expect(OfferAnswerError.noCommonCodec(offered: ["18"]).description.contains("no common audio codec"))
        let none = try SessionDescription(parsing: sdp(media: "m=audio 5004 RTP/AVP 18"))
        #expect(none.negotiatedAudio() == nil)
    }

    @Test("A second audio stream is rejected once one is accepted; an unusable first one is skipped")
    func multipleAudio() throws {
        let a = try answer(sdp(media: "m=audio 5004 RTP/AVP 18\nm=audio 5006 RTP/AVP 8\nm=audio 5008 RTP/AVP 0"))
        #expect(a.media.map(\.port) == [0, 7078, 0])
        #expect(a.media[1].formats == ["8"])
    }

    @Test("Our outbound offer with G.711 only: PCMU, PCMA, telephone-event, ptime, sendrecv")
    func ourOffer() throws {
        let offer = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 1,
                                      codecs: [.pcmu, .pcma])
        #expect(offer.text == [
            "v=0", "o=- 42 1 IN IP4 192.0.2.50", "s=-", "c=IN IP4 192.0.2.50", "t=0 0",
            "m=audio 7078 RTP/AVP 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20", "a=sendrecv", "",
        ].joined(separator: "\r\n"))
        let ipv6 = OfferAnswer.offer(localAddress: "2001:db8::5", localPort: 7078, sessionID: 1, version: 1,
                                     codecs: [Codec(name: "PCMU", clockRate: 8000)], telephoneEvent: nil)
        #expect(ipv6.connection?.addressType == "IP6")
        #expect(ipv6.origin.addressType == "IP6")
        #expect(ipv6.media[0].formats == ["96"])
    }

    @Test("Answering our own offer and reading the answer back: the full round trip")
    func loop() throws {
        let offer = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 1,
                                      codecs: [.pcmu, .pcma])
        let answer = try OfferAnswer.answer(offer: try SessionDescription(parsing: offer.text),
                                            localAddress: "198.51.100.9", localPort: 40000, sessionID: 9, version: 9)
        let parsed = try SessionDescription(parsing: answer.text)
        let audio = try #require(parsed.negotiatedAudio())
        #expect(audio.remote == RTPEndpoint(address: "198.51.100.9", port: 40000))
        #expect(audio.payloadType == 0)
        #expect(audio.telephoneEventPayloadType == 101)
        #expect(audio.packetTime == 20)
    }

    @Test("Hold and resume re-offers: sendonly then sendrecv, o= version incremented each time")
    func holdResume() throws {
        let initial = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 1)
        let hold = OfferAnswer.holdOffer(initial)
        #expect(hold.origin.sessionVersion == 2)
        #expect(hold.origin.sessionID == 42)
        #expect(hold.media[0].direction == .sendonly)
        #expect(hold.media[0].attributes.filter { $0.direction != nil }.count == 1)
        #expect(hold.text.contains("a=sendonly\r\n"))
        #expect(!hold.text.contains("a=sendrecv"))
        let resume = OfferAnswer.resumeOffer(hold)
        #expect(resume.origin.sessionVersion == 3)
        #expect(resume.media[0].direction == .sendrecv)
        #expect(resume.media[0].formats == initial.media[0].formats)
        // The far end answers our hold with recvonly.
        let answer = try OfferAnswer.answer(offer: hold, localAddress: "198.51.100.9", localPort: 40000,
                                            sessionID: 9, version: 10)
        #expect(answer.media[0].direction == .recvonly)
        // A hold offer built directly.
        let direct = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 42, version: 5,
                                       direction: .sendonly)
        #expect(direct.media[0].direction == .sendonly)
    }

    @Test("MediaDirection helpers")
    func directionHelpers() {
        #expect(MediaDirection.sendonly.reversed == .recvonly)
        #expect(MediaDirection.recvonly.reversed == .sendonly)
        #expect(MediaDirection.sendrecv.reversed == .sendrecv)
        #expect(MediaDirection.inactive.reversed == .inactive)
        #expect(MediaDirection(sends: true, receives: false) == .sendonly)
        #expect(MediaDirection.sendrecv.sends && MediaDirection.sendrecv.receives)
    }

    /// A minimal description around the given media lines.
    func sdp(media: String?) -> String {
        var text = "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
        if let media { text += Fixtures.crlf(media) + "\r\n" }
        return text
    }
}
