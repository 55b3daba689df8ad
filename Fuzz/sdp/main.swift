// Fuzzes the SDP parser (Sources/SDP): parse, the text round trip, what the line reads from a
// peer's description (negotiatedAudio, rtpDestination) and our answer to it as an offer.
import FuzzSupport
import SDP

@_cdecl("fuzz_sdp_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = lossyString(UnsafeBufferPointer(start: data, count: size))
    let description: SessionDescription
    do { description = try SessionDescription(parsing: text) } catch {
        require(!error.reason.isEmpty, "parse error without a reason")
        _ = error.description
        return 0
    }
    check(description)
    roundTrip(description)

    // Our answer to it as an offer: must be a description we can read back.
    for hold in [false, true] {
        do {
            let answer = try OfferAnswer.answer(offer: description, localAddress: "192.0.2.1", localPort: 40000,
                                                sessionID: 7, version: 1, hold: hold)
            require(answer.media.count == description.media.count, "answer has another number of m= lines")
            let back = roundTrip(answer)
            require(back.negotiatedAudio() != nil, "our answer has no audio stream we can use:\n\(answer.text)")
            check(back)
        } catch {
            _ = error.description
        }
    }
    let offer = OfferAnswer.holdOffer(description)
    check(offer)
    roundTrip(offer)
    return 0
}

/// Parses `description.text` and checks it is the same description and a fixed point.
@discardableResult
func roundTrip(_ description: SessionDescription) -> SessionDescription {
    let text = description.text
    let again: SessionDescription
    do { again = try SessionDescription(parsing: text) } catch {
        fatalError("serialised SDP does not parse: \(error)\n\(text)")
    }
    var expected = description
    if expected.timing.isEmpty { expected.timing = [Timing()] }  // `t=0 0` is written when there is none
    require(again == expected, "SDP changed by serialisation:\n\(text)\n---\n\(again.text)")
    require(again.text == text, "SDP text is not a fixed point")
    return again
}

/// What the line reads from a description.
func check(_ description: SessionDescription) {
    _ = description.direction
    if let audio = description.negotiatedAudio() {
        require(description.media.indices.contains(audio.mediaIndex), "negotiated media index out of range")
        require(audio.remote == description.rtpDestination(mediaIndex: audio.mediaIndex), "remote differs")
        _ = audio.packetTime; _ = audio.telephoneEventPayloadType
    }
    _ = description.negotiatedAudio(supported: [.pcma])
    for index in -1...description.media.count { _ = description.rtpDestination(mediaIndex: index) }
    for media in description.media {
        _ = media.payloadTypes; _ = media.packetTime; _ = media.direction
        _ = TelephoneEvent.payloadType(in: media)
        for format in media.formats {
            _ = media.fmtp(for: format)
            _ = Codec.pcmu.matches(format: format, in: media)
        }
    }
}
