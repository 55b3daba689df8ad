import Foundation
import SoftphoneCore
import Testing
@testable import RTPMedia

@Suite("Voice codecs: Opus, G.722, G.711 over their libraries")
struct VoiceCodecTests {
    @Test("rates, frame sizes, SDP names and static payload types")
    func properties() {
        #expect(VoiceCodec.allCases.map(\.sampleRate) == [48000, 16000, 8000, 8000])
        #expect(VoiceCodec.allCases.map(\.rtpClockRate) == [48000, 8000, 8000, 8000])
        #expect(VoiceCodec.allCases.map(\.samplesPerFrame) == [960, 320, 160, 160])
        #expect(VoiceCodec.allCases.map(\.timestampsPerFrame) == [960, 160, 160, 160])
        #expect(VoiceCodec.allCases.map(\.sdpName) == ["opus", "G722", "PCMU", "PCMA"])
        #expect(VoiceCodec.allCases.map(\.staticPayloadType) == [nil, 9, 0, 8])
        #expect(VoiceCodec(sdpName: "OPUS") == .opus)
        #expect(VoiceCodec(sdpName: "g722") == .g722)
        #expect(VoiceCodec(sdpName: "pcmu") == .pcmu)
        #expect(VoiceCodec(sdpName: "PCMA") == .pcma)
        #expect(VoiceCodec(sdpName: "GSM") == nil)
        #expect(VoiceCodec(AudioCodec.pcma) == .pcma)
    }

    static let toneCases: [(VoiceCodec, Double)] = VoiceCodec.allCases.flatMap { [($0, 440.0), ($0, 1000.0)] }

    @Test("a tone through 48 kHz → codec rate → codec → 48 kHz keeps ≥ 90 % of its energy at its frequency",
          arguments: toneCases)
    func toneSurvives(codec: VoiceCodec, frequency: Double) throws {
        let loop = try CodecLoop(codec)
        var decoded: [Int16] = []
        for frame in TestSignal.toneFrames(frequency, frames: 50) {
            let payload = loop.encode(frame)
            #expect(!payload.isEmpty)
            decoded += loop.decode(payload)
        }
        #expect(decoded.count == 50 * 960)
        // Half a second after the codecs' start-up: 220 or 500 whole cycles.
        let window = Array(decoded[(decoded.count - 24000)...])
        let fraction = Goertzel.fractionOfEnergy(at: frequency, in: window, sampleRate: 48000)
        #expect(fraction >= 0.9, "\(codec) \(frequency) Hz: \(fraction)")
    }

    @Test("payload sizes: G.711 one octet per sample, G.722 one per two, Opus about 32 kbit/s")
    func payloadSizes() throws {
        for codec in VoiceCodec.allCases {
            let encoder = try codec.makeEncoder()
            let frame = TestSignal.tone(440, count: codec.samplesPerFrame, rate: codec.sampleRate)
            let size = encoder.encode(frame).count
            switch codec {
            case .pcmu, .pcma: #expect(size == 160)
            case .g722: #expect(size == 160)
            case .opus: #expect(size > 10 && size < 200)
            }
        }
    }

    @Test("loss concealment fills a missing frame without a gap or a click", arguments: VoiceCodec.allCases)
    func concealment(codec: VoiceCodec) throws {
        let loop = try CodecLoop(codec)
        let frames = TestSignal.toneFrames(440, frames: 30)
        var output: [[Int16]] = []
        for (index, frame) in frames.enumerated() {
            let payload = loop.encode(frame)
            output.append(index == 25 ? loop.conceal() : loop.decode(payload))
        }
        let concealed = output[25]
        #expect(concealed.count == 960)
        let reference = TestSignal.rms(output[24])
        // No silence gap: the concealed frame carries on at a good part of the level.
        #expect(TestSignal.rms(concealed) > 0.3 * reference, "\(codec): \(TestSignal.rms(concealed)) vs \(reference)")
        // No click: around the lost frame, no step is far beyond the tone's own steepest one.
        let around = output[24] + concealed + output[26]
        let steepest = TestSignal.largestStep(output[20])
        #expect(TestSignal.largestStep(around) <= 3 * steepest + 200, "\(codec): \(TestSignal.largestStep(around)) vs \(steepest)")
    }

    @Test("Opus recovers a lost frame from the next packet's in-band FEC")
    func opusFEC() throws {
        let loop = try CodecLoop(.opus)
        // The encoder needs loss expected (5 %) and some history before it spends bits on FEC.
        let frames = TestSignal.toneFrames(440, frames: 40)
        let payloads = frames.map(loop.encode)
        for payload in payloads[..<30] { _ = loop.decode(payload) }
        let recovered = loop.up.process(loop.decoder.decodeFEC(next: payloads[31]))
        #expect(recovered.count == 960)
        #expect(TestSignal.rms(recovered) > 0.3 * TestSignal.rms(frames[30]))
    }

    @Test("malformed or random payloads decode to a frame of audio, never a crash", arguments: VoiceCodec.allCases)
    func fuzzDecoders(codec: VoiceCodec) throws {
        let decoder = try codec.makeDecoder()
        var random = SeededGenerator(seed: 11)
        #expect(decoder.decode([]).count == codec.samplesPerFrame)
        for _ in 0..<500 {
            let length = Int.random(in: 0...1600, using: &random)
            let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let pcm = decoder.decode(payload)
            #expect(!pcm.isEmpty)
            if Bool.random(using: &random) { #expect(decoder.conceal().count == codec.samplesPerFrame) }
            if codec == .opus { #expect(!decoder.decodeFEC(next: payload).isEmpty) }
        }
    }

    @Test("CPU time of one second of Opus, encoded and decoded (reported, not asserted)")
    func opusCPU() throws {
        let loop = try CodecLoop(.opus)
        let frames = TestSignal.toneFrames(440, frames: 50)
        let encoder = loop.encoder
        let decoder = loop.decoder
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for frame in frames { _ = decoder.decode(encoder.encode(frame)) }
        }
        print("Opus encode+decode of 1 s of 48 kHz audio: \(elapsed)")
    }
}

@Suite("speexdsp's resampler")
struct SampleRateConverterTests {
    @Test("frames in whole ratios come out scaled exactly, frame after frame")
    func wholeRatios() throws {
        let up = try SampleRateConverter(from: 8000, to: 48000)
        let down = try SampleRateConverter(from: 48000, to: 16000)
        for _ in 0..<10 {
            #expect(up.process([Int16](repeating: 100, count: 160)).count == 960)
            #expect(down.process([Int16](repeating: 100, count: 960)).count == 320)
        }
        let same = try SampleRateConverter(from: 8000, to: 8000)
        #expect(same.process([1, 2, 3]) == [1, 2, 3])
    }

    @Test("a 1 kHz tone keeps its frequency from 8 to 48 kHz")
    func toneUp() throws {
        let up = try SampleRateConverter(from: 8000, to: 48000)
        var out: [Int16] = []
        for index in 0..<25 { out += up.process(TestSignal.tone(1000, count: 160, rate: 8000, start: index * 160)) }
        let window = Array(out[(out.count - 9600)...])
        #expect(Goertzel.fractionOfEnergy(at: 1000, in: window, sampleRate: 48000) > 0.97)
    }

    @Test("rates speexdsp cannot take are an error, not a crash")
    func badRates() {
        #expect(throws: VoiceCodecError.self) { try SampleRateConverter(from: 0, to: 8000) }
        #expect(throws: VoiceCodecError.self) { try SampleRateConverter(from: 8000, to: -1) }
    }
}
