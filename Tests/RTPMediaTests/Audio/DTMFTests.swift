import SoftphoneCore
import Testing
@testable import RTPMedia

@Suite("RFC 4733 telephone-events: DTMF")
struct DTMFTests {
    @Test("the payload reads and writes its 4 octets")
    func payload() {
        let event = TelephoneEventPayload(event: 11, end: true, volume: 10, duration: 0x0320)
        #expect(event.bytes == [11, 0x8A, 0x03, 0x20])
        #expect(TelephoneEventPayload(parsing: event.bytes) == event)
        #expect(TelephoneEventPayload(parsing: [1, 2, 3]) == nil)
        #expect(TelephoneEventPayload(parsing: [5, 0x4A, 0, 160])?.end == false)  // R bit ignored
        #expect(TelephoneEventPayload(parsing: [5, 0x4A, 0, 160])?.volume == 10)
    }

    @Test("digits map to events 0–11, * is 10, # is 11")
    func codes() {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"]
        #expect(digits.map { DTMFEvent.code(of: $0) } == (0...11).map { UInt8($0) })
        #expect((0...11).map { DTMFEvent.character(of: UInt8($0)) } == digits)
        #expect(DTMFEvent.code(of: "x") == nil && DTMFEvent.code(of: " ") == nil)
        #expect(DTMFEvent.character(of: 16) == nil)
    }

    @Test("the sender's packets: marker first, start timestamp, growing duration, end ×3, then a gap")
    func senderSequence() {
        var sender = DTMFSender(frameSpan: 160)
        let queued = [sender.queue("5"), sender.queue("#"), sender.queue("x")]
        #expect(queued == [true, true, false])
        var timestamp: UInt32 = 1000
        var slots: [DTMFSender.Packet?] = []
        for _ in 0..<20 {
            slots.append(sender.next(timestamp: timestamp))
            timestamp &+= 160
        }
        func packet(_ event: UInt8, _ start: UInt32, _ duration: UInt16, end: Bool = false, marker: Bool = false) -> DTMFSender.Packet {
            DTMFSender.Packet(payload: TelephoneEventPayload(event: event, end: end, volume: 10, duration: duration),
                              timestamp: start, marker: marker)
        }
        let first: [DTMFSender.Packet?] = [
            packet(5, 1000, 160, marker: true), packet(5, 1000, 320), packet(5, 1000, 480), packet(5, 1000, 640),
            packet(5, 1000, 800), packet(5, 1000, 800, end: true), packet(5, 1000, 800, end: true),
            packet(5, 1000, 800, end: true), nil, nil,
        ]
        #expect(Array(slots[0..<10]) == first)
        // The second digit starts at slot 10, timestamp 1000 + 10·160.
        #expect(slots[10] == packet(11, 2600, 160, marker: true))
        #expect(slots[17] == packet(11, 2600, 800, end: true))
        #expect(slots[18] == nil && slots[19] == nil)
        #expect(sender.isIdle)
    }

    @Test("the receiver emits one digit per event despite repeats, end retransmissions and reordering")
    func receiver() {
        var sender = DTMFSender(frameSpan: 160)
        for digit in "19*#0" { _ = sender.queue(digit) }
        var packets: [DTMFSender.Packet] = []
        var timestamp: UInt32 = 0xFFFF_FF00  // wraps during the digits
        for _ in 0..<60 {
            if let packet = sender.next(timestamp: timestamp) { packets.append(packet) }
            timestamp &+= 160
        }
        // Duplicate every packet and swap neighbours within each event.
        var received: [DTMFSender.Packet] = []
        for pair in stride(from: 0, to: packets.count, by: 2) {
            let a = packets[pair]
            let b = pair + 1 < packets.count ? [packets[pair + 1]] : []
            received += b + [a, a] + b
        }
        var receiver = DTMFReceiver()
        var digits: [Character] = []
        for packet in received {
            if let digit = receiver.receive(packet.payload.bytes, timestamp: packet.timestamp) { digits.append(digit) }
        }
        #expect(String(digits) == "19*#0")
        let short = receiver.receive([1, 2], timestamp: 5)
        let notDTMF = receiver.receive([200, 0x80, 0, 160], timestamp: 6)
        #expect(short == nil && notDTMF == nil)
    }
}

@Suite("Tones and the Goertzel detector")
struct ToneTests {
    @Test("Goertzel: a pure tone is all at its frequency, nothing at another")
    func goertzel() {
        let tone = TestSignal.tone(1000, count: 4800)
        #expect(abs(Goertzel.fractionOfEnergy(at: 1000, in: tone, sampleRate: 48000) - 1) < 0.01)
        #expect(Goertzel.fractionOfEnergy(at: 440, in: tone, sampleRate: 48000) < 0.01)
        #expect(Goertzel.fractionOfEnergy(at: 440, in: [Int16](repeating: 0, count: 960), sampleRate: 48000) == 0)
    }

    @Test("ringback and ring: 440 + 480 Hz, 2 s on, 4 s off, by sample count", arguments: [ToneGenerator.Kind.ring, .ringback])
    func cadence(kind: ToneGenerator.Kind) {
        var generator = ToneGenerator(kind, sampleRate: 48000)
        let frames = (0..<600).map { _ in generator.nextFrame() }  // 12 s
        #expect(frames.allSatisfy { $0.count == 960 })
        let on = (0..<600).map { TestSignal.rms(frames[$0]) > 100 }
        #expect(on[0..<100].allSatisfy { $0 })
        #expect(on[100..<300].allSatisfy { !$0 })
        #expect(on[300..<400].allSatisfy { $0 })
        #expect(on[400..<600].allSatisfy { !$0 })
        let burst = Array(frames[10..<60].joined())  // 1 s: whole cycles of both
        let share = Goertzel.fractionOfEnergy(at: 440, in: burst, sampleRate: 48000)
            + Goertzel.fractionOfEnergy(at: 480, in: burst, sampleRate: 48000)
        #expect(share > 0.98)
        // The bursts fade in and out: no click at the edges.
        #expect(TestSignal.largestStep(Array(frames[99...100].joined())) < 2000)
        #expect(abs(Int(frames[0][0])) < 100)
    }

    @Test("a ring at 8 kHz has 160-sample frames")
    func otherRate() {
        var generator = ToneGenerator(.ring, sampleRate: 8000)
        let frame = generator.nextFrame()
        #expect(frame.count == 160)
        #expect(generator.position == 160)
    }
}
