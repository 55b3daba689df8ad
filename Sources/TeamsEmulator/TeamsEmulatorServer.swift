import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A Microsoft-Graph-compatible Teams presence server, in process.
///
/// ```swift
/// let server = try await TeamsEmulatorServer.start(TeamsEmulatorOptions(users: [.init(id: "agent")]))
/// // token URL: server.tokenURL, Graph: server.graphBaseURL, control API: server.baseURL + "/_emulator"
/// await server.stop()
/// ```
///
/// Presence is computed by `TeamsAggregation` from each user's sessions, preferred
/// presence and mailbox; see the route files for the HTTP surface.
public final class TeamsEmulatorServer: Sendable {
    /// The port it listens on (the actual one when `options.port` was 0).
    public let port: Int
    public let options: TeamsEmulatorOptions
    private let runTask: Task<Void, any Error>
    private let services: ServiceGroup
    private let engine: PresenceEngine
    private let churn: ChurnDriver
    private let dispatcher: NotificationDispatcher
    private let tokens: TokenIssuer

    /// `http://HOST:PORT`, with the listening host (IPv6 in brackets).
    public var baseURL: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port)"
    }

    /// Graph's service root: `baseURL + "/v1.0"`.
    public var graphBaseURL: String { baseURL + "/v1.0" }

    /// The token endpoint: `baseURL + "/{tenant}/oauth2/v2.0/token"`.
    public var tokenURL: String { "\(baseURL)/\(options.tenant)/oauth2/v2.0/token" }

    /// The device authorization endpoint: `baseURL + "/{tenant}/oauth2/v2.0/devicecode"`.
    public var deviceCodeURL: String { "\(baseURL)/\(options.tenant)/oauth2/v2.0/devicecode" }

    private init(port: Int, options: TeamsEmulatorOptions, runTask: Task<Void, any Error>, services: ServiceGroup,
                 engine: PresenceEngine, churn: ChurnDriver, dispatcher: NotificationDispatcher, tokens: TokenIssuer) {
        self.tokens = tokens
        self.port = port
        self.options = options
        self.runTask = runTask
        self.services = services
        self.engine = engine
        self.churn = churn
        self.dispatcher = dispatcher
    }

    /// Binds, starts serving, and returns once the port is known.
    /// Throws if the address cannot be bound or the options are invalid.
    public static func start(_ options: TeamsEmulatorOptions = TeamsEmulatorOptions()) async throws -> TeamsEmulatorServer {
        guard options.timeScale > 0, options.timeScale.isFinite else {
            throw TeamsEmulatorError.invalidOptions("timeScale must be a positive number")
        }
        guard (0...65_535).contains(options.port) else {
            throw TeamsEmulatorError.invalidOptions("port must be between 0 and 65535")
        }
        let stats = RequestStats()
        let dispatcher = NotificationDispatcher(tenant: options.tenant, notificationTimeout: options.notificationTimeout,
                                                stats: stats)
        guard options.deviceCodeInterval >= 1, options.deviceCodeLifetime > .zero, options.refreshTokenLifetime > .zero,
              options.presenceRequestsPer30s >= 1 else {
            throw TeamsEmulatorError.invalidOptions(
                "deviceCodeInterval, deviceCodeLifetime, refreshTokenLifetime and presenceRequestsPer30s must be positive")
        }
        let clock = EmulatorClock(timeScale: options.timeScale)
        let engine = PresenceEngine(clock: clock, dispatcher: dispatcher, seeds: options.users, domain: options.domain)
        let churn = ChurnDriver(engine: engine)
        let tokens = TokenIssuer(lifetime: options.tokenLifetime, refreshLifetime: options.refreshTokenLifetime,
                                 deviceCodeLifetime: options.deviceCodeLifetime,
                                 deviceCodeInterval: options.deviceCodeInterval, clock: clock)
        let routes = EmulatorRoutes(options: options, engine: engine, tokens: tokens,
                                    throttle: PresenceThrottle(budget: options.presenceRequestsPer30s), stats: stats, conditions: NetworkConditions(latency: options.latency),
                                    dispatcher: dispatcher, churn: churn)
        let router = Router(context: EmulatorRequestContext.self, options: .caseInsensitive)
        router.add(middleware: ErrorMiddleware())
        routes.register(on: router)

        var logger = Logger(label: "teams-emulator")
        logger.logLevel = options.verbose ? .info : .warning
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "teams-emulator"),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? options.port)
                portSink.finish()
            },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let runTask = Task {
            defer { portSink.finish() }
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await dispatcher.shutdownAndWait(engine: engine, churn: churn)
            if case .failure(let error) = await runTask.result { throw error }
            throw TeamsEmulatorError.notStarted
        }
        await engine.start()
        churn.configure(options.churn)
        return TeamsEmulatorServer(port: port, options: options, runTask: runTask, services: services, engine: engine,
                                   churn: churn, dispatcher: dispatcher, tokens: tokens)
    }

    /// A delegated access token for `user` (short name, UPN or object id) as the first public
    /// client, as `POST /_emulator/tokens` mints it (scopes: Presence.ReadWrite,
    /// Presence.Read.All, User.Read); `nil` for an unknown user. For in-process users such as the demo.
    public func mintDelegatedToken(user: String) async -> (accessToken: String, expiresIn: Duration)? {
        guard let subject = await engine.resolve(user) else { return nil }
        let scopes = DelegatedScopes.standard.filter { $0 != "offline_access" }
        let (access, _) = tokens.issueDelegated(clientID: options.publicClients.first ?? options.clientID,
                                                subject: subject, scopes: scopes)
        return (access, tokens.lifetime)
    }

    /// The object id of a user named by short name, UPN or object id; `nil` if there is none.
    public func objectID(of user: String) async -> String? { await engine.resolve(user) }

    /// Stops serving: closes the listener, lets requests in progress finish (for at most
    /// `gracePeriod`, then closes every connection), stops timers, churn and notification
    /// deliveries. Safe to call more than once.
    public func stop(gracePeriod: Duration = .seconds(2)) async {
        churn.stop()
        await engine.shutdown()
        dispatcher.shutdown()
        await services.triggerGracefulShutdown()
        let runTask = self.runTask
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await runTask.result }
            group.addTask {
                if (try? await Task.sleep(for: gracePeriod)) != nil { runTask.cancel() }
            }
            await group.next()
            group.cancelAll()
        }
        _ = await runTask.result
    }

    /// Serves with `options` until the calling task is cancelled, then stops.
    /// (`softphone teams-emulator --listen HOST:PORT`.)
    public static func run(options: TeamsEmulatorOptions) async throws {
        let server = try await start(options)
        await withTaskCancellationHandler {
            _ = await server.runTask.result
        } onCancel: {
            Task { await server.stop() }
        }
        await server.stop()
        if case .failure(let error) = await server.runTask.result, !(error is CancellationError) { throw error }
    }
}

/// Why the emulator could not start.
public enum TeamsEmulatorError: Error, CustomStringConvertible {
    case invalidOptions(String)
    case notStarted

    public var description: String {
        switch self {
        case .invalidOptions(let why): "invalid Teams emulator options: \(why)"
        case .notStarted: "the Teams emulator did not start"
        }
    }
}

extension NotificationDispatcher {
    /// Stops everything a half-started server created.
    func shutdownAndWait(engine: PresenceEngine, churn: ChurnDriver) async {
        churn.stop()
        await engine.shutdown()
        shutdown()
    }
}
