import Logging
import Synchronization

private let bootstrapped = Atomic(false)

/// The softphone's log: where it is, how it is set up, and the labels its loggers use.
///
/// Labels are `softphone.<part>`: `softphone.app` (start, configuration, exit),
/// `softphone.line` (the SIP line), `softphone.teams` (Microsoft Teams), `softphone.events`
/// (the Log tab's events, mirrored), `softphone.sip.trace` (`--trace-sip`), and
/// `softphone.log` (the log writer's own notices).
public enum SoftphoneLog {
    public static let app = "softphone.app"
    public static let line = "softphone.line"
    public static let teams = "softphone.teams"
    public static let events = "softphone.events"
    public static let sipTrace = "softphone.sip.trace"

    /// `$XDG_STATE_HOME/softphone/softphone.log` (an absolute `XDG_STATE_HOME`), else
    /// `~/.local/state/softphone/softphone.log`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/softphone/softphone.log" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return home + "/.local/state/softphone/softphone.log"
    }

    /// Points swift-log at a rotated file at `path` (call once, before anything logs) and
    /// returns its writer: flush it before exit, and ask it for write problems.
    public static func bootstrap(path: String, level: Logger.Level, maxBytes: Int = 5 << 20, keep: Int = 3) -> LogWriter {
        let writer = LogWriter(sink: RotatingFileSink(path: path, maxBytes: maxBytes, keep: keep))
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, writer: writer, logLevel: level) }
        bootstrapped.store(true, ordering: .releasing)
        return writer
    }

    /// Whether `bootstrap` has run (the log goes to the file).
    public static var isBootstrapped: Bool { bootstrapped.load(ordering: .acquiring) }

    /// A logger with `label`: the file's once `bootstrap` has run, else one that discards
    /// everything — so libraries, tests and tools never print swift-log's default output
    /// on the terminal.
    public static func logger(_ label: String) -> Logger {
        isBootstrapped ? Logger(label: label) : Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
    }
}
