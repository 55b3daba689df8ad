import Foundation
import RTPMedia

/// Test signals and the codec round trip the tests share.
enum TestSignal {
    /// `count` samples of a sine at `frequency`, amplitude `amplitude`, from sample `start`.
    static func tone(_ frequency: Double, count: Int, rate: Int = 48000, amplitude: Double = 10000, start: Int = 0) -> [Int16] {
        (0..<count).map { Int16(amplitude * sin(2 * Double.pi * frequency * Double(start + $0) / Double(rate))) }
    }

    /// 20 ms frames of a continuous tone at 48 kHz.
    static func toneFrames(_ frequency: Double, frames: Int, amplitude: Double = 10000) -> [[Int16]] {
        (0..<frames).map { tone(frequency, count: 960, amplitude: amplitude, start: $0 * 960) }
    }

    /// The largest step between neighbouring samples.
    static func largestStep(_ samples: [Int16]) -> Int {
        zip(samples, samples.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
    }

    static func rms(_ samples: [Int16]) -> Double {
        samples.isEmpty ? 0 : (Goertzel.energy(of: samples) / Double(samples.count)).squareRoot()
    }
}

/// 48 kHz frames through a codec and back, the way the chains carry them.
struct CodecLoop {
    let codec: VoiceCodec
    let down: SampleRateConverter
    let up: SampleRateConverter
    let encoder: VoiceEncoder
    let decoder: VoiceDecoder

    init(_ codec: VoiceCodec) throws {
        self.codec = codec
        down = try SampleRateConverter(from: 48000, to: codec.sampleRate)
        up = try SampleRateConverter(from: codec.sampleRate, to: 48000)
        encoder = try codec.makeEncoder()
        decoder = try codec.makeDecoder()
    }

    func encode(_ frame48k: [Int16]) -> [UInt8] { encoder.encode(down.process(frame48k)) }
    func decode(_ payload: [UInt8]) -> [Int16] { up.process(decoder.decode(payload)) }
    func conceal() -> [Int16] { up.process(decoder.conceal()) }
}
