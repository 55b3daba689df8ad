/// Why we cannot answer an offer; the caller answers 488 Not Acceptable Here.
public enum OfferAnswerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offer has no (enabled) audio stream over RTP/AVP.
    case noAudioStream
    /// No offered audio format is one of ours; `offered` lists the formats seen.
    case noCommonCodec(offered: [String])
    /// SRTP is required (`sip.srtp = "mandatory"`) and the offer has no key we can use.
    case encryptionRequired
    /// The offer wants SRTP (RTP/SAVP) and we do not speak it (`sip.srtp = "off"`), or it
    /// gives no key we can use.
    case encryptionUnsupported

    public var description: String {
        switch self {
        case .noAudioStream: "the offer has no usable RTP/AVP audio stream"
        case .noCommonCodec(let offered): "no common audio codec (offered: \(offered.joined(separator: " ")))"
        case .encryptionRequired:
            "the offer has no SRTP key (AES_CM_128_HMAC_SHA1_80, inline) and SRTP is mandatory"
        case .encryptionUnsupported:
            "the offer asks for SRTP (RTP/SAVP) without a key the line can use, or with SRTP off"
        }
    }
}

/// How an answer treats SRTP keyed by SDES (RFC 4568), from the line's `sip.srtp`.
public enum AnswerEncryption: Sendable, Equatable {
    /// Plain RTP only (`off`): an RTP/SAVP stream is not usable; `a=crypto` in an RTP/AVP offer
    /// is ignored (best-effort SDES falls back to plain RTP).
    case refuse
    /// SRTP when the stream offers a key we can use, answered with `key` (`optional`); plain RTP otherwise.
    case accept(key: [UInt8])
    /// SRTP only, answered with `key` (`mandatory`): a stream without a usable key is not.
    case require(key: [UInt8])

    /// The crypto line to answer `offered` with, `.some(nil)` for plain RTP, `nil` when the
    /// stream is not acceptable.
    func answerCrypto(for offered: MediaDescription) -> CryptoAttribute?? {
        let theirs = offered.supportedCrypto
        switch self {
        case .refuse:
            return offered.isSecureProfile ? nil : .some(nil)
        case .accept(let key):
            if let theirs { return CryptoAttribute(tag: theirs.tag, masterKey: key) }
            return offered.isSecureProfile ? nil : .some(nil)
        case .require(let key):
            guard let theirs else { return nil }
            return CryptoAttribute(tag: theirs.tag, masterKey: key)
        }
    }
}

