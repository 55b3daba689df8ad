/// MD5 message digest (RFC 1321), written in plain Swift for digest authentication.
///
/// MD5 is broken as a general-purpose hash; it is here only because SIP digest
/// authentication (RFC 2617 / RFC 3261) requires it.
public struct MD5: Sendable {
    /// Per-round left-rotation amounts (RFC 1321, section 3.4).
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// T[i] = floor(2^32 * |sin(i + 1)|) (RFC 1321, section 3.4).
    private static let table: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee,
        0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
        0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
        0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
        0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
        0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039,
        0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
        0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]

    private var a: UInt32 = 0x6745_2301
    private var b: UInt32 = 0xefcd_ab89
    private var c: UInt32 = 0x98ba_dcfe
    private var d: UInt32 = 0x1032_5476
    /// Bytes not yet forming a whole 64-byte block.
    private var pending: [UInt8] = []
    /// Total message length in bytes (the padding stores it modulo 2^64 bits).
    private var length: UInt64 = 0

    /// A fresh hashing state.
    public init() {
        pending.reserveCapacity(64)
    }

    /// Feeds more message bytes.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            pending.append(byte)
            length &+= 1
            if pending.count == 64 {
                processBlock(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Feeds the UTF-8 bytes of `string`.
    public mutating func update(_ string: String) {
        update(string.utf8)
    }

    /// Pads the message and returns the 16-byte digest. The state is spent afterwards.
    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 0, to: 64, by: 8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        var offset = 0
        while offset < tail.count {
            processBlock(tail[offset..<offset + 64])
            offset += 64
        }
        pending.removeAll()
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for word in [a, b, c, d] {
            for shift in stride(from: 0, to: 32, by: 8) {
                out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift)))
            }
        }
        return out
    }

    /// The digest of `bytes`.
    public static func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalize()
    }

    /// The digest of the UTF-8 bytes of `string`, as 32 lowercase hex digits.
    public static func hex(_ string: String) -> String {
        hexString(digest(string.utf8))
    }

    /// The digest of `bytes`, as 32 lowercase hex digits.
    public static func hex(bytes: some Sequence<UInt8>) -> String {
        hexString(digest(bytes))
    }

    /// Lowercase hex rendering of `bytes`.
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            s.append(digits[Int(byte >> 4)])
            s.append(digits[Int(byte & 0x0f)])
        }
        return s
    }

    private mutating func processBlock(_ block: some Collection<UInt8>) {
        var words = [UInt32](repeating: 0, count: 16)
        var index = 0
        for byte in block {
            words[index / 4] |= UInt32(byte) << UInt32((index % 4) * 8)
            index += 1
        }
        var aa = a, bb = b, cc = c, dd = d
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i / 16 {
            case 0:
                f = (bb & cc) | (~bb & dd)
                g = i
            case 1:
                f = (bb & dd) | (cc & ~dd)
                g = (5 &* i &+ 1) % 16
            case 2:
                f = bb ^ cc ^ dd
                g = (3 &* i &+ 5) % 16
            default:
                f = cc ^ (bb | ~dd)
                g = (7 &* i) % 16
            }
            f = f &+ aa &+ MD5.table[i] &+ words[g]
            aa = dd
            dd = cc
            cc = bb
            bb = bb &+ MD5.rotateLeft(f, by: MD5.shifts[i])
        }
        a &+= aa
        b &+= bb
        c &+= cc
        d &+= dd
    }

    private static func rotateLeft(_ x: UInt32, by n: UInt32) -> UInt32 {
        (x << n) | (x >> (32 - n))
    }
}
