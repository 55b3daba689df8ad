import SoftphoneCore
import Testing
import RTPMedia

@Suite("RTP parser fuzzing: no input traps")
struct RTPPacketFuzzTests {
    @Test("random bytes parse or throw, and what parses re-serialises consistently")
    func randomBytes() {
        var generator = SeededGenerator(seed: 0x5250_5446_555A_5A31)
        var parsedCount = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...64, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Bias half the inputs towards version 2 so the deeper checks get exercised.
            if !bytes.isEmpty, Bool.random(using: &generator) { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            guard let packet = try? RTPPacket(parsing: bytes) else { continue }
            parsedCount += 1
            // Re-serialising reproduces the input except for padding octets, which are zeroed.
            let again = packet.bytes
            #expect(again.count == bytes.count)
            #expect(again.prefix(bytes.count - Int(packet.paddingLength)) == bytes.prefix(bytes.count - Int(packet.paddingLength)))
            #expect((try? RTPPacket(parsing: again)) == packet)
        }
        #expect(parsedCount > 1000)
    }

    @Test("mutated valid packets parse or throw")
    func mutatedPackets() {
        var generator = SeededGenerator(seed: 42)
        let base = RTPPacket(payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [4, 5],
                             headerExtension: RTPHeaderExtension(profile: 0xBEDE, data: [1, 2, 3, 4]),
                             paddingLength: 4, payload: Array(repeating: 0xFF, count: 40)).bytes
        for _ in 0..<20_000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &generator) / 4)
            _ = try? RTPPacket(parsing: bytes)
        }
    }
}
