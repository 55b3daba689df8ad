/// An `a=` line. The ones a G.711 call needs are parsed; the rest are kept raw.
public enum Attribute: Sendable, Equatable {
    /// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]`.
    case rtpmap(RTPMap)
    /// `a=fmtp:<format> <format specific parameters>`.
    case fmtp(format: String, parameters: String)
    /// `a=ptime:<packet time in ms>`.
    case ptime(Int)
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`.
    case direction(MediaDirection)
    /// `a=crypto:<tag> <suite> <key-params> [<session-params>]` (RFC 4568), well-formed; a
    /// malformed one is kept as `.other`.
    case crypto(CryptoAttribute)
    /// Any other attribute: `a=<name>` or `a=<name>:<value>`.
    case other(name: String, value: String?)

    /// The direction, if this is a direction attribute.
    public var direction: MediaDirection? {
        if case .direction(let d) = self { d } else { nil }
    }

    /// The text after `a=`.
    public var text: String {
        switch self {
        case .rtpmap(let map): "rtpmap:\(map.text)"
        case .fmtp(let format, let parameters): "fmtp:\(format) \(parameters)"
        case .ptime(let ms): "ptime:\(ms)"
        case .direction(let d): d.rawValue
        case .crypto(let crypto): "crypto:\(crypto.text)"
        case .other(let name, let value?): "\(name):\(value)"
        case .other(let name, nil): name
        }
    }
}

/// The media direction attributes (RFC 4566 section 6, RFC 3264 section 5.1).
public enum MediaDirection: String, Sendable, Equatable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// Whether the side that wrote this sends media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// Whether the side that wrote this receives media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The direction with the given send/receive abilities.
    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The same stream seen from the other side: sendonly ↔ recvonly.
    public var reversed: MediaDirection { MediaDirection(sends: receives, receives: sends) }
}

/// `<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`.
public struct RTPMap: Sendable, Equatable {
    public var payloadType: UInt8
    /// e.g. `PCMU`, `telephone-event`.
    public var encodingName: String
    public var clockRate: UInt32
    /// For audio, the channel count.
    public var channels: Int?

    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// The text after `a=rtpmap:`.
    public var text: String {
        var s = "\(payloadType) \(encodingName)/\(clockRate)"
        if let channels { s += "/\(channels)" }
        return s
    }
}
