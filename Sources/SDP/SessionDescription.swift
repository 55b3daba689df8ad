/// A session description (RFC 4566 section 5). Parse with `SessionDescription(parsing:)`,
/// serialise with `text`.
public struct SessionDescription: Sendable, Equatable {
    /// `v=`, always 0.
    public var version: Int
    /// `o=`.
    public var origin: Origin
    /// `s=`; RFC 4566 wants at least one character (`-` when there is no name).
    public var sessionName: String
    /// `i=`.
    public var information: String?
    /// `u=`.
    public var uri: String?
    /// `e=` lines.
    public var emails: [String]
    /// `p=` lines.
    public var phones: [String]
    /// Session-level `c=`.
    public var connection: Connection?
    /// Session-level `b=` lines.
    public var bandwidths: [Bandwidth]
    /// `t=` lines with their `r=` lines.
    public var timing: [Timing]
    /// `z=`, unparsed.
    public var timeZones: String?
    /// `k=`, unparsed.
    public var encryptionKey: String?
    /// Session-level `a=` lines.
    public var attributes: [Attribute]
    /// `m=` sections.
    public var media: [MediaDescription]

    /// A description with the given fields; `t=0 0` by default.
    public init(version: Int = 0, origin: Origin, sessionName: String = "-", information: String? = nil,
                uri: String? = nil, emails: [String] = [], phones: [String] = [], connection: Connection? = nil,
                bandwidths: [Bandwidth] = [], timing: [Timing] = [Timing()], timeZones: String? = nil,
                encryptionKey: String? = nil, attributes: [Attribute] = [], media: [MediaDescription] = []) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.information = information
        self.uri = uri
        self.emails = emails
        self.phones = phones
        self.connection = connection
        self.bandwidths = bandwidths
        self.timing = timing
        self.timeZones = timeZones
        self.encryptionKey = encryptionKey
        self.attributes = attributes
        self.media = media
    }

    /// The session-level direction attribute, if any.
    public var direction: MediaDirection? {
        attributes.lazy.compactMap(\.direction).first
    }
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
public struct Origin: Sendable, Equatable {
    /// `-` when there is no user name.
    public var username: String
    /// Stays the same for the whole session.
    public var sessionID: UInt64
    /// Incremented on every changed offer (RFC 3264 section 8).
    public var sessionVersion: UInt64
    /// `IN`.
    public var networkType: String
    /// `IP4` or `IP6`.
    public var addressType: String
    /// The originator's address.
    public var address: String

    /// An origin; the address type is derived from `address` when not given.
    public init(username: String = "-", sessionID: UInt64, sessionVersion: UInt64, networkType: String = "IN",
                addressType: String? = nil, address: String) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType ?? Connection.addressType(for: address)
        self.address = address
    }
}

/// `c=<nettype> <addrtype> <connection-address>`.
public struct Connection: Sendable, Equatable {
    public var networkType: String
    public var addressType: String
    /// The address without any `/ttl/count` suffix.
    public var address: String
    /// The IPv4 multicast TTL (`/127`).
    public var ttl: Int?
    /// The number of addresses (`/3`).
    public var addressCount: Int?

    public init(networkType: String = "IN", addressType: String? = nil, address: String, ttl: Int? = nil,
                addressCount: Int? = nil) {
        self.networkType = networkType
        self.addressType = addressType ?? Connection.addressType(for: address)
        self.address = address
        self.ttl = ttl
        self.addressCount = addressCount
    }

    /// `IP6` for an address with a colon, else `IP4`.
    public static func addressType(for address: String) -> String {
        address.contains(":") ? "IP6" : "IP4"
    }
}

/// `b=<bwtype>:<bandwidth>`.
public struct Bandwidth: Sendable, Equatable {
    public var type: String
    public var value: UInt64

    public init(type: String, value: UInt64) {
        self.type = type
        self.value = value
    }
}

/// `t=<start-time> <stop-time>` and its `r=` lines (kept unparsed).
public struct Timing: Sendable, Equatable {
    public var start: UInt64
    public var stop: UInt64
    public var repeats: [String]

    public init(start: UInt64 = 0, stop: UInt64 = 0, repeats: [String] = []) {
        self.start = start
        self.stop = stop
        self.repeats = repeats
    }
}

/// An `m=` section: `m=<media> <port>[/<count>] <proto> <fmt> ...` and its lines.
public struct MediaDescription: Sendable, Equatable {
    /// `audio`, `video`, …
    public var type: String
    /// 0 means the stream is rejected or disabled.
    public var port: UInt16
    public var portCount: Int?
    /// e.g. `RTP/AVP`.
    public var proto: String
    /// Payload type numbers for RTP, as written.
    public var formats: [String]
    public var information: String?
    public var connection: Connection?
    public var bandwidths: [Bandwidth]
    public var encryptionKey: String?
    public var attributes: [Attribute]

    public init(type: String, port: UInt16, portCount: Int? = nil, proto: String = "RTP/AVP", formats: [String],
                information: String? = nil, connection: Connection? = nil, bandwidths: [Bandwidth] = [],
                encryptionKey: String? = nil, attributes: [Attribute] = []) {
        self.type = type
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.information = information
        self.connection = connection
        self.bandwidths = bandwidths
        self.encryptionKey = encryptionKey
        self.attributes = attributes
    }

    /// The formats that are payload type numbers.
    public var payloadTypes: [UInt8] { formats.compactMap { UInt8($0) }.filter { $0 < 128 } }

    /// The `a=rtpmap` lines.
    public var rtpMaps: [RTPMap] {
        attributes.compactMap { if case .rtpmap(let map) = $0 { map } else { nil } }
    }

    /// The `a=rtpmap` for `payloadType`, if present.
    public func rtpMap(for payloadType: UInt8) -> RTPMap? {
        rtpMaps.first { $0.payloadType == payloadType }
    }

    /// The `a=fmtp` parameters for `format`, if present.
    public func fmtp(for format: String) -> String? {
        for attribute in attributes {
            if case .fmtp(let f, let parameters) = attribute, f == format { return parameters }
        }
        return nil
    }

    /// `a=ptime`, if present.
    public var packetTime: Int? {
        for attribute in attributes { if case .ptime(let ms) = attribute { return ms } }
        return nil
    }

    /// The media-level direction attribute, if any.
    public var direction: MediaDirection? {
        attributes.lazy.compactMap(\.direction).first
    }

    /// Replaces any direction attribute with `direction` (appended last).
    public mutating func setDirection(_ direction: MediaDirection) {
        attributes.removeAll { $0.direction != nil }
        attributes.append(.direction(direction))
    }
}
