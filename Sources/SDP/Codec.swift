/// An audio codec we can send and receive over RTP.
public struct Codec: Sendable, Equatable, Hashable {
    /// The rtpmap encoding name, e.g. `PCMU`, `opus`.
    public var name: String
    /// The RTP clock rate written in rtpmap (G.722 says 8000 for a 16 kHz codec, RFC 3551 §4.5.2;
    /// Opus always 48000, RFC 7587 §7).
    public var clockRate: UInt32
    /// The rtpmap encoding parameter (the channel count): Opus is always `/2` (RFC 7587 §7).
    public var channels: Int?
    /// The static payload type of RTP/AVP (RFC 3551), if it has one.
    public var staticPayloadType: UInt8?
    /// The `a=fmtp` parameters we write for this codec in offers and answers.
    public var formatParameters: String?

    public init(name: String, clockRate: UInt32, channels: Int? = nil, staticPayloadType: UInt8? = nil,
                formatParameters: String? = nil) {
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.staticPayloadType = staticPayloadType
        self.formatParameters = formatParameters
    }

    /// Opus (RFC 7587): `opus/48000/2` on a dynamic payload type, in-band FEC asked for.
    public static let opus = Codec(name: "opus", clockRate: 48000, channels: 2, formatParameters: "useinbandfec=1")
    /// G.722, payload type 9, `G722/8000` (its RTP clock, though it samples at 16 kHz).
    public static let g722 = Codec(name: "G722", clockRate: 8000, staticPayloadType: 9)
    /// G.711 µ-law, payload type 0.
    public static let pcmu = Codec(name: "PCMU", clockRate: 8000, staticPayloadType: 0)
    /// G.711 A-law, payload type 8.
    public static let pcma = Codec(name: "PCMA", clockRate: 8000, staticPayloadType: 8)

    /// Every codec we know, in our default order of preference (SPEC section 7, `audio.codecs`).
    public static let all: [Codec] = [.opus, .g722, .pcmu, .pcma]

    /// The names `audio.codecs` takes, in the order of `all`.
    public static let configurationNames = ["opus", "g722", "pcmu", "pcma"]

    /// The codec of an `audio.codecs` name (`opus`, `g722`, `pcmu`, `pcma`; any case); nil otherwise.
    public init?(named name: String) {
        switch name.lowercased() {
        case "opus": self = .opus
        case "g722": self = .g722
        case "pcmu": self = .pcmu
        case "pcma": self = .pcma
        default: return nil
        }
    }

    /// Whether `format` in `media` is this codec: by rtpmap name, rate (and channel count when
    /// the codec has one) when the format has an rtpmap, else by static payload type.
    public func matches(format: String, in media: MediaDescription) -> Bool {
        guard let pt = UInt8(format), pt < 128 else { return false }  // RTP payload types are 7 bits
        if let map = media.rtpMap(for: pt) {
            guard map.encodingName.lowercased() == name.lowercased(), map.clockRate == clockRate else { return false }
            if let channels { return map.channels == nil || map.channels == channels }
            return (map.channels ?? 1) == 1
        }
        return pt == staticPayloadType
    }

    /// The rtpmap line for this codec on payload type `pt`.
    func rtpMap(payloadType pt: UInt8) -> RTPMap {
        RTPMap(payloadType: pt, encodingName: name, clockRate: clockRate, channels: channels)
    }
}

/// The RFC 4733 telephone-event (DTMF) payload.
public enum TelephoneEvent {
    /// The encoding name in rtpmap.
    public static let encodingName = "telephone-event"
    /// The dynamic payload type we offer for telephone-event/8000.
    public static let defaultPayloadType: UInt8 = 101

    /// The payload type of telephone-event in `media`: the one at `clockRate` (the chosen codec's
    /// RTP clock), else any offered one; nil when none is offered.
    public static func payloadType(in media: MediaDescription, clockRate: UInt32 = 8000) -> UInt8? {
        let events = media.payloadTypes.compactMap { pt -> RTPMap? in
            guard let map = media.rtpMap(for: pt), map.encodingName.lowercased() == encodingName else { return nil }
            return map
        }
        return (events.first { $0.clockRate == clockRate } ?? events.first)?.payloadType
    }

    /// The clock rate of the telephone-event ``payloadType(in:clockRate:)`` picks.
    public static func clockRate(in media: MediaDescription, clockRate: UInt32 = 8000) -> UInt32? {
        guard let pt = payloadType(in: media, clockRate: clockRate) else { return nil }
        return media.rtpMap(for: pt)?.clockRate
    }
}
