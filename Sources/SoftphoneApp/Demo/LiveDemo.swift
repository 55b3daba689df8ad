import CallStore
import Dispatch
import SoftphoneCore
import TeamsEmulator
import TeamsSync

/// `softphone --demo`: the Teams emulator started in-process on a loopback port, the
/// real Graph client and sync engine talking to it (change notifications to a webhook
/// receiver on another loopback port), the script played through the
/// emulator's control API, and 40 colleagues whose presence the emulator changes.
public final class LiveDemo {
    public let runtime: Runtime
    public let emulator: TeamsEmulatorServer
    static let agent = "ada"

    public init(at now: Instant, inbox: Inbox) throws {
        let colleagues = TeamsEmulator.DemoRoster.colleagues(count: 40)
        let users = [EmulatedUserSeed(id: Self.agent, displayName: Demo.identity.name,
                                      teamsClient: PresencePair(.available, .available))] + colleagues
        let options = TeamsEmulatorOptions(churn: ChurnOptions(every: .seconds(2)), users: users)
        emulator = try blocking { try await TeamsEmulatorServer.start(options) }

        let graph = GraphConfiguration(graphURL: emulator.baseURL + "/v1.0", tokenURL: emulator.tokenURL,
                                       clientID: options.clientID, clientSecret: options.clientSecret,
                                       userID: Self.agent, maxRetries: 1)
        let names = Dictionary(uniqueKeysWithValues: colleagues.map { ($0.id, $0.displayName) })
        let teams = GraphTeamsConnector(
            client: GraphClient(configuration: graph),
            options: TeamsSyncEngine.Options(pollInterval: .milliseconds(250), colleagues: colleagues.map(\.id)),
            webhook: .init(host: "127.0.0.1", port: 0), names: names, inbox: inbox)
        let switchboard = DemoSwitchboard()
        let control = EmulatorTeamsControl(baseURL: emulator.baseURL, user: Self.agent, inbox: inbox)
        let scenario = DemoScenario(start: now, teams: control, switchboard: switchboard, roster: false)
        runtime = Runtime(settings: Demo.settings, identity: Demo.identity, line: switchboard, teams: teams,
                          store: try? CallStore.inMemory(), sources: [scenario, switchboard], inbox: inbox)
        self.control = control
        inbox.post(.action(.note(.teams, "demo: Teams emulator at \(emulator.baseURL) (control API under /_emulator)")))
    }

    /// Kept alive for the demo's lifetime.
    private let control: EmulatorTeamsControl

    public func stop() {
        let emulator = self.emulator
        _ = try? blocking(timeout: .seconds(3)) { await emulator.stop() }
    }
}

/// Runs async work from synchronous code (start-up and shutdown), waiting at most `timeout`.
func blocking<T: Sendable>(timeout: DispatchTimeInterval = .seconds(30),
                           _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let result = LockedResult<T>()
    Task {
        do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
        done.signal()
    }
    guard done.wait(timeout: .now() + timeout) == .success, let value = result.get() else {
        throw BlockingTimeout()
    }
    return try value.get()
}

struct BlockingTimeout: Error, CustomStringConvertible {
    var description: String { "timed out" }
}

final class LockedResult<T: Sendable>: @unchecked Sendable {
    private var value: Result<T, Error>?
    private let lock = DispatchQueue(label: "softphone.blocking")
    func set(_ new: Result<T, Error>) { lock.sync { value = new } }
    func get() -> Result<T, Error>? { lock.sync { value } }
}