/// The offer/answer model (RFC 3264) for a single audio stream: Opus, G.722, G.711 and
/// telephone-event.
public enum OfferAnswer {
    /// Builds our answer to `offer`: the first offered audio stream over RTP/AVP with a codec from
    /// `supported` is accepted with the first codec of `supported` (our order of preference) that
    /// it offers, on the offer's payload type, plus telephone-event if offered (at the codec's RTP
    /// clock rate when offered so, else the first offered); every other stream is rejected with port 0. The direction mirrors the offer's
    /// (RFC 3264 section 6.1); with `hold` we never ask to receive.
    ///
    /// `encryption` says which streams are acceptable with or without SRTP; an accepted stream
    /// keeps the offer's profile (RTP/AVP or RTP/SAVP) and, when encrypted, answers the offer's
    /// first usable `a=crypto` with our key on the same tag.
    public static func answer(offer: SessionDescription, localAddress: String, localPort: UInt16,
                              sessionID: UInt64, version: UInt64, supported: [Codec] = Codec.all,
                              hold: Bool = false, username: String = "-",
                              packetTime: Int? = 20,
                              encryption: AnswerEncryption = .refuse) throws(OfferAnswerError) -> SessionDescription {
        var answered: [MediaDescription] = []
        var accepted = false
        var sawAudio = false
        var securityRefusal: OfferAnswerError?
        var offeredAudioFormats: [String] = []
        for offered in offer.media {
            let usable = offered.type == "audio" && offered.port != 0 && offered.isRTPProfile
            if usable { sawAudio = true; offeredAudioFormats += offered.formats }
            let crypto = usable && !accepted ? encryption.answerCrypto(for: offered) : nil
            if usable, !accepted, crypto == nil, firstSupported(in: offered, supported: supported) != nil {
                if case .require = encryption { securityRefusal = .encryptionRequired } else { securityRefusal = .encryptionUnsupported }
            }
            if usable, !accepted, let crypto,
               let (format, codec) = firstSupported(in: offered, supported: supported) {
                accepted = true
                let remote = offered.direction ?? offer.direction ?? .sendrecv
                let event = TelephoneEvent.payloadType(in: offered, clockRate: codec.clockRate)
                    .flatMap { offered.rtpMap(for: $0) }
                var media = audioMedia(port: localPort, format: format, codec: codec, telephoneEvent: event,
                                       telephoneEventFormat: event.flatMap { offered.fmtp(for: String($0.payloadType)) },
                                       direction: answerDirection(to: remote, hold: hold),
                                       packetTime: packetTime)
                media.proto = offered.proto
                if let crypto { media.attributes.insert(.crypto(crypto), at: 0) }
                answered.append(media)
            } else {
                answered.append(MediaDescription(type: offered.type, port: 0, proto: offered.proto,
                                                 formats: offered.formats.isEmpty ? ["0"] : offered.formats))
            }
        }
        guard accepted else {
            if let securityRefusal { throw securityRefusal }
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
    /// `.sendrecv` to resume (RFC 3264 section 8.4). Offers every codec in `codecs`, in that
    /// order (dynamic payload types from 96), and telephone-event/8000 on `telephoneEvent` (plus
    /// telephone-event/48000 on the next dynamic payload type when Opus is offered) unless
    /// `telephoneEvent` is nil. With `crypto` the stream carries that `a=crypto` line (our SDES
    /// key), over `proto` (RTP/SAVP when SRTP is mandatory, RTP/AVP for best-effort SRTP).
    public static func offer(localAddress: String, localPort: UInt16, sessionID: UInt64, version: UInt64,
                             codecs: [Codec] = Codec.all,
                             telephoneEvent: UInt8? = TelephoneEvent.defaultPayloadType,
                             direction: MediaDirection = .sendrecv, username: String = "-",
                             packetTime: Int? = 20, crypto: CryptoAttribute? = nil,
                             proto: String = MediaDescription.plainProfile) -> SessionDescription {
        var formats: [String] = []
        var attributes: [Attribute] = crypto.map { [.crypto($0)] } ?? []
        var nextDynamic: UInt8 = 96
        func dynamic() -> UInt8 {
            while nextDynamic == telephoneEvent || codecs.contains(where: { $0.staticPayloadType == nextDynamic }) {
                nextDynamic += 1
            }
            defer { nextDynamic += 1 }
            return nextDynamic
        }
        for codec in codecs {
            let pt = codec.staticPayloadType ?? dynamic()
            formats.append(String(pt))
            attributes.append(.rtpmap(codec.rtpMap(payloadType: pt)))
            if let parameters = codec.formatParameters { attributes.append(.fmtp(format: String(pt), parameters: parameters)) }
        }
        if let te = telephoneEvent {
            var rates: [UInt32] = [8000]
            for codec in codecs where !rates.contains(codec.clockRate) { rates.append(codec.clockRate) }
            for (i, rate) in rates.enumerated() {
                let pt = i == 0 ? te : dynamic()
                formats.append(String(pt))
                attributes.append(.rtpmap(RTPMap(payloadType: pt, encodingName: TelephoneEvent.encodingName, clockRate: rate)))
                attributes.append(.fmtp(format: String(pt), parameters: "0-16"))
            }
        }
        if let packetTime { attributes.append(.ptime(packetTime)) }
        attributes.append(.direction(direction))
        return SessionDescription(
            origin: Origin(username: username, sessionID: sessionID, sessionVersion: version, address: localAddress),
            sessionName: "-", connection: Connection(address: localAddress),
            media: [MediaDescription(type: "audio", port: localPort, proto: proto, formats: formats, attributes: attributes)])
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

    /// The first codec of `supported` that `media` lists, with the first format that carries it;
    /// with `theirOrder`, the first format of `media` that is one of `supported`.
    static func firstSupported(in media: MediaDescription, supported: [Codec],
                               theirOrder: Bool = false) -> (String, Codec)? {
        if theirOrder {
            for format in media.formats {
                if let codec = supported.first(where: { $0.matches(format: format, in: media) }) { return (format, codec) }
            }
            return nil
        }
        for codec in supported {
            if let format = media.formats.first(where: { codec.matches(format: $0, in: media) }) {
                return (format, codec)
            }
        }
        return nil
    }

    private static func audioMedia(port: UInt16, format: String, codec: Codec, telephoneEvent: RTPMap?,
                                   telephoneEventFormat: String?, direction: MediaDirection,
                                   packetTime: Int?) -> MediaDescription {
        var formats = [format]
        var attributes: [Attribute] = []
        if let pt = UInt8(format) {
            attributes.append(.rtpmap(codec.rtpMap(payloadType: pt)))
            if let parameters = codec.formatParameters { attributes.append(.fmtp(format: format, parameters: parameters)) }
        }
        if let te = telephoneEvent {
            formats.append(String(te.payloadType))
            attributes.append(.rtpmap(RTPMap(payloadType: te.payloadType, encodingName: TelephoneEvent.encodingName,
                                             clockRate: te.clockRate)))
            attributes.append(.fmtp(format: String(te.payloadType), parameters: telephoneEventFormat ?? "0-16"))
        }
        if let packetTime { attributes.append(.ptime(packetTime)) }
        attributes.append(.direction(direction))
        return MediaDescription(type: "audio", port: port, formats: formats, attributes: attributes)
    }
}
