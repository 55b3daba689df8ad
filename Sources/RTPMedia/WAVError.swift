/// Why a WAV file cannot be used as an audio source.
public enum WAVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// The file does not start with a RIFF/WAVE header.
    case notWAV
    /// The file ends in the middle of the named part.
    case truncated(String)
    /// A required chunk (`fmt ` or `data`) is absent.
    case missingChunk(String)
    /// The format tag names an encoding this reader does not decode.
    case unsupportedEncoding(formatTag: UInt16)
    /// The encoding is known but not with this sample size.
    case unsupportedSampleSize(bits: Int, encoding: String)
    /// The `fmt ` chunk is self-contradictory or meaningless (e.g. zero channels).
    case invalidFormat(String)
    /// The file is well formed but contains no audio samples.
    case noSamples

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read WAV file \(path): \(reason)"
        case .notWAV:
            "not a WAV file: it does not start with a RIFF/WAVE header"
        case .truncated(let part):
            "WAV file is truncated: \(part)"
        case .missingChunk(let chunk):
            "WAV file has no '\(chunk)' chunk"
        case .unsupportedEncoding(let tag):
            "WAV encoding \(Self.name(ofFormatTag: tag)) is not supported "
                + "(use 8/16/24/32-bit PCM, G.711 µ-law or A-law)"
        case .unsupportedSampleSize(let bits, let encoding):
            "WAV \(encoding) with \(bits) bits per sample is not supported"
        case .invalidFormat(let reason):
            "WAV format is invalid: \(reason)"
        case .noSamples:
            "WAV file contains no audio samples"
        }
    }

    private static func name(ofFormatTag tag: UInt16) -> String {
        let hex = "0x" + String(tag, radix: 16, uppercase: true)
        switch tag {
        case 0x0002: return "\(hex) (Microsoft ADPCM)"
        case 0x0003: return "\(hex) (IEEE float)"
        case 0x0011: return "\(hex) (IMA ADPCM)"
        case 0x0031: return "\(hex) (GSM 6.10)"
        case 0x0055: return "\(hex) (MP3)"
        default: return hex
        }
    }
}
