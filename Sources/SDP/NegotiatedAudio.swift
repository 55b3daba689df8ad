/// Where to send RTP.
public struct RTPEndpoint: Sendable, Equatable, Hashable {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }
}

/// The audio stream a description settles on: what we need to run RTP.
public struct NegotiatedAudio: Sendable, Equatable {
    /// The index of the `m=` section.
    public var mediaIndex: Int
    /// The peer's RTP address and port; `nil` when it gave none.
    public var remote: RTPEndpoint?
    /// The payload type to send (the number the description uses).
    public var payloadType: UInt8
    /// The codec, with its RTP clock rate (`codec.clockRate`).
    public var codec: Codec
    /// The RFC 4733 payload type, if the stream carries telephone-event: the one at the codec's
    /// RTP clock rate when there is one, else any.
    public var telephoneEventPayloadType: UInt8?
    /// The telephone-event's clock rate (its durations count in it), if the stream carries it.
    public var telephoneEventClockRate: UInt32?
    /// The direction as written by the description's author (`sendrecv` if none).
    public var direction: MediaDirection
    /// `a=ptime`, if given.
    public var packetTime: Int?
    /// The first `a=crypto` of the stream the line can use (its key is the one the
    /// description's author sends with); nil when there is none.
    public var crypto: CryptoAttribute?
}

extension SessionDescription {
    /// The first enabled RTP/AVP or RTP/SAVP audio stream with a codec from `supported`. By default the codec
    /// is the first of `supported` (our order of preference) that the stream lists — how we read
    /// an offer we answer; with `theirOrder`, the first format of the stream that we support — how
    /// we read the peer's answer, whose first format is what it will send (RFC 3264 section 6.1).
    /// `nil` when there is none.
    public func negotiatedAudio(supported: [Codec] = Codec.all, theirOrder: Bool = false) -> NegotiatedAudio? {
        for (index, m) in media.enumerated()
        where m.type == "audio" && m.port != 0 && m.isRTPProfile {
            guard let (format, codec) = OfferAnswer.firstSupported(in: m, supported: supported, theirOrder: theirOrder),
                  let pt = UInt8(format) else { continue }
            return NegotiatedAudio(mediaIndex: index, remote: rtpDestination(mediaIndex: index), payloadType: pt,
                                   codec: codec,
                                   telephoneEventPayloadType: TelephoneEvent.payloadType(in: m, clockRate: codec.clockRate),
                                   telephoneEventClockRate: TelephoneEvent.clockRate(in: m, clockRate: codec.clockRate),
                                   direction: m.direction ?? direction ?? .sendrecv, packetTime: m.packetTime,
                                   crypto: m.supportedCrypto)
        }
        return nil
    }

    /// How many of `supported` the first enabled audio stream lists (one in an answer of ours).
    public func supportedCodecCount(_ supported: [Codec]) -> Int {
        guard let m = media.first(where: { $0.type == "audio" && $0.port != 0 }) else { return 0 }
        return supported.filter { codec in m.formats.contains { codec.matches(format: $0, in: m) } }.count
    }

    /// The RTP destination of the `m=` section at `mediaIndex`: its `c=` (else the session's)
    /// address and its port; `nil` for port 0, a missing connection, or a bad index.
    public func rtpDestination(mediaIndex: Int) -> RTPEndpoint? {
        guard media.indices.contains(mediaIndex) else { return nil }
        let m = media[mediaIndex]
        guard m.port != 0, let connection = m.connection ?? connection else { return nil }
        return RTPEndpoint(address: connection.address, port: m.port)
    }
}
