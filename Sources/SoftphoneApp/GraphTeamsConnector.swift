import Foundation
import SoftphoneCore
import TeamsSync

/// The real Teams connection: the reducer's commands go, in order, to a
/// `TeamsSyncEngine` talking to Microsoft Graph (or the emulator); what it
/// reports comes back through the runtime's `Inbox`. In webhook mode it first
/// starts the local `WebhookReceiver` and hands its events to the engine; if the
/// receiver cannot listen, it says so and polls.
public final class GraphTeamsConnector: TeamsConnector {
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

    private let commands: AsyncStream<TeamsCommand>.Continuation
    private let consumer: Task<Running, Never>

    /// - Parameter names: display names of colleagues by Teams id, for the Team tab.
    public init(client: GraphClient, options: TeamsSyncEngine.Options, webhook: WebhookSetup? = nil,
                names: [String: String], inbox: Inbox) {
        let report: @Sendable (TeamsReport) -> Void = { report in
            switch report {
            case .action(let action):
                inbox.post(.action(action))
            case .colleague(let id, let presence):
                inbox.post(.colleague(id: id, name: names[id] ?? id, presence: presence))
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: TeamsCommand.self)
        commands = continuation
        let run: @Sendable () async -> Running = {
            await Self.run(client: client, options: options, webhook: webhook, commands: stream, report: report)
        }
        consumer = Task(operation: run)
    }

    /// Starts the receiver (webhook mode) and the engine, then hands it the commands in
    /// the order the reducer issued them, until the stream ends.
    private static func run(client: GraphClient, options: TeamsSyncEngine.Options, webhook: WebhookSetup?,
                            commands: AsyncStream<TeamsCommand>,
                            report: @escaping @Sendable (TeamsReport) -> Void) async -> Running {
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
                options.webhook = .init(notificationURL: webhook.publicURL ?? started.localURL, clientState: clientState)
            } catch {
                report(.action(.note(.error, "\(error); polling Teams instead")))
            }
        }
        let engine = TeamsSyncEngine(client: client, options: options, report: report)
        await box.set(engine)
        await engine.start()
        for await command in commands { await engine.perform(command) }
        return Running(engine: engine, receiver: receiver)
    }

    public func perform(_ command: TeamsCommand, at now: Instant) {
        commands.yield(command)
    }

    /// Delivers the commands already issued (logout's, on quit) for at most `timeout`,
    /// then deletes the subscriptions and stops.
    public func close(timeout: Duration) {
        commands.finish()
        let consumer = self.consumer
        _ = try? blocking(timeout: .milliseconds(Int(timeout.components.seconds * 1000 + 1))) {
            let running = await consumer.value
            await running.engine.flush()
            await running.engine.unsubscribe()
            await running.engine.stop()
            await running.receiver?.stop()
        }
    }

    deinit {
        commands.finish()
        let consumer = self.consumer
        Task {
            let running = await consumer.value
            await running.engine.stop()
            await running.receiver?.stop()
        }
    }

    /// A fresh secret for `clientState`: notifications that do not carry it are ignored.
    static func clientState() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 36) }.joined(separator: "-")
    }
}

/// What the consumer task started.
private struct Running: Sendable {
    let engine: TeamsSyncEngine
    let receiver: WebhookReceiver?
}

/// The engine, once created, for the receiver's handler (which exists before it).
private actor EngineBox {
    var engine: TeamsSyncEngine?
    func set(_ engine: TeamsSyncEngine) { self.engine = engine }
}
