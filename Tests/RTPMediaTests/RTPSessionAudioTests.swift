import Foundation
import RTPMedia
import Synchronization
import Testing

/// 48 kHz frames of a sine, as a microphone would deliver them.
final class ToneMicrophone: Sendable {
    private let position = Mutex(0)
    let frequency: Double

    init(frequency: Double) { self.frequency = frequency }

    func frame() -> [Int16] {
        position.withLock { position in
            defer { position += ReceiveChain.samplesPerFrame }
            return (0..<ReceiveChain.samplesPerFrame).map { index in
                Int16(8000 * sin(2 * Double.pi * frequency * Double(position + index) / Double(ReceiveChain.outputRate)))
            }
        }
    }
}

@Suite("RTP sessions carrying sound on loopback")
struct RTPSessionAudioTests {
    static let opus = MediaStream(codec: .opus, payloadType: 111, telephoneEventPayloadType: 101)

    @Test("a 440 Hz microphone tone sent as Opus is heard from the far side's receive chain")
    func opusToneEndToEnd() async throws {
        try await withEventLoopGroup { group in
            let (alice, _) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            let microphone = ToneMicrophone(frequency: 440)
            try alice.start(remote: ("127.0.0.1", bob.localPort), stream: Self.opus, source: .capture { microphone.frame() })
            // Bob's playback is this test: nothing drains his chain but the pulls below.
            let receiver = try bob.start(remote: ("127.0.0.1", alice.localPort), stream: Self.opus, source: .capture { nil })
            #expect(await waitUntil { bobLog.count >= 5 })
            var heard: [Int16] = []
            for _ in 0..<60 {
                try await Task.sleep(for: .milliseconds(20))  // pacing like a device, nothing timed
                heard += receiver.nextFrame(at: .now)
            }
            await alice.close()
            await bob.close()
            let loud = stride(from: 0, to: heard.count, by: 960).map { Array(heard[$0..<min($0 + 960, heard.count)]) }
                .filter { Goertzel.energy(of: $0) > 1e3 }
            #expect(loud.count >= 20)
            // Frame by frame, so that a skip (a pull that came late on a loaded machine) only
            // spoils its own frame: most frames are the tone.
            let fractions = loud.map { Goertzel.fractionOfEnergy(at: 440, in: $0, sampleRate: 48000) }.sorted()
            let median = fractions[fractions.count / 2]
            #expect(median > 0.8, "440 Hz share of what Bob heard, median frame: \(median)")
            #expect(bobLog.all.allSatisfy { $0.payloadType == 111 })
        }
    }

    @Test("mute keeps packets flowing with silence in them; unmute brings the tone back")
    func muteSendsSilence() async throws {
        try await withEventLoopGroup { group in
            let (alice, _) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            let microphone = ToneMicrophone(frequency: 1000)
            try alice.start(remote: ("127.0.0.1", bob.localPort), stream: Self.opus, source: .capture { microphone.frame() })
            #expect(await waitUntil { bobLog.count >= 10 })
            alice.setMuted(true)
            let mutedFrom = bobLog.count + 5  // packets already on their way may still carry the tone
            #expect(await waitUntil { bobLog.count >= mutedFrom + 15 })
            alice.setMuted(false)
            let unmutedFrom = bobLog.count + 5
            #expect(await waitUntil { bobLog.count >= unmutedFrom + 15 })
            await alice.close()
            await bob.close()

            let packets = bobLog.all
            let decoder = try VoiceCodec.opus.makeDecoder()
            let decoded = packets.map { decoder.decode($0.payload) }
            let muted = decoded[mutedFrom..<mutedFrom + 15].flatMap { $0 }
            let unmuted = decoded[unmutedFrom + 5..<unmutedFrom + 15].flatMap { $0 }
            #expect(Goertzel.energy(of: muted) < 0.001 * Goertzel.energy(of: unmuted))
            #expect(Goertzel.fractionOfEnergy(at: 1000, in: unmuted, sampleRate: 48000) > 0.8)
            // One unbroken stream all along: mute never stops the packets.
            for (previous, packet) in zip(packets, packets.dropFirst()) {
                #expect(packet.sequenceNumber == previous.sequenceNumber &+ 1)
            }
        }
    }

    @Test("a digit goes as RFC 4733 events (marker first, end three times) and the far side reads it once")
    func dtmfEvents() async throws {
        try await withEventLoopGroup { group in
            let (alice, _) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            let receiver = try bob.start(remote: ("127.0.0.1", alice.localPort), stream: Self.opus, source: .capture { nil })
            try alice.start(remote: ("127.0.0.1", bob.localPort), stream: Self.opus, source: .capture { nil })
            #expect(alice.queueDigit("x") == false)
            #expect(alice.queueDigit("5"))
            #expect(await waitUntil { bobLog.all.filter { $0.payloadType == 101 }.count >= 8 })
            await alice.close()
            await bob.close()

            let events = bobLog.all.filter { $0.payloadType == 101 }
            let payloads = events.compactMap { TelephoneEventPayload(parsing: $0.payload) }
            #expect(payloads.allSatisfy { $0.event == 5 })
            #expect(events.first?.marker == true)
            #expect(Set(events.map(\.timestamp)).count == 1)
            #expect(payloads.filter(\.end).count == 3)
            #expect(receiver.takeDigits() == ["5"])
        }
    }

    @Test("without telephone-event a digit is refused (it goes by SIP INFO)")
    func noTelephoneEvent() async throws {
        try await withEventLoopGroup { group in
            let (alice, _) = try await openSession(group)
            #expect(alice.queueDigit("1") == false)  // not started
            try alice.start(remote: ("127.0.0.1", 9), stream: MediaStream(codec: .pcmu, payloadType: 0),
                            source: .audio(.silence))
            #expect(alice.queueDigit("1") == false)
            await alice.close()
        }
    }
}
