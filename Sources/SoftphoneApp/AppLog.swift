import Logging
import SIPNetwork
import SoftphoneCore
import SoftphoneLogging

/// The app's side of the log file (`SoftphoneLogging`): what connectors report at info,
/// the SIP trace, the Log tab's events mirrored, and log write problems shown in the Log tab.
/// Everything here is a no-op until the executable has called `SoftphoneLog.bootstrap`.
public enum AppLog {
    /// Logs, at info, the connector events worth a line in a support log: the line's
    /// registration state and Teams connecting or disconnecting. Called by `Inbox.post`.
    static func record(_ event: AppEvent) {
        guard SoftphoneLog.isBootstrapped, case .action(let action) = event else { return }
        switch action {
        case .lineStateChanged(let state):
            SoftphoneLog.logger(SoftphoneLog.line).info("line \(state.label)")
        case .teamsConnected:
            SoftphoneLog.logger(SoftphoneLog.teams).info("Teams connected")
        case .teamsDisconnected(let reason):
            SoftphoneLog.logger(SoftphoneLog.teams).info("Teams disconnected: \(reason)")
        default:
            break
        }
    }

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
            inbox.post(.action(.note(.error, "the log file cannot be written: \(problem)")))
        }
    }
}
