/// An RTP header extension (RFC 3550 section 5.3.1): a 16-bit profile-defined value and data
/// that occupies a whole number of 32-bit words.
public struct RTPHeaderExtension: Sendable, Hashable {
    /// The first 16 bits, defined by the profile (e.g. `0xBEDE` for RFC 8285 one-byte headers).
    public var profile: UInt16
    /// The extension data. When serialised it is padded with zero octets to a multiple of 4.
    public var data: [UInt8]

    /// Creates a header extension.
    public init(profile: UInt16, data: [UInt8]) {
        self.profile = profile
        self.data = data
    }

    /// The length field: the data length in 32-bit words, rounded up and capped at 65535.
    var lengthInWords: Int { min((data.count + 3) / 4, Int(UInt16.max)) }

    func serialise(into out: inout [UInt8]) {
        let words = lengthInWords
        out.appendBigEndian(profile)
        out.appendBigEndian(UInt16(words))
        let written = min(data.count, words * 4)
        out.append(contentsOf: data.prefix(written))
        out.append(contentsOf: repeatElement(0, count: words * 4 - written))
    }
}
