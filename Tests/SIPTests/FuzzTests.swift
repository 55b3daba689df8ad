import Testing
@testable import SIP

/// Deterministic SplitMix64, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Mutation fuzzing")
struct FuzzTests {
    static let interesting: [UInt8] = Array(" \t\r\n:;,=<>\"\\%@/?0123456789-*".utf8) + [0, 0x7F, 0x80, 0xC3, 0xFF, 0xE2]

    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !bytes.isEmpty else { bytes = [UInt8.random(in: 0...255, using: &rng)]; continue }
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1: bytes[i] = interesting.randomElement(using: &rng) ?? 0
            case 2: bytes.removeSubrange(i...)
            case 3: bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in interesting.randomElement(using: &rng) ?? 0 }, at: i)
            case 4: bytes.remove(at: i)
            default:
                // Duplicate a random span (repeated headers, long values, huge numbers).
                let j = Int.random(in: i..<bytes.count, using: &rng)
                bytes.insert(contentsOf: bytes[i...min(j, i + 64)], at: i)
            }
        }
        return bytes
    }

    /// Exercises every typed accessor; none may trap.
    static func touch(_ m: SIPMessage) {
        let h = m.headers
        _ = try? h.via; _ = try? h.from; _ = try? h.to; _ = try? h.cseq; _ = try? h.maxForwards
        _ = try? h.contentLength; _ = try? h.contentType; _ = try? h.expires; _ = try? h.contact
        _ = try? h.routes; _ = try? h.recordRoutes; _ = try? h.referTo
        for name in ["via", "contact", "allow", "supported"] { _ = h.values(HeaderName(name)) }
        _ = m.bytes
        if let r = m.request { _ = SIPResponse(replyingTo: r, status: 200, toTag: "x").bytes; _ = r.uri.decodedUser }
    }

    @Test func mutatedInvitesNeverCrash() throws {
        var rng = SplitMix64(state: 0x5EED_5151)
        var accepted = 0, rejected = 0
        let seeds = [sampleInvite, try torture("wsinv"), try torture("intmeth"), try torture("esc01"), try torture("mpart01")]
        for n in 0..<4000 {
            let input = Self.mutate(seeds[n % seeds.count], &rng)
            do {
                let m = try SIPParser.parse(input)
                Self.touch(m)
                accepted += 1
            } catch {
                #expect(!error.reason.isEmpty)
                _ = error.badRequestResponse()?.bytes
                rejected += 1
            }
            // Feed the same bytes to a stream framer in two random pieces.
            var framer = SIPStreamFramer(maximumMessageSize: 4096)
            let cut = input.isEmpty ? 0 : Int.random(in: 0...input.count, using: &rng)
            framer.append(input[..<cut])
            while let m = try? framer.next() { Self.touch(m) }
            framer.append(input[cut...])
            for _ in 0..<4 { if let m = try? framer.next() { Self.touch(m) } }
        }
        #expect(accepted + rejected == 4000)
        #expect(accepted > 0 && rejected > 0)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(state: 42)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in
                Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : (Self.interesting.randomElement(using: &rng) ?? 0)
            }
            _ = try? SIPParser.parse(bytes)
            _ = try? SIPParser.parse(Array("INVITE sip:a@b SIP/2.0\r\n".utf8) + bytes)
            _ = SIPURI(String(decoding: bytes, as: UTF8.self))
            _ = try? NameAddress(parsing: String(decoding: bytes, as: UTF8.self))
            _ = try? Via(parsing: String(decoding: bytes, as: UTF8.self))
        }
    }
}
