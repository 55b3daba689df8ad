/// Why sound is not available, in words a user reads (the Log tab, `softphone devices`).
public struct AudioDeviceError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// No sound server answers at `server` (`detail`: e.g. "connection refused").
        case noServer(server: String, detail: String)
        /// The server accepted the connection but did not answer in time.
        case serverTimeout(server: String, seconds: Int)
        /// No device of that kind by that name.
        case noDevice(kind: AudioDeviceInfo.Kind, name: String)
        /// A stream could not be opened or broke while running (`detail`: the server's words).
        case streamFailed(kind: AudioDeviceInfo.Kind, device: String, detail: String)
    }

    public var reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case let .noServer(server, detail):
            return "no sound server (PulseAudio/PipeWire): \(detail) at \(server)"
        case let .serverTimeout(server, seconds):
            return "the sound server at \(server) did not answer within \(seconds) s"
        case let .noDevice(kind, name):
            return "no \(kind.word) device named \"\(name)\" (softphone devices lists them)"
        case let .streamFailed(kind, device, detail):
            return "the \(kind.word) stream on \"\(device)\" failed: \(detail)"
        }
    }
}

extension AudioDeviceInfo.Kind {
    /// "playback" or "capture", as the messages and `softphone devices` say it.
    public var word: String {
        switch self {
        case .playback: "playback"
        case .capture: "capture"
        }
    }
}
