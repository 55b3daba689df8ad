/// A RIFF/WAVE file decoded to what a G.711 call sends: mono 16-bit samples at 8000 Hz.
///
/// Reads linear PCM (8-bit unsigned, 16/24/32-bit signed), G.711 µ-law and A-law, also in
/// WAVE_FORMAT_EXTENSIBLE, with any number of channels (averaged to mono) at any sample rate
/// (converted to 8 kHz by speexdsp's resampler). Anything else, or a damaged file, is reported as
/// a ``WAVError``; no input makes it trap.
public struct WAVFile: Sendable, Hashable {
    /// The sample rate of ``samples``.
    public static let sampleRate = 8000

    /// The format the file declares.
    public var format: WAVFormat
    /// The audio as mono 16-bit linear samples at 8000 Hz; never empty.
    public var samples: [Int16]

    /// The length of the audio in seconds.
    public var duration: Double { Double(samples.count) / Double(Self.sampleRate) }

    /// Decodes a WAV file held in memory.
    public init(bytes: some Collection<UInt8>) throws(WAVError) {
        let file = ArraySlice(bytes)
        let chunks = try RIFFChunks(file: file)
        let format = try WAVFormat(chunk: chunks.format)
        let mono = format.decodeMono(chunks.data)
        let samples: [Int16]
        do {
            samples = try SampleRateConverter.convert(mono, from: format.sampleRate, to: Self.sampleRate)
        } catch {
            throw .invalidFormat("sample rate \(format.sampleRate) Hz cannot be converted: \(error)")
        }
        guard !samples.isEmpty else { throw .noSamples }
        self.format = format
        self.samples = samples
    }

    /// Reads and decodes the WAV file at `path`.
    public init(contentsOfFile path: String) throws(WAVError) {
        let bytes: [UInt8]
        do {
            bytes = try FileContents.contents(ofFile: path)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
        try self.init(bytes: bytes)
    }
}
