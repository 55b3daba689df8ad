import Foundation

/// The sync engine with, in webhook mode, its notification receiver: started together,
/// the receiver's events going to the engine, stopped together.
public struct TeamsSyncService: Sendable {
    /// Where Graph's change notifications are received.
    public struct WebhookSetup: Sendable {
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        /// The URL Graph posts to; `nil` means the receiver's own `http://host:port/notifications`.
        public var publicURL: String?
        public init(host: String, port: Int, publicURL: String? = nil) {
            self.host = host
            self.port = port
            self.publicURL = publicURL
        }
    }

    public let engine: TeamsSyncEngine
    public let receiver: WebhookReceiver?

    /// Starts the receiver (when `webhook` is given), then the engine. If the receiver
    /// cannot listen, the Log says so and the engine polls (`options.webhook` is then
    /// dropped; only its timings are used otherwise).
    public static func start(client: GraphClient, options: TeamsSyncEngine.Options, webhook: WebhookSetup?,
                             clock: any SyncClock = SystemSyncClock(), report: @escaping @Sendable (TeamsReport) -> Void) async -> TeamsSyncService {
        var options = options
        var receiver: WebhookReceiver?
        let box = EngineBox()
        if let webhook {
            let clientState = Self.clientState()
            do {
                let started = try await WebhookReceiver.start(host: webhook.host, port: webhook.port,
                                                              clientState: clientState) { event in
                    Task { await box.engine?.notified(event) }
                }
                receiver = started
                // Timings given in `options.webhook` are kept; the URL and the secret are set here.
                var timing = options.webhook ?? .init(notificationURL: "", clientState: "")
                timing.notificationURL = webhook.publicURL ?? started.localURL
                timing.clientState = clientState
                options.webhook = timing
            } catch {
                options.webhook = nil
                report(.action(.note(.error, "\(error); polling Teams instead")))
            }
        }
        let engine = TeamsSyncEngine(client: client, options: options, clock: clock, report: report)
        await box.set(engine)
        await engine.start()
        return TeamsSyncService(engine: engine, receiver: receiver)
    }

    /// On quit: delivers what was asked (for as long as the caller waits), deletes the
    /// subscriptions, stops.
    public func close(flushTimeout: Duration? = nil) async {
        await engine.flush(timeout: flushTimeout)
        // Stop the worker first, so it cannot subscribe again behind our back.
        await engine.stop()
        await engine.unsubscribe()
        await receiver?.stop()
    }

    public func stop() async {
        await engine.stop()
        await receiver?.stop()
    }

    /// A fresh secret for `clientState`: notifications that do not carry it are ignored.
    static func clientState() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 36) }.joined(separator: "-")
    }
}

/// The engine, once created, for the receiver's handler (which exists before it).
private actor EngineBox {
    var engine: TeamsSyncEngine?
    func set(_ engine: TeamsSyncEngine) { self.engine = engine }
}
