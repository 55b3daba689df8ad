import ArgumentParser
import AudioDevice
import Foundation

/// `softphone devices`: the playback and capture devices, by the names `[audio]` takes.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the sound devices (PulseAudio or PipeWire) by the names [audio] takes.",
        discussion: """
            Playback devices serve `playback` and `ring`, capture devices serve `capture`; \
            "default" means the sound server's default. The server is the one PULSE_SERVER names, \
            else the user's own. Exit status: 0 listed, 1 no sound server.
            """)

    func run() throws {
        let devices: [AudioDeviceInfo]
        do {
            devices = try PulseAudioBackend().devices()
        } catch {
            FileHandle.standardError.write(Data("softphone: \(error)\n".utf8))
            throw ExitCode(1)
        }
        for line in Self.lines(devices) { print(line) }
    }

    /// The listing as printed: one section per kind, names aligned.
    static func lines(_ devices: [AudioDeviceInfo]) -> [String] {
        let width = devices.map(\.name.count).max() ?? 0
        var lines: [String] = []
        for (kind, title) in [(AudioDeviceInfo.Kind.playback, "Playback devices (playback = / ring =):"),
                              (.capture, "Capture devices (capture =):")] {
            lines.append(title)
            let ofKind = devices.filter { $0.kind == kind }
            if ofKind.isEmpty { lines.append("  (none)") }
            for device in ofKind {
                var marks: [String] = []
                if device.isMonitor { marks.append("monitor") }
                if device.isDefault { marks.append("default") }
                let suffix = marks.isEmpty ? "" : "  (\(marks.joined(separator: ", ")))"
                let padding = String(repeating: " ", count: width - device.name.count)
                lines.append("  \(device.name)\(padding)  \(device.description)\(suffix)")
            }
        }
        return lines
    }
}
