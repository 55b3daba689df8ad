import SoftphoneCore
import Testing
@testable import RTPMedia

@Suite("Send and receive chains")
struct ChainTests {
    static func sendChain(_ codec: VoiceCodec, telephoneEvent: UInt8? = 101) throws -> SendChain {
        try SendChain(codec: codec, payloadType: codec.staticPayloadType ?? 111, telephoneEventPayloadType: telephoneEvent,
                      ssrc: 0x1234, sequence: 65530, timestamp: 0xFFFF_FF00)
    }

    static func receiveChain(_ codec: VoiceCodec) throws -> ReceiveChain {
        try ReceiveChain(codec: codec, payloadType: codec.staticPayloadType ?? 111, telephoneEventPayloadType: 101)
    }

    @Test("a 440 Hz tone goes from one chain to the other and is heard", arguments: VoiceCodec.allCases)
    func endToEnd(codec: VoiceCodec) throws {
        var send = try Self.sendChain(codec)
        let receive = try Self.receiveChain(codec)
        let start = ContinuousClock.now
        var heard: [Int16] = []
        for (index, frame) in TestSignal.toneFrames(440, frames: 60).enumerated() {
            let now = start.advanced(by: .milliseconds(20 * index))
            let packetSent = send.frame(frame)
            let packet = try #require(packetSent)
            #expect(packet.payloadType == (codec.staticPayloadType ?? 111))
            #expect(packet.marker == (index == 0))
            #expect(packet.sequenceNumber == UInt16(truncatingIfNeeded: 65530 + index))
            #expect(packet.timestamp == 0xFFFF_FF00 &+ UInt32(index * codec.timestampsPerFrame))
            receive.put(packet, arrival: now)
            let played = receive.nextFrame(at: now.advanced(by: .milliseconds(5)))
            #expect(played.count == 960)
            heard += played
        }
        let window = Array(heard[(heard.count - 24000)...])
        #expect(Goertzel.fractionOfEnergy(at: 440, in: window, sampleRate: 48000) >= 0.9)
        let stats = receive.stats
        #expect(stats.framesPlayed == 60)
        #expect(stats.framesDecoded >= 55)
        #expect(stats.packetsLate == 0)
        #expect(stats.delayMedian != nil && stats.delayMedian! >= 5 && stats.delayMedian! <= 65)
        #expect(stats.delayP99 != nil && stats.delayP99! <= 65)
    }

    @Test("muted: packets keep flowing and carry silence", arguments: VoiceCodec.allCases)
    func muted(codec: VoiceCodec) throws {
        var send = try Self.sendChain(codec)
        let receive = try Self.receiveChain(codec)
        send.muted = true
        let start = ContinuousClock.now
        var heard: [Int16] = []
        for (index, frame) in TestSignal.toneFrames(440, frames: 30).enumerated() {
            let packetSent = send.frame(frame)
            let packet = try #require(packetSent)
            #expect(!packet.payload.isEmpty)
            receive.put(packet, arrival: start.advanced(by: .milliseconds(20 * index)))
            heard += receive.nextFrame(at: start.advanced(by: .milliseconds(20 * index + 1)))
        }
        #expect(TestSignal.rms(Array(heard.suffix(9600))) < 50)
        send.muted = false
        var unmuted: [Int16] = []
        for (index, frame) in TestSignal.toneFrames(440, frames: 30).enumerated() {
            let packetSent = send.frame(frame)
            let packet = try #require(packetSent)
            receive.put(packet, arrival: start.advanced(by: .milliseconds(600 + 20 * index)))
            unmuted += receive.nextFrame(at: start.advanced(by: .milliseconds(600 + 20 * index + 1)))
        }
        #expect(TestSignal.rms(Array(unmuted.suffix(9600))) > 1000)
    }

    @Test("a hold slot sends nothing, advances the timestamp and marks the next packet")
    func hold() throws {
        var send = try Self.sendChain(.pcmu)
        let silence = [Int16](repeating: 0, count: 960)
        let firstSent = send.frame(silence)
        let first = try #require(firstSent)
        let hold1 = send.frame(nil)
        let hold2 = send.frame(nil)
        #expect(hold1 == nil && hold2 == nil)
        let nextSent = send.frame(silence)
        let next = try #require(nextSent)
        #expect(next.marker)
        #expect(next.sequenceNumber == first.sequenceNumber &+ 1)
        #expect(next.timestamp == first.timestamp &+ 480)
        #expect(next.payload == [UInt8](repeating: 0xFF, count: 160))
    }

