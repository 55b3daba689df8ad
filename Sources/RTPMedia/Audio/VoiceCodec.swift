/// A voice codec the softphone carries in RTP: Opus (RFC 7587), G.722, G.711 µ-law and A-law.
///
/// Frames are always 20 ms. ``sampleRate`` is the rate of the PCM the codec encodes and decodes;
/// ``rtpClockRate`` the unit of RTP timestamps, which for G.722 is 8000 although it samples at
/// 16 kHz (RFC 3551 section 4.5.2).
public enum VoiceCodec: Sendable, Hashable, CaseIterable {
    /// Opus at 48 kHz, mono, dynamic payload type (`opus/48000/2` in SDP).
    case opus
    /// G.722 at 16 kHz, 64 kbit/s, static payload type 9.
    case g722
    /// G.711 µ-law, static payload type 0.
    case pcmu
    /// G.711 A-law, static payload type 8.
    case pcma

    /// The length of one frame.
    public static let frameDuration = Duration.milliseconds(20)
    /// Frames per second.
    static let framesPerSecond = 50

    /// The sampling rate of the PCM the codec works on, in Hz.
    public var sampleRate: Int {
        switch self {
        case .opus: 48000
        case .g722: 16000
        case .pcmu, .pcma: 8000
        }
    }

    /// The RTP timestamp rate, in Hz.
    public var rtpClockRate: Int {
        switch self {
        case .opus: 48000
        case .g722, .pcmu, .pcma: 8000
        }
    }

    /// Samples in one 20 ms frame at ``sampleRate``.
    public var samplesPerFrame: Int { sampleRate / Self.framesPerSecond }

    /// RTP timestamp units in one 20 ms frame.
    public var timestampsPerFrame: Int { rtpClockRate / Self.framesPerSecond }

    /// The encoding name in SDP's `a=rtpmap`.
    public var sdpName: String {
        switch self {
        case .opus: "opus"
        case .g722: "G722"
        case .pcmu: "PCMU"
        case .pcma: "PCMA"
        }
    }

    /// The codec with this SDP encoding name, compared without regard to case.
    public init?(sdpName: String) {
        guard let codec = Self.allCases.first(where: { $0.sdpName.lowercased() == sdpName.lowercased() }) else {
            return nil
        }
        self = codec
    }

    /// The static payload type of RFC 3551, or `nil` for Opus (dynamic).
    public var staticPayloadType: UInt8? {
        switch self {
        case .opus: nil
        case .g722: 9
        case .pcmu: 0
        case .pcma: 8
        }
    }

    /// A new encoder of this codec.
    /// - Throws: ``VoiceCodecError`` if the library refuses to create one.
    public func makeEncoder() throws(VoiceCodecError) -> VoiceEncoder {
        try VoiceEncoder(codec: self)
    }

    /// A new decoder of this codec, with its loss concealment.
    /// - Throws: ``VoiceCodecError`` if the library refuses to create one.
    public func makeDecoder() throws(VoiceCodecError) -> VoiceDecoder {
        try VoiceDecoder(codec: self)
    }

    /// The G.711 law of this codec, if it is G.711.
    var g711: AudioCodec? {
        switch self {
        case .pcmu: .pcmu
        case .pcma: .pcma
        case .opus, .g722: nil
        }
    }
}

extension VoiceCodec {
    /// The voice codec of a G.711 ``AudioCodec``.
    public init(_ codec: AudioCodec) {
        switch codec {
        case .pcmu: self = .pcmu
        case .pcma: self = .pcma
        }
    }
}

/// Why a codec, resampler or jitter buffer could not be created.
public enum VoiceCodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The C library failed to create its state; `reason` is its message.
    case creationFailed(library: String, reason: String)

    public var description: String {
        switch self {
        case .creationFailed(let library, let reason): "\(library) could not be set up: \(reason)"
        }
    }
}
