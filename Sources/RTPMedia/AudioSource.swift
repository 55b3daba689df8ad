/// What a session sends: silence, or linear samples at 8 kHz played in a loop.
public enum AudioSource: Sendable, Hashable {
    /// Digital silence.
    case silence
    /// Mono 16-bit samples at 8000 Hz, repeated from the start when they run out.
    /// An empty array sends silence.
    case samples([Int16])

    /// The number of samples in one 20 ms frame at 8 kHz, the G.711 packetisation RTP/AVP
    /// uses by default (RFC 3551 section 4.5).
    public static let samplesPerFrame = 160
    /// The rate of the samples, Hz.
    public static let sampleRate = 8000

    /// The samples of a WAV file, converted to 8 kHz mono.
    public static func wav(_ file: WAVFile) -> AudioSource {
        .samples(file.samples)
    }

    /// An endless sequence of 20 ms frames of this source.
    public func frames() -> AudioFrames {
        switch self {
        case .silence: AudioFrames(samples: [])
        case .samples(let samples): AudioFrames(samples: samples)
        }
    }
}