    @Test("DTMF through the chains: event packets replace audio, the far side gets the digits")
    func dtmf() throws {
        var send = try Self.sendChain(.opus)
        let receive = try Self.receiveChain(.opus)
        let queued = [send.queueDigit("7"), send.queueDigit("*"), send.queueDigit("q")]
        #expect(queued == [true, true, false])
        let start = ContinuousClock.now
        var eventPackets: [RTPPacket] = []
        for index in 0..<25 {
            let packetSent = send.frame(TestSignal.tone(440, count: 960, start: index * 960))
            let packet = try #require(packetSent)
            if packet.payloadType == 101 { eventPackets.append(packet) }
            receive.put(packet, arrival: start.advanced(by: .milliseconds(20 * index)))
            _ = receive.nextFrame(at: start.advanced(by: .milliseconds(20 * index)))
        }
        #expect(eventPackets.count == 16)
        #expect(eventPackets[0].marker && eventPackets[8].marker)
        #expect(eventPackets.filter(\.marker).count == 2)
        // At 48 kHz the duration grows by 960 per slot.
        #expect(TelephoneEventPayload(parsing: eventPackets[4].payload)?.duration == 4800)
        #expect(receive.takeDigits() == ["7", "*"])
        #expect(receive.takeDigits().isEmpty)
        #expect(send.dtmfIdle)

        var noEvents = try Self.sendChain(.pcma, telephoneEvent: nil)
        let refused = noEvents.queueDigit("1")
        #expect(!refused)
    }

    @Test("other payload types are ignored and counted; a new SSRC starts over")
    func ignoredAndNewStream() throws {
        let receive = try Self.receiveChain(.pcmu)
        let now = ContinuousClock.now
        receive.put(RTPPacket(payloadType: 13, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: [0]), arrival: now)
        #expect(receive.stats.packetsIgnored == 1)
        #expect(receive.nextFrame(at: now) == [Int16](repeating: 0, count: 960))
        for k in 0..<10 {
            receive.put(RTPPacket(payloadType: 0, sequenceNumber: UInt16(k), timestamp: UInt32(160 * k), ssrc: 1,
                                  payload: [UInt8](repeating: 0x80, count: 160)), arrival: now)
            _ = receive.nextFrame(at: now)
        }
        for k in 0..<10 {
            receive.put(RTPPacket(payloadType: 0, sequenceNumber: UInt16(k), timestamp: 999_999 + UInt32(160 * k), ssrc: 2,
                                  payload: [UInt8](repeating: 0x80, count: 160)), arrival: now)
            _ = receive.nextFrame(at: now)
        }
        #expect(receive.stats.framesDecoded >= 17)
    }

    @Test("a lost packet is concealed for a while, then silence")
    func concealThenSilence() throws {
        var send = try Self.sendChain(.g722)
        let receive = try Self.receiveChain(.g722)
        let start = ContinuousClock.now
        var frames: [[Int16]] = []
        for index in 0..<40 {
            let packetSent = send.frame(TestSignal.tone(440, count: 960, start: index * 960))
            let packet = try #require(packetSent)
            if index < 20 { receive.put(packet, arrival: start) }
            frames.append(receive.nextFrame(at: start))
        }
        let stats = receive.stats
        #expect(stats.framesConcealed == ReceiveChain.maximumConcealedFrames)
        #expect(TestSignal.rms(frames.last!) == 0)
    }

    @Test("Opus: a lost packet whose successor is already buffered is recovered by in-band FEC")
    func opusFECRecovery() throws {
        var send = try Self.sendChain(.opus)
        let receive = try Self.receiveChain(.opus)
        let start = ContinuousClock.now
        var packets: [RTPPacket] = []
        for index in 0..<60 {
            let sent = send.frame(TestSignal.tone(440, count: 960, start: index * 960))
            packets.append(try #require(sent))
        }
        // Packets arrive two slots ahead of their play-out; packet 40 never does.
        var heard: [Int16] = []
        for slot in 0..<60 {
            for index in [slot, slot + 1] where index < 60 && index != 40 && (slot == 0 || index == slot + 1) {
                receive.put(packets[index], arrival: start.advanced(by: .milliseconds(20 * slot)))
            }
            heard += receive.nextFrame(at: start.advanced(by: .milliseconds(20 * slot + 10)))
        }
        let stats = receive.stats
        #expect(stats.packetsLost >= 1)
        #expect(stats.framesRecovered == 1)
        // The recovered frame is sound (FEC is a coarser copy), and the tone carries on after it.
        let frame = { (slot: Int) in Array(heard[(slot * 960)..<(slot * 960 + 960)]) }
        #expect(TestSignal.rms(frame(40)) > 0.3 * TestSignal.rms(frame(30)))
        let after = Array(heard[(46 * 960)..<(56 * 960)])
        #expect(Goertzel.fractionOfEnergy(at: 440, in: after, sampleRate: 48000) >= 0.9)
    }

    @Test("random packets never crash the receive chain", arguments: VoiceCodec.allCases)
    func fuzz(codec: VoiceCodec) throws {
        let receive = try Self.receiveChain(codec)
        var random = SeededGenerator(seed: 4733)
        let now = ContinuousClock.now
        for _ in 0..<400 {
            let payload = (0..<Int.random(in: 0...1400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let payloadType: UInt8 = [codec.staticPayloadType ?? 111, 101, 13].randomElement(using: &random)!
            let packet = RTPPacket(payloadType: payloadType, sequenceNumber: .random(in: 0...65535, using: &random),
                                   timestamp: .random(in: 0...UInt32.max, using: &random),
                                   ssrc: .random(in: 0...3, using: &random), payload: payload)
            receive.put(packet, arrival: now)
            if Bool.random(using: &random) { #expect(receive.nextFrame(at: now).count == 960) }
        }
        _ = receive.takeDigits()
        _ = receive.stats
    }
}
