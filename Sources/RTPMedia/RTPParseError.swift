/// Why a datagram is not a valid RTP packet.
public enum RTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Shorter than the 12-octet fixed header.
    case tooShort(length: Int)
    /// The version field is not 2.
    case unsupportedVersion(UInt8)
    /// The CSRC list the CC field announces runs past the end of the packet.
    case csrcListTruncated(count: Int, length: Int)
    /// The header extension (its 4-octet header or its announced data) runs past the end.
    case extensionTruncated(needed: Int, length: Int)
    /// The P bit is set but the padding count is 0 or larger than what follows the header.
    case invalidPadding(count: Int, available: Int)

    public var description: String {
        switch self {
        case .tooShort(let length):
            "RTP packet too short: \(length) octets, the fixed header needs 12"
        case .unsupportedVersion(let version):
            "RTP version \(version) is not supported (expected 2)"
        case .csrcListTruncated(let count, let length):
            "RTP header announces \(count) CSRCs but the packet has only \(length) octets"
        case .extensionTruncated(let needed, let length):
            "RTP header extension needs \(needed) octets but the packet has only \(length)"
        case .invalidPadding(let count, let available):
            "RTP padding count \(count) is invalid: \(available) octets follow the header"
        }
    }
}
