import SoftphoneApp
import CallStore
import Dispatch
import NIOCore
import SoftphoneConfig
import SoftphoneCore
import TeamsEmulator
import TeamsSync
import SIP
import SIPAuth
import SIPNetwork
import SIPUserAgent

/// `softphone --demo`: the Teams emulator started in-process on a loopback port, the
/// real Graph client and sync engine talking to it (change notifications to a webhook
/// receiver on another loopback port), the script played through the
/// emulator's control API, and 40 colleagues whose presence the emulator changes.
public final class LiveDemo {
    public let runtime: Runtime
    public let emulator: TeamsEmulatorServer
    static let agent = "ada"

    /// `softphone --demo`: the demo's runtime, and the servers to stop after it.
    /// `options` give the SIP trace (`--trace-sip`) and the log whose problems the Log tab shows.
    public static func launch(_ context: RuntimeContext, options: AppOptions) throws -> Launch {
        AppLog.reportProblems(of: options.log, to: context.inbox)
        let demo: LiveDemo
        do {
            demo = try LiveDemo(at: context.start, inbox: context.inbox, loop: context.loop, trace: options.sipTracer)
        } catch {
            throw DemoError(description: "cannot start the demo's Teams emulator: \(error)")
        }
        return Launch(runtime: demo.runtime, stop: { demo.stop() })
    }

    public init(at now: Instant, inbox: Inbox, loop: EventLoop, trace: SIPTracer? = nil) throws {
        let colleagues = TeamsEmulator.DemoRoster.colleagues(count: 40)
        let users = [EmulatedUserSeed(id: Self.agent, displayName: Demo.identity.name,
                                      teamsClient: PresencePair(.available, .available))] + colleagues
        // The webhook receiver listens on loopback http: a development mode of the emulator.
        let options = TeamsEmulatorOptions(allowHTTPNotifications: true, churn: ChurnOptions(every: .seconds(2)), users: users)
        let emulator = try blocking { try await TeamsEmulatorServer.start(options) }
        self.emulator = emulator

        // Signed in as the agent (a delegated token, as after device-code sign-in); Graph
        // paths use the agent's object id.
        let graph = GraphConfiguration(graphURL: emulator.baseURL + "/v1.0", tokenURL: emulator.tokenURL,
                                       clientID: options.clientID, clientSecret: "",
                                       userID: options.objectID(of: Self.agent), maxRetries: 1)
        let names = Dictionary(uniqueKeysWithValues: colleagues.map { ($0.id, $0.displayName) })
        let teams = GraphTeamsConnector(
            client: GraphClient(configuration: graph, tokens: DemoDelegatedTokens(emulator: emulator, user: Self.agent)),
            options: TeamsSyncEngine.Options(pollInterval: .milliseconds(250), colleagues: colleagues.map(\.id)),
            webhook: .init(host: "127.0.0.1", port: 0), names: names, inbox: inbox)
        let switchboard = try blocking { try await SIPSwitchboard.start(inbox: inbox) }
        let line = try blocking { try await SIPLineConnector.start(Self.lineSettings(registrar: switchboard.registrarURI),
                                                                   inbox: inbox, loop: loop, trace: trace) }
        let control = EmulatorTeamsControl(baseURL: emulator.baseURL, user: Self.agent, inbox: inbox)
        let scenario = DemoScenario(start: now, teams: control, caller: switchboard, roster: false)
        runtime = Runtime(settings: Demo.settings, identity: Demo.identity, line: line, teams: teams,
                          store: try? CallStore.inMemory(), sources: [scenario], inbox: inbox)
        self.control = control
        self.switchboard = switchboard
        inbox.post(.note(.teams, "demo: Teams emulator at \(emulator.baseURL) (control API under /_emulator)"))
        inbox.post(.note(.line, "demo: the line listens on \(line.local) and registers at the demo "
                                  + "switchboard \(switchboard.registrarURI), which places the calls"))
    }

    /// The demo line: extension 1001 on a free loopback port, registering at the switchboard.
    static func lineSettings(registrar: String) -> SIPLineSettings {
        let agent = LineAgentConfiguration(
            user: SIPSwitchboard.lineUser, displayName: Demo.identity.name,
            local: SIPHop(transport: .udp, host: "127.0.0.1", port: 0), registrar: SIPURI(registrar),
            credentials: DigestCredentials(username: SIPSwitchboard.lineUser, password: SIPSwitchboard.linePassword),
            registerExpires: 600)
        return SIPLineSettings(agent: agent, listenHost: "127.0.0.1", listenPort: 0,
                               queues: QueueDirectory([DemoScenario.sales, DemoScenario.support]),
                               sound: AudioSettings(backend: .pulse))
    }

    /// Kept alive for the demo's lifetime.
    private let control: EmulatorTeamsControl
    private let switchboard: SIPSwitchboard

    public func stop() {
        let emulator = self.emulator, switchboard = self.switchboard
        _ = try? blocking(timeout: .seconds(3)) {
            await switchboard.stop()
            await emulator.stop()
        }
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
}
