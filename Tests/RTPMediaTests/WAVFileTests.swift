import SoftphoneCore
import Foundation
import Testing
import RTPMedia

@Suite("WAV files as audio sources")
struct WAVFileTests {
    @Test("16-bit mono 8 kHz is taken as is")
    func pcm16Mono8k() throws {
        let samples: [Int16] = [0, 1000, -1000, 32767, -32768, 12345]
        let wav = try WAVFile(bytes: WAVBuilder(data: WAVBuilder.pcm16(samples)).bytes)
        #expect(wav.samples == samples)
        #expect(wav.format == WAVFormat(encoding: .pcm, channels: 1, sampleRate: 8000, bitsPerSample: 16))
    }

    @Test("stereo 44.1 kHz is mixed to mono and resampled to 8 kHz")
    func stereo44k() throws {
        // One second of a 400 Hz tone in the left channel and its inverse plus 2000 in the right.
        let frames = 44100
        var interleaved: [Int16] = []
        for index in 0..<frames {
            let tone = Int16(8000 * sin(2 * Double.pi * 400 * Double(index) / 44100))
            interleaved += [tone + 4000, -tone]
        }
        let builder = WAVBuilder(channels: 2, sampleRate: 44100, data: WAVBuilder.pcm16(interleaved))
        let wav = try WAVFile(bytes: builder.bytes)
        #expect(wav.samples.count == 8000)
        #expect(wav.duration == 1.0)
        // (tone + 4000 - tone) / 2 is a constant 2000; smoothing and interpolation keep it.
        #expect(wav.samples.allSatisfy { abs(Int($0) - 2000) <= 1 })
    }

    @Test("a 44.1 kHz tone keeps its frequency and most of its level at 8 kHz")
    func resampledTone() throws {
        var samples: [Int16] = []
        for index in 0..<44100 {
            samples.append(Int16(10000 * sin(2 * Double.pi * 500 * Double(index) / 44100)))
        }
        let wav = try WAVFile(bytes: WAVBuilder(sampleRate: 44100, data: WAVBuilder.pcm16(samples)).bytes)
        #expect(wav.samples.count == 8000)
        // Compare with the ideal 500 Hz tone at 8 kHz.
        var errorEnergy = 0.0
        var signalEnergy = 0.0
        for (index, sample) in wav.samples.enumerated() {
            let ideal = 10000 * sin(2 * Double.pi * 500 * Double(index) / 8000)
            errorEnergy += (Double(sample) - ideal) * (Double(sample) - ideal)
            signalEnergy += ideal * ideal
        }
        #expect(errorEnergy / signalEnergy < 0.05)
    }

    @Test("8-bit PCM is unsigned with 128 as zero")
    func pcm8() throws {
        let wav = try WAVFile(bytes: WAVBuilder(bitsPerSample: 8, data: [128, 255, 0, 192]).bytes)
        #expect(wav.samples == [0, 127 << 8, -32768, 64 << 8])
    }

    @Test("24- and 32-bit PCM keep the top 16 bits")
    func widePCM() throws {
        let wav24 = try WAVFile(bytes: WAVBuilder(bitsPerSample: 24, data: [0xFF, 0x34, 0x12, 0x00, 0x00, 0x80]).bytes)
        #expect(wav24.samples == [0x1234, Int16.min])
        let wav32 = try WAVFile(bytes: WAVBuilder(bitsPerSample: 32, data: [0xFF, 0xFF, 0xCE, 0xFF]).bytes)
        #expect(wav32.samples == [-50])
    }

    @Test("µ-law and A-law 8 kHz decode with G.711")
    func companded() throws {
        let muLaw = try WAVFile(bytes: WAVBuilder(formatTag: 7, bitsPerSample: 8, data: [0xFF, 0xCE, 0x00]).bytes)
        #expect(muLaw.samples == [0, 988, -32124])
        #expect(muLaw.format.encoding == .muLaw)
        let aLaw = try WAVFile(bytes: WAVBuilder(formatTag: 6, bitsPerSample: 8, data: [0xD5, 0xAA]).bytes)
        #expect(aLaw.samples == [8, 32256])
        #expect(aLaw.format.encoding == .aLaw)
    }

    @Test("WAVE_FORMAT_EXTENSIBLE, other chunks before 'fmt ', odd chunk sizes and a partial last frame")
    func layoutVariants() throws {
        var builder = WAVBuilder(channels: 2, data: WAVBuilder.pcm16([100, 300, -100, -300]) + [0x01, 0x02, 0x03])
        builder.extensible = true
        builder.leadingChunks = [("LIST", Array("INFOjunk!".utf8))]
        let wav = try WAVFile(bytes: builder.bytes)
        #expect(wav.samples == [200, -200])
    }

    @Test("a data size of 0xFFFFFFFF (streamed file) means the rest of the file")
    func streamedSize() throws {
        var builder = WAVBuilder(data: WAVBuilder.pcm16([1, 2, 3]))
        builder.declaredDataSize = 0xFFFF_FFFF
        #expect(try WAVFile(bytes: builder.bytes).samples == [1, 2, 3])
    }

