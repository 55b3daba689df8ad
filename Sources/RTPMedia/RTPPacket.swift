/// One RTP data packet (RFC 3550 section 5.1).
///
/// The fixed header is always version 2. Building a packet never fails; ``bytes`` serialises it
/// and ``init(parsing:)`` reads one back, rejecting anything malformed with an ``RTPParseError``.
public struct RTPPacket: Sendable, Hashable {
    /// The RTP version this implementation reads and writes.
    public static let version: UInt8 = 2
    /// The length of the fixed header, without CSRCs or extension.
    public static let fixedHeaderLength = 12
    /// The most contributing sources the 4-bit CC field can count.
    public static let maximumCSRCCount = 15

    /// The marker bit; for audio it flags the first packet of a talkspurt (RFC 3551 section 4.1).
    public var marker: Bool
    /// The 7-bit payload type. Only its low 7 bits are serialised.
    public var payloadType: UInt8
    /// The sequence number, which increments by one for each packet sent.
    public var sequenceNumber: UInt16
    /// The sampling instant of the first payload octet, in units of the codec's clock rate.
    public var timestamp: UInt32
    /// The synchronisation source.
    public var ssrc: UInt32
    /// The contributing sources. At most ``maximumCSRCCount`` are serialised.
    public var csrcs: [UInt32]
    /// The header extension (X bit), if any.
    public var headerExtension: RTPHeaderExtension?
    /// The number of padding octets after the payload, including the final count octet;
    /// 0 means no padding (P bit clear).
    public var paddingLength: UInt8
    /// The payload, without padding.
    public var payload: [UInt8]

    /// Creates a packet.
    public init(
        payloadType: UInt8,
        sequenceNumber: UInt16,
        timestamp: UInt32,
        ssrc: UInt32,
        marker: Bool = false,
        csrcs: [UInt32] = [],
        headerExtension: RTPHeaderExtension? = nil,
        paddingLength: UInt8 = 0,
        payload: [UInt8]
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
        self.paddingLength = paddingLength
        self.payload = payload
    }

    /// The RTP version, always 2.
    public var version: UInt8 { Self.version }
    /// Whether the P bit is set.
    public var hasPadding: Bool { paddingLength > 0 }
    /// Whether the X bit is set.
    public var hasExtension: Bool { headerExtension != nil }
    /// The CC field: the number of CSRCs serialised.
    public var csrcCount: Int { min(csrcs.count, Self.maximumCSRCCount) }

    /// The packet on the wire.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.fixedHeaderLength + 4 * csrcCount + payload.count + Int(paddingLength) + 4)
        out.append(Self.version << 6 | (hasPadding ? 0x20 : 0) | (hasExtension ? 0x10 : 0) | UInt8(csrcCount))
        out.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        out.appendBigEndian(sequenceNumber)
        out.appendBigEndian(timestamp)
        out.appendBigEndian(ssrc)
        for csrc in csrcs.prefix(Self.maximumCSRCCount) {
            out.appendBigEndian(csrc)
        }
        if let headerExtension {
            headerExtension.serialise(into: &out)
        }
        out.append(contentsOf: payload)
        if paddingLength > 0 {
            out.append(contentsOf: repeatElement(0, count: Int(paddingLength) - 1))
            out.append(paddingLength)
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in network byte order.
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }
}
