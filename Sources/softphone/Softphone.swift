import ArgumentParser
import Foundation
import Logging
import SoftphoneApp
import SoftphoneDemo
import SoftphoneConfig
import SoftphoneLogging

/// The command line (SPEC section 6). Parsing only: everything else lives in the libraries.
@main
struct Softphone: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "softphone",
        abstract: "A terminal softphone for contact-center agents.",
        discussion: """
            Shows the agent's presence, keeps it in sync with Microsoft Teams and the PBX, \
            and pops up incoming calls by the rules of the agent's presence.

            Exit status: 0 success, 1 invalid configuration or no usable terminal, 64 usage error.
            """,
        version: "softphone \(version)",
        subcommands: [TeamsCommand.self, TeamsEmulatorCommand.self, DevicesCommand.self])

    /// `--config`, shared with the subcommands that read the configuration (`teams login`).
    @OptionGroup var configFile: ConfigFileOption
    var config: String? { configFile.config }

    @Flag(name: .long, help: "Validate the configuration, print a summary and exit; never touches the terminal.")
    var check = false

    @Flag(name: .long, help: "Run against the embedded demo backends, without any configuration.")
    var demo = false

    @Flag(name: .long, help: "Use ASCII icons instead of emoji.")
    var ascii = false

    @Option(name: .long, help: ArgumentHelp(
        "What the log file ($XDG_STATE_HOME/softphone/softphone.log, else ~/.local/state/softphone/softphone.log) records: trace, debug, info, notice, warning or error.",
        valueName: "level"))
    var logLevel: Logger.Level = .info

    @Flag(name: .long, help: "Write every SIP message sent and received, whole, to the log file (for a support log).")
    var traceSIP = false

    func validate() throws {
        if demo && check {
            throw ValidationError("--demo uses no configuration, so --check has nothing to check.")
        }
        if demo && config != nil {
            throw ValidationError("--demo runs without a configuration; leave out --config.")
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration: Configuration?
        if !demo {
            let path = config ?? Configuration.defaultPath(environment: environment)
            do {
                configuration = try Configuration.load(path: path, environment: environment)
            } catch {
                writeToStandardError(error.lines)
                throw ExitCode(1)
            }
            if check {
                print("\(path): configuration OK")
                for line in configuration!.summaryLines { print(line) }
                return
            }
        }
        let options = AppOptions(demo: demo, ascii: ascii, configuration: configuration, environment: environment,
                                 traceSIP: traceSIP)
        let log = SoftphoneLog.bootstrap(path: options.logPath, level: logLevel)
        let logger = SoftphoneLog.logger(SoftphoneLog.app)
        logger.info("softphone \(Self.version) starting", metadata: [
            "mode": "\(demo ? "demo" : "configured")", "log-level": "\(logLevel)", "trace-sip": "\(traceSIP)",
            "pid": "\(ProcessInfo.processInfo.processIdentifier)",
        ])
        if let configuration {
            // The summary `--check` prints: secrets are never in it, only the variables they come from.
            let path = config ?? Configuration.defaultPath(environment: environment)
            logger.info("configuration \(path)\n\(configuration.summaryLines.joined(separator: "\n"))")
        }
        var withLog = options
        withLog.log = log
        let status = TerminalApp.run(ascii: ascii) { context in
            if let configuration {
                return Launch(runtime: try ConfiguredRuntime.make(configuration, options: withLog, context: context))
            }
            return try LiveDemo.launch(context, options: withLog)
        }
        logger.info("softphone exits", metadata: ["status": "\(status)"])
        log.flush()
        if status != 0 { throw ExitCode(status) }
    }

    private func writeToStandardError(_ lines: [String]) {
        let text = lines.map { $0 + "\n" }.joined()
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
