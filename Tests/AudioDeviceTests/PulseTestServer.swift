import Foundation
import Synchronization

/// A private PulseAudio server for one test: user mode, no hardware, null sinks only, its own
/// HOME / XDG_RUNTIME_DIR / XDG_CONFIG_HOME in a temporary directory, a Unix socket the test
/// names. Started as a child process and stopped by its PID.
final class PulseTestServer: @unchecked Sendable {
    /// The null sinks every server has (each with its `.monitor` source).
    static let sinks = ["sp_play", "sp_ring", "sp_mic", "sp_peer"]

    /// `pulseaudio` on the PATH, if installed.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/pulseaudio"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static var isAvailable: Bool { executable != nil }

    let directory: URL
    private let process = Process()
    private let log = LogBuffer()

    /// The address a client connects to (`PULSE_SERVER`).
    var server: String { "unix:\(directory.path)/native" }

    /// The server's own log (stderr), for failure messages.
    var logText: String { log.text.withLock { $0 } }

    init() throws {
        guard let executable = Self.executable else { throw SkipReason.notInstalled }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("softphone-pulse-\(UUID().uuidString)")
        for sub in ["home", "runtime", "config"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub),
                                                    withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        var script = "load-module module-native-protocol-unix socket=\(directory.path)/native auth-anonymous=1\n"
        for sink in Self.sinks {
            script += "load-module module-null-sink sink_name=\(sink) format=s16le rate=48000 channels=1 channel_map=mono\n"
        }
        let scriptURL = directory.appendingPathComponent("server.pa")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)

        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-n", "--daemonize=no", "--system=no", "--exit-idle-time=-1", "--disable-shm=yes",
                             "--use-pid-file=no", "--realtime=no", "--high-priority=no",
                             "--log-target=stderr", "--log-level=info", "-F", scriptURL.path]
        process.environment = [
            "HOME": directory.appendingPathComponent("home").path,
            "XDG_RUNTIME_DIR": directory.appendingPathComponent("runtime").path,
            "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()

        // Read the log until the server says it is ready (it keeps being drained afterwards).
        let ready = DispatchSemaphore(value: 0)
        let handle = errors.fileHandleForReading
        let log = self.log
        Thread {
            var signalled = false
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                let text = String(decoding: data, as: UTF8.self)
                let all = log.text.withLock { $0 += text; return $0 }
                if !signalled && all.contains("Daemon startup complete") {
                    signalled = true
                    ready.signal()
                }
            }
            if !signalled { ready.signal() }
        }.start()
        if ready.wait(timeout: .now() + 60) == .timedOut || !logText.contains("Daemon startup complete") {
            stop()
            throw SkipReason.didNotStart(logText)
        }
    }

    /// Ends the server (SIGKILL to its PID when `kill`, else SIGTERM) and waits for it.
    func stop(kill: Bool = false) {
        if process.isRunning {
            if kill {
                Foundation.kill(process.processIdentifier, SIGKILL)
            } else {
                process.terminate()
            }
            process.waitUntilExit()
        }
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        stop()
        removeFiles()
    }

    enum SkipReason: Error, CustomStringConvertible {
        case notInstalled
        case didNotStart(String)

        var description: String {
            switch self {
            case .notInstalled: "pulseaudio is not installed (apt install pulseaudio)"
            case .didNotStart(let log): "the test's pulseaudio did not start:\n\(log)"
            }
        }
    }
}

/// The server's stderr, appended by its reader thread.
final class LogBuffer: Sendable {
    let text = Mutex("")
}

/// Waits on a semaphore with a generous bound (tests never assert on time).
func waitGenerously(_ semaphore: DispatchSemaphore, seconds: Int = 30) -> Bool {
    semaphore.wait(timeout: .now() + .seconds(seconds)) == .success
}

/// Relative power of `frequency` in `samples` (Goertzel), normalised so that a pure sine at that
/// frequency gives about 1 whatever its amplitude: power at the frequency / total energy.
func relativeTonePower(_ samples: [Int16], frequency: Double, rate: Double = 48_000) -> Double {
    guard !samples.isEmpty else { return 0 }
    let coefficient = 2 * cos(2 * Double.pi * frequency / rate)
    var previous = 0.0, beforePrevious = 0.0, energy = 0.0
    for sample in samples {
        let x = Double(sample)
        energy += x * x
        let current = x + coefficient * previous - beforePrevious
        beforePrevious = previous
        previous = current
    }
    let power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
    guard energy > 0 else { return 0 }
    return 2 * power / (Double(samples.count) * energy)
}
