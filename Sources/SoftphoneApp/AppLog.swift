import Logging
import SIPNetwork
import SoftphoneCore
import SoftphoneLogging

/// The app's side of the log file (`SoftphoneLogging`): the Log tab's events mirrored
/// (the line's state and Teams' connection among them), the SIP trace, and log write
/// problems shown in the Log tab.
/// Everything here is a no-op until the executable has called `SoftphoneLog.bootstrap`.
public enum AppLog {
    /// Mirrors one Log-tab event into the log (label `softphone.events`, metadata `kind`):
    /// `error` events at error, the others at info. For the runtime, as events are appended.
    public static func record(_ event: SoftphoneCore.LogEvent) {
        guard SoftphoneLog.isBootstrapped else { return }
        let logger = SoftphoneLog.logger(SoftphoneLog.events)
        let metadata: Logger.Metadata = ["kind": "\(event.kind.rawValue)"]
        if event.kind == .error {
            logger.error("\(event.text)", metadata: metadata)
        } else {
            logger.info("\(event.text)", metadata: metadata)
        }
    }

    /// A line about a call's audio (label `softphone.audio`, info): its quality when it ends.
    static func audio(_ text: String) {
        guard SoftphoneLog.isBootstrapped else { return }
        SoftphoneLog.logger("softphone.audio").info("\(text)")
    }

    /// A tracer for `--trace-sip`: every SIP message the transport sends or receives, whole,
    /// at trace level under `softphone.sip.trace` (whatever `--log-level` says). The first
    /// line says direction, transport, addresses and size; the message follows, indented.
    public static func sipTracer() -> SIPTracer {
        var logger = SoftphoneLog.logger(SoftphoneLog.sipTrace)
        logger.logLevel = .trace
        return { [logger] event in logger.trace("\(event.summary)\n\(event.text)") }
    }

    /// Shows the log's first write problem (a full disk, a directory that cannot be written)
    /// in the Log tab; the program goes on without its log.
    public static func reportProblems(of writer: LogWriter?, to inbox: Inbox) {
        writer?.onProblem { problem in
            inbox.post(.note(.error, "the log file cannot be written: \(problem)"))
        }
    }
}
