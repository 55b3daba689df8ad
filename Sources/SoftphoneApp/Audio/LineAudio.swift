import AudioDevice
import RTPMedia

/// Where the line's calls get their sound: a fixed source with nothing played (`backend = "none"`,
/// or no sound server), or the agent's devices.
package enum LineAudio: Sendable {
    case fixed(AudioSource)
    case devices(CallAudio)

    var engine: CallAudio? {
        if case .devices(let engine) = self { return engine }
        return nil
    }
}

/// The `[audio]` settings the line uses (SPEC section 7).
public struct SoundSettings: Sendable, Equatable {
    public enum Backend: Sendable, Equatable {
        /// PulseAudio's API (PipeWire serves it too).
        case pulse
        /// No devices: calls send silence or `sip.audio_file`, and what arrives is counted.
        case none
    }

    public var backend: Backend
    /// Sink and source names as `softphone devices` prints them; `default` is the server's choice.
    public var playback: String
    public var capture: String
    public var ring: String

    public init(backend: Backend = .none, playback: String = "default", capture: String = "default",
                ring: String = "default") {
        self.backend = backend
        self.playback = playback
        self.capture = capture
        self.ring = ring
    }

    /// The line's sound for these settings: the devices when the sound server answers,
    /// else `fallback` with the reason in the Log tab (`note`).
    func lineAudio(fallback: AudioSource, backend: any AudioBackend = PulseAudioBackend(),
                   note: @escaping @Sendable (String) -> Void) -> LineAudio {
        guard self.backend == .pulse else { return .fixed(fallback) }
        let devices: [AudioDeviceInfo]
        do {
            devices = try backend.devices()
        } catch {
            note("sound: \(error); calls carry silence (as with [audio] backend = \"none\")")
            return .fixed(fallback)
        }
        for (role, name, kind) in [("playback", playback, AudioDeviceInfo.Kind.playback),
                                   ("capture", capture, .capture), ("ring", ring, .playback)]
        where name != "default" && !devices.contains(where: { $0.name == name && $0.kind == kind }) {
            note("sound: no \(role) device named \"\(name)\" (softphone devices lists them)")
        }
        return .devices(CallAudio(backend: backend,
                                  devices: CallAudio.Devices(playback: playback, capture: capture, ring: ring),
                                  note: note))
    }
}
