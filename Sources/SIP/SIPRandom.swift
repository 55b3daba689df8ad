import Timekeeping

/// The user agent's random source for tags, branches, Call-IDs and client nonces: the
/// program's one seedable generator (`SeededGenerator`, SplitMix64), with the two shapes
/// SIP wants.
public typealias SIPRandom = SeededGenerator

extension SeededGenerator {
    /// `length` characters of `[a-z0-9]`.
    public mutating func token(_ length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for _ in 0..<length { bytes.append(alphabet[Int(next() % UInt64(alphabet.count))]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 16 lower-case hex digits (a digest client nonce).
    public mutating func hex16() -> String {
        let hex = String(next(), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
