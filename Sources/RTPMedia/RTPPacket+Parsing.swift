extension RTPPacket {
    /// Parses an RTP packet, checking every length against the data so that no input traps.
    ///
    /// - Throws: ``RTPParseError`` when the version is not 2, the data is shorter than the fixed
    ///   header, or the CSRC list, header extension or padding run past the end.
    public init(parsing data: some Collection<UInt8>) throws(RTPParseError) {
        let bytes = Array(data)
        let length = bytes.count
        guard length >= Self.fixedHeaderLength else { throw .tooShort(length: length) }
        let version = bytes[0] >> 6
        guard version == Self.version else { throw .unsupportedVersion(version) }

        let csrcCount = Int(bytes[0] & 0x0F)
        var offset = Self.fixedHeaderLength
        guard length >= offset + 4 * csrcCount else {
            throw .csrcListTruncated(count: csrcCount, length: length)
        }
        var csrcs: [UInt32] = []
        csrcs.reserveCapacity(csrcCount)
        for _ in 0..<csrcCount {
            csrcs.append(bytes.bigEndian(at: offset))
            offset += 4
        }

        var headerExtension: RTPHeaderExtension?
        if bytes[0] & 0x10 != 0 {
            guard length >= offset + 4 else { throw .extensionTruncated(needed: offset + 4, length: length) }
            let profile: UInt16 = bytes.bigEndian(at: offset)
            let words = Int(bytes.bigEndian(at: offset + 2) as UInt16)
            offset += 4
            let end = offset + 4 * words
            guard length >= end else { throw .extensionTruncated(needed: end, length: length) }
            headerExtension = RTPHeaderExtension(profile: profile, data: Array(bytes[offset..<end]))
            offset = end
        }

        var paddingLength: UInt8 = 0
        if bytes[0] & 0x20 != 0 {
            let available = length - offset
            // The count includes itself, so 0 is invalid, and it cannot eat into the header.
            let count = available > 0 ? Int(bytes[length - 1]) : 0
            guard count >= 1, count <= available else { throw .invalidPadding(count: count, available: available) }
            paddingLength = UInt8(count)
        }

        self.init(
            payloadType: bytes[1] & 0x7F,
            sequenceNumber: bytes.bigEndian(at: 2),
            timestamp: bytes.bigEndian(at: 4),
            ssrc: bytes.bigEndian(at: 8),
            marker: bytes[1] & 0x80 != 0,
            csrcs: csrcs,
            headerExtension: headerExtension,
            paddingLength: paddingLength,
            payload: Array(bytes[offset..<(length - Int(paddingLength))])
        )
    }
}

extension Array where Element == UInt8 {
    /// Reads a big-endian integer at `offset`; the caller has checked the bounds.
    func bigEndian<T: FixedWidthInteger>(at offset: Int) -> T {
        var value: T = 0
        for index in offset..<(offset + T.bitWidth / 8) {
            value = value << 8 | T(self[index])
        }
        return value
    }
}
