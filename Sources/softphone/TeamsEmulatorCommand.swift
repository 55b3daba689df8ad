import ArgumentParser
import Foundation
import SoftphoneApp
import SoftphoneCore
import TeamsEmulator

/// `softphone teams-emulator --listen HOST:PORT`: the Graph-compatible Teams emulator alone.
struct TeamsEmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams-emulator",
        abstract: "Run the Microsoft Graph presence emulator (for the demo, tests and trying a configuration).",
        discussion: """
            Graph is served under /v1.0, the token endpoint at /TENANT/oauth2/v2.0/token and the \
            control API under /_emulator (see the README). Stop it with Ctrl-C.
            """)

    @Option(help: ArgumentHelp("Where to listen (loopback unless you say otherwise).", valueName: "host:port"))
    var listen = "127.0.0.1:8450"

    @Option(help: "The tenant in the token URL.")
    var tenant = "emulator-tenant"

    @Option(help: "The client id the token endpoint accepts.")
    var clientID = "emulator-client"

    @Option(help: ArgumentHelp("The environment variable holding the accepted client secret (default secret: emulator-secret).",
                               valueName: "name"))
    var clientSecretEnv = "SOFTPHONE_TEAMS_SECRET"

    @Option(help: "A user to create at start (repeatable); the first is the agent.")
    var user: [String] = ["agent"]

    @Option(help: "Colleagues to create at start, with changing presence.")
    var colleagues = 0

    @Option(help: "Emulator time runs this many times faster (idle stages, expiry).")
    var timeScale = 1.0

    @Option(help: "Latency added to every Graph request, in milliseconds.")
    var latencyMs = 0

    func validate() throws {
        guard parseListen() != nil else { throw ValidationError("--listen must be HOST:PORT with a port 1-65535") }
        guard timeScale > 0 else { throw ValidationError("--time-scale must be positive") }
        guard colleagues >= 0, latencyMs >= 0 else { throw ValidationError("counts must not be negative") }
    }

    private func parseListen() -> (String, Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() throws {
        let (host, port) = parseListen()!
        let secret = ProcessInfo.processInfo.environment[clientSecretEnv].flatMap { $0.isEmpty ? nil : $0 } ?? "emulator-secret"
        var users = user.map { EmulatedUserSeed(id: $0, teamsClient: PresencePair(.available, .available)) }
        users += DemoRoster.colleagues(count: colleagues)
        let options = TeamsEmulatorOptions(
            host: host, port: port, tenant: tenant, clientID: clientID, clientSecret: secret,
            timeScale: timeScale, latency: .milliseconds(latencyMs),
            churn: colleagues > 0 ? ChurnOptions(every: .seconds(2)) : nil, users: users)
        let status = EmulatorRunner.run(options, announce: "Teams emulator on http://\(listen): Graph at /v1.0, "
            + "token at /\(tenant)/oauth2/v2.0/token, control at /_emulator")
        if status != 0 { throw ExitCode(status) }
    }
}
