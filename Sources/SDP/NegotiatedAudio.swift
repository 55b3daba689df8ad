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
    /// The direction as written by the description's author (`sendrecv` if none).
    public var direction: MediaDirection
    /// `a=ptime`, if given.
    public var packetTime: Int?
}

extension SessionDescription {
    /// The first enabled RTP/AVP audio stream with a codec from `supported`, using the first
    /// codec of `supported` (our order of preference) that it lists. Use it on the peer's answer
    /// (or offer) to learn where to send RTP and with which payload type. `nil` when there is none.
    public func negotiatedAudio(supported: [Codec] = Codec.all) -> NegotiatedAudio? {
        for (index, m) in media.enumerated()
        where m.type == "audio" && m.port != 0 && m.proto.uppercased() == "RTP/AVP" {
            guard let (format, codec) = OfferAnswer.firstSupported(in: m, supported: supported),
                  let pt = UInt8(format) else { continue }
            return NegotiatedAudio(mediaIndex: index, remote: rtpDestination(mediaIndex: index), payloadType: pt,
                                   codec: codec,
                                   telephoneEventPayloadType: TelephoneEvent.payloadType(in: m, clockRate: codec.clockRate),
                                   direction: m.direction ?? direction ?? .sendrecv, packetTime: m.packetTime)
        }
        return nil
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
