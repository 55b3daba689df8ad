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
            Graph is served under /v1.0, the token endpoints at /TENANT/oauth2/v2.0/token and \
            /TENANT/oauth2/v2.0/devicecode, and the control API under /_emulator (see the README). \
            It is as strict as Graph: presence takes object ids (a user given as "ada" gets a fixed \
            GUID and the UPN ada@DOMAIN; GET /v1.0/users/ada@DOMAIN?$select=id finds it), presence \
            subscriptions need a delegated token and https notification URLs, and presence requests \
            over the budget get 429. Sign in by device code and approve it with \
            POST /_emulator/devicecode/USER_CODE/approve {"user":"ada"}; or mint a delegated token \
            with POST /_emulator/tokens {"user":"ada"}. Stop it with Ctrl-C.
            """)

    @Option(help: ArgumentHelp("Where to listen (loopback unless you say otherwise).", valueName: "host:port"))
    var listen = "127.0.0.1:8450"

    @Option(help: "The tenant in the token URL.")
    var tenant = "emulator-tenant"

    @Option(help: "The tenant's domain (UPNs end in @DOMAIN; default TENANT.onmicrosoft.com).")
    var domain: String?

    @Option(help: "The client id the token endpoint accepts.")
    var clientID = "emulator-client"

    @Option(help: ArgumentHelp("A client id registered as a public client, allowed the device-code and refresh-token grants (repeatable; default: --client-id).",
                               valueName: "id"))
    var publicClientID: [String] = []

    @Option(help: ArgumentHelp("Seconds a device code is valid (emulator time).", valueName: "seconds"))
    var deviceCodeExpiresIn = 900

    @Option(help: ArgumentHelp("Seconds a device-code client must wait between polls (faster: slow_down).", valueName: "seconds"))
    var deviceCodeInterval = 5

    @Option(help: ArgumentHelp("Presence requests one application may make per 30 s before 429 (Graph: 1500).", valueName: "n"))
    var presenceBudget = 1500

    @Option(help: ArgumentHelp("Seconds an access token is valid (real time; Entra: about an hour).", valueName: "seconds"))
    var tokenLifetime = 3600

    @Flag(help: "Accept http notification URLs for subscriptions (development only; Graph requires https).")
    var allowHTTPNotifications = false

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
        guard deviceCodeExpiresIn >= 1, deviceCodeInterval >= 1, presenceBudget >= 1, tokenLifetime >= 1 else {
            throw ValidationError("--device-code-expires-in, --device-code-interval, --presence-budget and --token-lifetime must be at least 1")
        }
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
            host: host, port: port, tenant: tenant, domain: domain, clientID: clientID, clientSecret: secret,
            publicClientIDs: publicClientID.isEmpty ? nil : publicClientID, tokenLifetime: .seconds(tokenLifetime),
            deviceCodeLifetime: .seconds(deviceCodeExpiresIn), deviceCodeInterval: deviceCodeInterval,
            presenceRequestsPer30s: presenceBudget, allowHTTPNotifications: allowHTTPNotifications,
            timeScale: timeScale, latency: .milliseconds(latencyMs),
            churn: colleagues > 0 ? ChurnOptions(every: .seconds(2)) : nil, users: users)
        let status = EmulatorRunner.run(options, announce: "Teams emulator on http://\(listen): Graph at /v1.0, "
            + "token at /\(tenant)/oauth2/v2.0/token, control at /_emulator")
        if status != 0 { throw ExitCode(status) }
    }
}
