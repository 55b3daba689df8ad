/// The audio format a WAV file declares in its `fmt ` chunk.
public struct WAVFormat: Sendable, Hashable {
    /// How samples are coded.
    public enum Encoding: Sendable, Hashable {
        /// Linear PCM: 8-bit unsigned, or 16/24/32-bit signed little-endian.
        case pcm
        /// G.711 µ-law (WAVE_FORMAT_MULAW, 7).
        case muLaw
        /// G.711 A-law (WAVE_FORMAT_ALAW, 6).
        case aLaw
    }

    /// How samples are coded.
    public var encoding: Encoding
    /// The number of interleaved channels.
    public var channels: Int
    /// Frames per second.
    public var sampleRate: Int
    /// Bits per sample of one channel.
    public var bitsPerSample: Int

    /// Creates a format description.
    public init(encoding: Encoding, channels: Int, sampleRate: Int, bitsPerSample: Int) {
        self.encoding = encoding
        self.channels = channels
        self.sampleRate = sampleRate
        self.bitsPerSample = bitsPerSample
    }

    /// The octets one sample of one channel occupies.
    var bytesPerSample: Int { (bitsPerSample + 7) / 8 }
    /// The octets one frame (a sample of every channel) occupies.
    var bytesPerFrame: Int { bytesPerSample * channels }
}

extension WAVFormat {
    /// Reads a `fmt ` chunk body, including WAVE_FORMAT_EXTENSIBLE, and checks that we can decode it.
    init(chunk: ArraySlice<UInt8>) throws(WAVError) {
        guard chunk.count >= 16 else { throw .truncated("'fmt ' chunk has \(chunk.count) octets, needs 16") }
        let start = chunk.startIndex
        var tag = chunk.littleEndianUInt16(at: start)
        let channels = Int(chunk.littleEndianUInt16(at: start + 2))
        let sampleRate = Int(chunk.littleEndianUInt32(at: start + 4))
        let bits = Int(chunk.littleEndianUInt16(at: start + 14))
        if tag == 0xFFFE {
            // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two octets of the sub-format GUID.
            guard chunk.count >= 40 else {
                throw .truncated("extensible 'fmt ' chunk has \(chunk.count) octets, needs 40")
            }
            tag = chunk.littleEndianUInt16(at: start + 24)
        }

        let encoding: Encoding
        switch tag {
        case 0x0001:
            encoding = .pcm
            guard [8, 16, 24, 32].contains(bits) else { throw .unsupportedSampleSize(bits: bits, encoding: "PCM") }
        case 0x0006, 0x0007:
            encoding = tag == 0x0006 ? .aLaw : .muLaw
            guard bits == 8 else {
                throw .unsupportedSampleSize(bits: bits, encoding: tag == 0x0006 ? "A-law" : "µ-law")
            }
        default:
            throw .unsupportedEncoding(formatTag: tag)
        }
        guard channels > 0 else { throw .invalidFormat("0 channels") }
        guard sampleRate > 0 else { throw .invalidFormat("sample rate 0") }
        self.init(encoding: encoding, channels: channels, sampleRate: sampleRate, bitsPerSample: bits)
    }
}
