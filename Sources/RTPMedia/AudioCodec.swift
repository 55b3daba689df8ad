/// A G.711 audio codec as carried in RTP/AVP (RFC 3551): 8 kHz, one byte per sample.
public enum AudioCodec: Sendable, Hashable, CaseIterable {
    /// G.711 µ-law, static payload type 0.
    case pcmu
    /// G.711 A-law, static payload type 8.
    case pcma

    /// The codec with this static RTP payload type, if it is one of ours.
    public init?(payloadType: UInt8) {
        switch payloadType {
        case 0: self = .pcmu
        case 8: self = .pcma
        default: return nil
        }
    }

    /// The static RTP payload type (RFC 3551 table 4).
    public var payloadType: UInt8 {
        switch self {
        case .pcmu: 0
        case .pcma: 8
        }
    }

    /// The RTP clock rate in Hz, which for G.711 is also the sampling rate.
    public var clockRate: UInt32 { 8000 }

    /// The encoding name used in SDP `a=rtpmap`.
    public var encodingName: String {
        switch self {
        case .pcmu: "PCMU"
        case .pcma: "PCMA"
        }
    }

    /// The code for digital silence.
    public var silence: UInt8 { encode(0) }

    /// Encodes one linear sample.
    public func encode(_ sample: Int16) -> UInt8 {
        switch self {
        case .pcmu: G711.encodeMuLaw(sample)
        case .pcma: G711.encodeALaw(sample)
        }
    }

    /// Decodes one code to a linear sample.
    public func decode(_ code: UInt8) -> Int16 {
        switch self {
        case .pcmu: G711.decodeMuLaw(code)
        case .pcma: G711.decodeALaw(code)
        }
    }

    /// Encodes linear samples to an RTP payload, one byte per sample.
    public func encode(_ samples: [Int16]) -> [UInt8] {
        samples.map { encode($0) }
    }

    /// Decodes an RTP payload to linear samples.
    public func decode(_ payload: some Collection<UInt8>) -> [Int16] {
        payload.map { decode($0) }
    }
}
