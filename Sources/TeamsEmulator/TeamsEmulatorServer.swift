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

    /// `http://HOST:PORT`, with the listening host (IPv6 in brackets).
    public var baseURL: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port)"
    }

    /// Graph's service root: `baseURL + "/v1.0"`.
    public var graphBaseURL: String { baseURL + "/v1.0" }

    /// The token endpoint: `baseURL + "/{tenant}/oauth2/v2.0/token"`.
    public var tokenURL: String { "\(baseURL)/\(options.tenant)/oauth2/v2.0/token" }

    private init(port: Int, options: TeamsEmulatorOptions, runTask: Task<Void, any Error>, services: ServiceGroup,
                 engine: PresenceEngine, churn: ChurnDriver, dispatcher: NotificationDispatcher) {
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
        let engine = PresenceEngine(clock: EmulatorClock(timeScale: options.timeScale), dispatcher: dispatcher,
                                    seeds: options.users)
        let churn = ChurnDriver(engine: engine)
        let routes = EmulatorRoutes(options: options, engine: engine, tokens: TokenIssuer(lifetime: options.tokenLifetime),
                                    stats: stats, conditions: NetworkConditions(latency: options.latency),
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
                                   churn: churn, dispatcher: dispatcher)
    }

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
