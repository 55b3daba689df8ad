import SoftphoneCore
import Testing
@testable import RTPMedia

/// A stream of 20 ms packets through the jitter buffer on virtual time, in milliseconds.
///
/// Packet k is sent at 20·k ms with timestamp 160·k and carries k in its payload; it arrives at
/// `arrival(k)` (nil: lost). Every 20 ms the player takes one frame; for each packet played the
/// delay is the time from its sending to its playing.
struct JitterSimulation {
    var packets = 500
    var arrival: (Int) -> Int? = { 20 * $0 }

    struct Outcome {
        /// Packet numbers in the order played.
        var played: [Int] = []
        /// The delay of each played packet, ms, in the order played.
        var delays: [Int] = []
        var missing = 0
        var insertions = 0
        var late = 0
        var duplicatesPlayed: Int { played.count - Set(played).count }
    }

    func run(extraPuts: [(time: Int, packet: Int)] = []) throws -> Outcome {
        let buffer = try JitterBuffer(frameSpan: 160)
        var deliveries = (0..<packets).compactMap { k in arrival(k).map { (time: $0, packet: k) } } + extraPuts
        deliveries.sort { $0.time < $1.time }
        var next = 0
        var outcome = Outcome()
        let end = 20 * packets + 1000
        var now = 0
        while now <= end {
            while next < deliveries.count, deliveries[next].time <= now {
                let k = deliveries[next].packet
                buffer.put([UInt8(k & 0xFF), UInt8(k >> 8)], timestamp: UInt32(160 * k), sequence: UInt16(k))
                next += 1
            }
            switch buffer.get() {
            case .packet(let payload, let timestamp):
                let k = Int(payload[0]) | Int(payload[1]) << 8
                #expect(timestamp == UInt32(160 * k))
                outcome.played.append(k)
                outcome.delays.append(now - 20 * k)
            case .missing: outcome.missing += 1
            case .insertion: outcome.insertions += 1
            case .empty: break
            }
            now += 20
        }
        outcome.late = buffer.latePackets
        return outcome
    }
}

@Suite("Jitter buffer (speexdsp) on virtual time")
struct JitterBufferTests {
    @Test("in order and on time: every packet played once, in order, at a small steady delay")
    func inOrder() throws {
        let outcome = try JitterSimulation().run()
        #expect(outcome.played == Array(0..<500))
        #expect(outcome.late == 0)
        #expect(outcome.delays.max()! <= 60)
        #expect(Set(outcome.delays.suffix(400)).count == 1)
    }

    @Test("reordered pairs: every packet played once, in order")
    func reordered() throws {
        var simulation = JitterSimulation()
        // Every fifth packet arrives 25 ms late, after its successor.
        simulation.arrival = { k in 20 * k + (k % 5 == 2 ? 25 : 1) }
        let outcome = try simulation.run()
        #expect(outcome.played.count >= 495)
        #expect(outcome.played == outcome.played.sorted())
        #expect(outcome.duplicatesPlayed == 0)
        #expect(outcome.delays.suffix(400).max()! <= 80)
    }

    @Test("duplicated packets are played once")
    func duplicates() throws {
        let duplicates = (0..<500).filter { $0 % 3 == 0 }.map { (time: 20 * $0 + 7, packet: $0) }
        let outcome = try JitterSimulation().run(extraPuts: duplicates)
        #expect(outcome.played == Array(0..<500))
        #expect(outcome.duplicatesPlayed == 0)
    }

    @Test("5 % random loss: the lost slots are concealed and the delay stays put")
    func randomLoss() throws {
        var random = SeededGenerator(seed: 5)
        let lost = Set((0..<500).filter { _ in Double.random(in: 0..<1, using: &random) < 0.05 })
        var simulation = JitterSimulation()
        simulation.arrival = { k in lost.contains(k) ? nil : 20 * k }
        let outcome = try simulation.run()
        #expect(Set(outcome.played) == Set(0..<500).subtracting(lost))
        #expect(outcome.missing >= lost.count)
        #expect(outcome.delays.max()! <= 60)
    }

    @Test("40 ms of jitter: bounded delay, few late packets, order kept")
    func jitter() throws {
        var random = SeededGenerator(seed: 40)
        let offsets = (0..<1500).map { _ in Int.random(in: 0...40, using: &random) }
        var simulation = JitterSimulation()
        simulation.packets = 1500
        simulation.arrival = { k in 20 * k + offsets[k] }
        let outcome = try simulation.run()
        #expect(outcome.played == outcome.played.sorted())
        #expect(outcome.late <= 1500 / 20)
        #expect(outcome.played.count >= 1500 - 1500 / 20)
        #expect(outcome.delays.suffix(1000).max()! <= 140)
        let steady = outcome.delays.suffix(1000).sorted()
        print("jitter buffer, 40 ms jitter: send → play delay median \(steady[500]) ms, max \(steady.last!) ms, late \(outcome.late)")
    }

    @Test("a 200 ms outage (lost) does not move the delay")
    func outageLost() throws {
        var simulation = JitterSimulation()
        simulation.arrival = { k in (200..<210).contains(k) ? nil : 20 * k }
        let outcome = try simulation.run()
        let before = outcome.delays[150]
        #expect(outcome.missing >= 10)
        #expect(outcome.delays.suffix(200).allSatisfy { $0 == before })
    }

    @Test("a 200 ms outage that then arrives as a burst: the delay comes back down")
    func outageBurst() throws {
        var simulation = JitterSimulation()
        simulation.packets = 1000
        // Packets 200..209 are held up and arrive together with packet 210.
        simulation.arrival = { k in (200..<210).contains(k) ? 20 * 210 : 20 * k }
        let outcome = try simulation.run()
        #expect(outcome.played == outcome.played.sorted())
        #expect(outcome.delays.max()! <= 260)
        #expect(outcome.delays.suffix(300).max()! <= 100)
    }

    @Test("a packet far behind the playout point is counted late and dropped")
    func late() throws {
        let buffer = try JitterBuffer(frameSpan: 160)
        for k in 0..<20 {
            buffer.put([UInt8(k)], timestamp: UInt32(160 * k))
            _ = buffer.get()
        }
        buffer.put([99], timestamp: 160 * 2)
        #expect(buffer.latePackets == 1)
    }

    @Test("before any packet the buffer is empty; after a reset too")
    func empty() throws {
        let buffer = try JitterBuffer(frameSpan: 960)
        #expect(buffer.get() == .empty)
        buffer.put([1], timestamp: 1000)
        buffer.reset()
        #expect(buffer.get() == .empty)
    }
}