    static let broken: [(name: String, bytes: [UInt8], error: WAVError)] = {
        let good = WAVBuilder(data: WAVBuilder.pcm16([1, 2, 3, 4])).bytes
        var noData = Array(good.prefix(36))  // RIFF header, WAVE and the 'fmt ' chunk only
        noData.replaceSubrange(4..<8, with: [28, 0, 0, 0])
        var onlyData: [UInt8] = Array("RIFF".utf8) + [12, 0, 0, 0] + Array("WAVE".utf8)
        onlyData.appendChunk("data", [0, 0])
        var oversized = WAVBuilder(data: WAVBuilder.pcm16([1, 2]))
        oversized.declaredDataSize = 1000
        return [
            ("empty file", [], .notWAV),
            ("text", Array("hello, world, this is not audio".utf8), .notWAV),
            ("RIFF but not WAVE", Array("RIFF".utf8) + [4, 0, 0, 0] + Array("AVI ".utf8), .notWAV),
            ("cut inside the RIFF header", Array(good.prefix(10)), .truncated("RIFF header")),
            ("cut inside a chunk header", Array(good.prefix(16)), .truncated("chunk header at offset 12")),
            ("cut inside the fmt chunk", Array(good.prefix(30)), .truncated("'fmt ' chunk declares 16 octets, 10 present")),
            ("cut inside the data", Array(good.prefix(good.count - 3)), .truncated("'data' chunk declares 8 octets, 5 present")),
            ("data size beyond the file", oversized.bytes, .truncated("'data' chunk declares 1000 octets, 4 present")),
            ("no data chunk", noData, .missingChunk("data")),
            ("no fmt chunk", onlyData, .missingChunk("fmt ")),
            ("IEEE float", WAVBuilder(formatTag: 3, bitsPerSample: 32, data: [0, 0, 0, 0]).bytes,
             .unsupportedEncoding(formatTag: 3)),
            ("MP3", WAVBuilder(formatTag: 0x55, data: [0, 0]).bytes, .unsupportedEncoding(formatTag: 0x55)),
            ("12-bit PCM", WAVBuilder(bitsPerSample: 12, data: [0, 0]).bytes,
             .unsupportedSampleSize(bits: 12, encoding: "PCM")),
            ("16-bit µ-law", WAVBuilder(formatTag: 7, bitsPerSample: 16, data: [0, 0]).bytes,
             .unsupportedSampleSize(bits: 16, encoding: "µ-law")),
            ("no channels", WAVBuilder(channels: 0, data: [0, 0]).bytes, .invalidFormat("0 channels")),
            ("sample rate 0", WAVBuilder(sampleRate: 0, data: [0, 0]).bytes, .invalidFormat("sample rate 0")),
            ("no samples", WAVBuilder(data: []).bytes, .noSamples),
            ("a single byte of 16-bit data", WAVBuilder(data: [7]).bytes, .noSamples),
        ]
    }()

    @Test("broken and unsupported files give the matching error", arguments: broken.indices)
    func brokenFiles(index: Int) {
        let entry = Self.broken[index]
        #expect(throws: entry.error, "\(entry.name)") { try WAVFile(bytes: entry.bytes) }
        #expect(!entry.error.description.isEmpty)
    }

    @Test("error descriptions say what is wrong")
    func descriptions() {
        #expect(WAVError.unsupportedEncoding(formatTag: 3).description.contains("IEEE float"))
        #expect(WAVError.truncated("RIFF header").description == "WAV file is truncated: RIFF header")
        #expect(WAVError.notWAV.description.contains("RIFF/WAVE"))
    }

    @Test("truncating a valid file anywhere, or corrupting it, never traps")
    func fuzz() {
        var generator = SeededGenerator(seed: 7)
        var builder = WAVBuilder(channels: 2, sampleRate: 11025, data: WAVBuilder.pcm16((0..<400).map { Int16($0 * 50) }))
        builder.leadingChunks = [("LIST", [1, 2, 3])]
        let good = builder.bytes
        for length in 0...good.count {
            _ = try? WAVFile(bytes: good.prefix(length))
        }
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                // Mostly hit the headers, where sizes and formats live.
                let index = Int.random(in: 0..<min(bytes.count, 80), using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? WAVFile(bytes: bytes)
        }
    }

    @Test("reading from disk, and a missing file giving an unreadable error")
    func files() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtpmedia-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tone.wav").path
        try Data(WAVBuilder(data: WAVBuilder.pcm16([5, 6, 7])).bytes).write(to: URL(fileURLWithPath: path))
        #expect(try WAVFile(contentsOfFile: path).samples == [5, 6, 7])

        let missing = directory.appendingPathComponent("missing.wav").path
        #expect(throws: WAVError.unreadable(path: missing, reason: "No such file or directory")) {
            try WAVFile(contentsOfFile: missing)
        }
        #expect(throws: WAVError.unreadable(path: directory.path, reason: "not a regular file")) {
            try WAVFile(contentsOfFile: directory.path)
        }
    }
}
