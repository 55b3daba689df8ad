/// Why we cannot answer an offer; the caller answers 488 Not Acceptable Here.
public enum OfferAnswerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offer has no (enabled) audio stream over RTP/AVP.
    case noAudioStream
    /// No offered audio format is one of ours; `offered` lists the formats seen.
    case noCommonCodec(offered: [String])

    public var description: String {
        switch self {
        case .noAudioStream: "the offer has no usable RTP/AVP audio stream"
        case .noCommonCodec(let offered): "no common audio codec (offered: \(offered.joined(separator: " ")))"
        }
    }
}

/// The offer/answer model (RFC 3264) for a single G.711 audio stream.
public enum OfferAnswer {
    /// Builds our answer to `offer`: the first offered audio stream over RTP/AVP with a codec from
    /// `supported` is accepted with the first offered codec we support (plus telephone-event if
    /// offered); every other stream is rejected with port 0. The direction mirrors the offer's
    /// (RFC 3264 section 6.1); with `hold` we never ask to receive.
    public static func answer(offer: SessionDescription, localAddress: String, localPort: UInt16,
                              sessionID: UInt64, version: UInt64, supported: [Codec] = [.pcmu, .pcma],
                              hold: Bool = false, username: String = "-",
                              packetTime: Int? = 20) throws(OfferAnswerError) -> SessionDescription {
        var answered: [MediaDescription] = []
        var accepted = false
        var sawAudio = false
        var offeredAudioFormats: [String] = []
        for offered in offer.media {
            let usable = offered.type == "audio" && offered.port != 0 && offered.proto.uppercased() == "RTP/AVP"
            if usable { sawAudio = true; offeredAudioFormats += offered.formats }
            if usable, !accepted,
               let (format, codec) = firstSupported(in: offered, supported: supported) {
                accepted = true
                let remote = offered.direction ?? offer.direction ?? .sendrecv
                answered.append(audioMedia(port: localPort, format: format, codec: codec,
                                           telephoneEvent: TelephoneEvent.payloadType(in: offered),
                                           telephoneEventFormat: TelephoneEvent.payloadType(in: offered)
                                               .flatMap { offered.fmtp(for: String($0)) },
                                           direction: answerDirection(to: remote, hold: hold),
                                           packetTime: packetTime))
            } else {
                answered.append(MediaDescription(type: offered.type, port: 0, proto: offered.proto,
                                                 formats: offered.formats.isEmpty ? ["0"] : offered.formats))
            }
        }
        guard accepted else {
            throw sawAudio ? .noCommonCodec(offered: offeredAudioFormats) : .noAudioStream
        }
        return SessionDescription(
            origin: Origin(username: username, sessionID: sessionID, sessionVersion: version, address: localAddress),
            sessionName: "-", connection: Connection(address: localAddress), media: answered)
    }

    /// The direction we answer with, given the offer's (RFC 3264 section 6.1):
    /// sendonly → recvonly, recvonly → sendonly, inactive → inactive, sendrecv → sendrecv;
    /// on `hold` we do not receive (sendrecv → sendonly, sendonly → inactive).
    public static func answerDirection(to offered: MediaDirection, hold: Bool) -> MediaDirection {
        let mirrored = offered.reversed
        return hold ? MediaDirection(sends: mirrored.sends, receives: false) : mirrored
    }

    /// Our offer for an outbound call (`.sendrecv`) or a re-INVITE: `.sendonly` to hold,
    /// `.sendrecv` to resume (RFC 3264 section 8.4). Offers every codec in `codecs` and
    /// telephone-event unless `telephoneEvent` is nil.
    public static func offer(localAddress: String, localPort: UInt16, sessionID: UInt64, version: UInt64,
                             codecs: [Codec] = [.pcmu, .pcma],
                             telephoneEvent: UInt8? = TelephoneEvent.defaultPayloadType,
                             direction: MediaDirection = .sendrecv, username: String = "-",
                             packetTime: Int? = 20) -> SessionDescription {
        var formats: [String] = []
        var attributes: [Attribute] = []
        var nextDynamic: UInt8 = 96
        for codec in codecs {
            var pt = codec.staticPayloadType
            if pt == nil {
                while nextDynamic == telephoneEvent { nextDynamic += 1 }
                pt = nextDynamic
                nextDynamic += 1
            }
            guard let pt else { continue }
            formats.append(String(pt))
            attributes.append(.rtpmap(RTPMap(payloadType: pt, encodingName: codec.name, clockRate: codec.clockRate)))
        }
        if let te = telephoneEvent {
            formats.append(String(te))
            attributes.append(.rtpmap(RTPMap(payloadType: te, encodingName: TelephoneEvent.encodingName, clockRate: 8000)))
            attributes.append(.fmtp(format: String(te), parameters: "0-16"))
        }
        if let packetTime { attributes.append(.ptime(packetTime)) }
        attributes.append(.direction(direction))
        return SessionDescription(
            origin: Origin(username: username, sessionID: sessionID, sessionVersion: version, address: localAddress),
            sessionName: "-", connection: Connection(address: localAddress),
            media: [MediaDescription(type: "audio", port: localPort, formats: formats, attributes: attributes)])
    }

    /// A re-offer of our previous description with `o=` version + 1 and every active audio
    /// stream set to `direction` (`.sendonly` for hold, `.sendrecv` for resume).
    public static func reoffer(_ previous: SessionDescription, direction: MediaDirection) -> SessionDescription {
        var next = previous
        next.origin.sessionVersion &+= 1
        next.attributes.removeAll { $0.direction != nil }
        for i in next.media.indices where next.media[i].type == "audio" && next.media[i].port != 0 {
            next.media[i].setDirection(direction)
        }
        return next
    }

    /// A hold re-offer (`sendonly`, RFC 3264 section 8.4).
    public static func holdOffer(_ previous: SessionDescription) -> SessionDescription {
        reoffer(previous, direction: .sendonly)
    }

    /// A resume re-offer (`sendrecv`).
    public static func resumeOffer(_ previous: SessionDescription) -> SessionDescription {
        reoffer(previous, direction: .sendrecv)
    }

    static func firstSupported(in media: MediaDescription, supported: [Codec]) -> (String, Codec)? {
        for format in media.formats {
            if let codec = supported.first(where: { $0.matches(format: format, in: media) }) {
                return (format, codec)
            }
        }
        return nil
    }

    private static func audioMedia(port: UInt16, format: String, codec: Codec, telephoneEvent: UInt8?,
                                   telephoneEventFormat: String?, direction: MediaDirection,
                                   packetTime: Int?) -> MediaDescription {
        var formats = [format]
        var attributes: [Attribute] = []
        if let pt = UInt8(format) {
            attributes.append(.rtpmap(RTPMap(payloadType: pt, encodingName: codec.name, clockRate: codec.clockRate)))
        }
        if let te = telephoneEvent {
            formats.append(String(te))
            attributes.append(.rtpmap(RTPMap(payloadType: te, encodingName: TelephoneEvent.encodingName, clockRate: 8000)))
            attributes.append(.fmtp(format: String(te), parameters: telephoneEventFormat ?? "0-16"))
        }
        if let packetTime { attributes.append(.ptime(packetTime)) }
        attributes.append(.direction(direction))
        return MediaDescription(type: "audio", port: port, formats: formats, attributes: attributes)
    }
}
