import AudioDevice
import RTPMedia
import SoftphoneConfig

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

extension AudioSettings {
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
        return .devices(CallAudio(backend: backend, devices: self, note: note))
    }
}
