import Crypto

/// MD5 for digest authentication (RFC 2617 `H()`), from swift-crypto's `Insecure.MD5`:
/// a thin value wrapper with the hex forms the digest calculation needs.
public struct MD5 {
    private var hasher = Insecure.MD5()

    public init() {}

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// Adds a string's UTF-8 bytes.
    public mutating func update(_ string: String) { update(string.utf8) }

    /// The 16-byte digest of everything added.
    public func finalize() -> [UInt8] { Array(hasher.finalize()) }

    /// The 16-byte digest of `bytes`.
    public static func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        Array(Insecure.MD5.hash(data: Array(bytes)))
    }

    /// 32 lower-case hex digits of the digest of a string's UTF-8 bytes.
    public static func hex(_ string: String) -> String { hexString(digest(string.utf8)) }

    /// 32 lower-case hex digits of the digest of `bytes`.
    public static func hex(bytes: some Sequence<UInt8>) -> String { hexString(digest(bytes)) }

    /// Lower-case hex of any bytes.
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
