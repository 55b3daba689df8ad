/// `[audio]` (SPEC section 7): the sound backend, the devices by the names `softphone devices`
/// prints, and the codecs in our order of preference.
public struct AudioSettings: Sendable, Equatable {
    /// `audio.backend`.
    public enum Backend: String, Sendable, Equatable, CaseIterable {
        /// PulseAudio's API (PipeWire serves it too).
        case pulse
        /// No sound device: silence or `sip.audio_file` is sent, received packets are counted.
        case none
    }

    /// A name `audio.codecs` takes; the SDP codec of the same name (`Codec(named:)`) carries it.
    public enum Codec: String, Sendable, Equatable, CaseIterable {
        case opus, g722, pcmu, pcma
    }

    public static let defaultDevice = "default"

    public var backend: Backend
    /// The sink the call is heard on.
    public var playback: String
    /// The source the agent's voice comes from.
    public var capture: String
    /// The sink the ring tone plays on (may differ from `playback`).
    public var ring: String
    /// Offered and answered in this order; never empty, no duplicates.
    public var codecs: [Codec]

    public init(backend: Backend = .pulse, playback: String = AudioSettings.defaultDevice,
                capture: String = AudioSettings.defaultDevice, ring: String = AudioSettings.defaultDevice,
                codecs: [Codec] = Codec.allCases) {
        self.backend = backend
        self.playback = playback
        self.capture = capture
        self.ring = ring
        self.codecs = codecs
    }

    /// "pulse (playback default, capture default, ring default), codecs opus g722 pcmu pcma".
    public var summary: String {
        let codecList = codecs.map(\.rawValue).joined(separator: " ")
        switch backend {
        case .pulse:
            return "pulse (playback \(playback.printable), capture \(capture.printable), ring \(ring.printable)), "
                + "codecs \(codecList)"
        case .none:
            return "none (no sound device), codecs \(codecList)"
        }
    }
}
