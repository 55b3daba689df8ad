import SoftphoneConfig
import SIPNetwork
import SoftphoneLogging

/// What the command line decided.
public struct AppOptions: Sendable {
    /// Run against the in-process demo backends, without configuration.
    public var demo: Bool
    /// Force ASCII icons (they are used anyway when the locale is not UTF-8).
    public var ascii: Bool
    /// The loaded configuration (not used in demo mode).
    public var configuration: Configuration?
    /// The environment, for data paths.
    public var environment: [String: String]
    /// `--trace-sip`: every SIP message sent and received goes to the log.
    public var traceSIP: Bool
    /// The log file's writer, when the executable set one up: its write problems are shown
    /// in the Log tab.
    public var log: LogWriter?

    public init(demo: Bool, ascii: Bool, configuration: Configuration?, environment: [String: String],
                traceSIP: Bool = false, log: LogWriter? = nil) {
        self.demo = demo
        self.ascii = ascii
        self.configuration = configuration
        self.environment = environment
        self.traceSIP = traceSIP
        self.log = log
    }

    /// The tracer the SIP line's transport gets: `AppLog.sipTracer()` with `--trace-sip`, else none.
    public var sipTracer: SIPTracer? { traceSIP ? AppLog.sipTracer() : nil }

    /// `$XDG_STATE_HOME/softphone/softphone.log`, else `~/.local/state/softphone/softphone.log`.
    public var logPath: String { SoftphoneLog.defaultPath(environment: environment) }

    /// `$XDG_DATA_HOME/softphone/calls.sqlite`, else `~/.local/share/softphone/calls.sqlite`.
    public var callStorePath: String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/softphone/calls.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return home + "/.local/share/softphone/calls.sqlite"
    }
}
