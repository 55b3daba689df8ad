import Testing
@testable import SIPAuth

@Suite("MD5 (RFC 1321), from swift-crypto")
struct MD5Tests {
    /// The test suite of RFC 1321, appendix A.5.
    @Test("RFC 1321 test suite", arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfcVectors(input: String, expected: String) {
        #expect(MD5.hex(input) == expected)
    }

    @Test("One million 'a's, fed in uneven chunks across block boundaries")
    func millionA() {
        var md5 = MD5()
        var remaining = 1_000_000
        var chunk = 1
        while remaining > 0 {
            let n = min(chunk, remaining)
            md5.update(repeatElement(UInt8(ascii: "a"), count: n))
            remaining -= n
            chunk = chunk % 131 + 7
        }
        #expect(MD5.hexString(md5.finalize()) == "7707d6ae4e027c70eea2a935c2296f21")
    }

    @Test("Lengths around the 56/64-byte padding edges agree between one-shot and byte-wise hashing")
    func paddingEdges() {
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var md5 = MD5()
            for b in bytes { md5.update([b]) }
            #expect(md5.finalize() == MD5.digest(bytes), "length \(length)")
        }
    }

    @Test("1000 bytes of a non-repeating pattern")
    func pattern() {
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        #expect(MD5.hex(bytes: bytes) == "a24f1e3ef66950e1327f210e3997ba2c")
    }

    @Test("Digest is 16 bytes, hex is 32 lowercase digits")
    func shapes() {
        #expect(MD5.digest([UInt8]()).count == 16)
        let hex = MD5.hex("x")
        #expect(hex.count == 32)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
