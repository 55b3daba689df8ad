/// An audio codec we can send and receive over RTP.
public struct Codec: Sendable, Equatable, Hashable {
    /// The rtpmap encoding name, e.g. `PCMU`.
    public var name: String
    public var clockRate: UInt32
    /// The static payload type of RTP/AVP (RFC 3551), if it has one.
    public var staticPayloadType: UInt8?

    public init(name: String, clockRate: UInt32, staticPayloadType: UInt8? = nil) {
        self.name = name
        self.clockRate = clockRate
        self.staticPayloadType = staticPayloadType
    }

    /// G.711 µ-law, payload type 0.
    public static let pcmu = Codec(name: "PCMU", clockRate: 8000, staticPayloadType: 0)
    /// G.711 A-law, payload type 8.
    public static let pcma = Codec(name: "PCMA", clockRate: 8000, staticPayloadType: 8)

    /// Whether `format` in `media` is this codec: by rtpmap name and rate when the format has
    /// an rtpmap, else by static payload type.
    public func matches(format: String, in media: MediaDescription) -> Bool {
        guard let pt = UInt8(format) else { return false }
        if let map = media.rtpMap(for: pt) {
            return map.encodingName.lowercased() == name.lowercased() && map.clockRate == clockRate
                && (map.channels ?? 1) == 1
        }
        return pt == staticPayloadType
    }
}

/// The RFC 4733 telephone-event (DTMF) payload.
public enum TelephoneEvent {
    /// The encoding name in rtpmap.
    public static let encodingName = "telephone-event"
    /// The dynamic payload type we offer.
    public static let defaultPayloadType: UInt8 = 101

    /// The payload type of telephone-event/8000 in `media`, if offered.
    public static func payloadType(in media: MediaDescription) -> UInt8? {
        media.payloadTypes.first { pt in
            guard let map = media.rtpMap(for: pt) else { return false }
            return map.encodingName.lowercased() == encodingName && map.clockRate == 8000
        }
    }
}
