import SoftphoneCore
import TeamsSync

/// The real Teams connection: the reducer's commands go, in order, to a
/// `TeamsSyncService` (the sync engine, and in webhook mode its notification
/// receiver) talking to Microsoft Graph or the emulator; what it reports comes back
/// through the runtime's `Inbox`.
public final class GraphTeamsConnector: TeamsConnector {
    private let commands: AsyncStream<TeamsCommand>.Continuation
    private let consumer: Task<TeamsSyncService, Never>

    /// - Parameter names: display names of colleagues by Teams id, for the Team tab.
    public init(client: GraphClient, options: TeamsSyncEngine.Options, webhook: TeamsSyncService.WebhookSetup? = nil,
                names: [String: String], inbox: Inbox) {
        let report: @Sendable (TeamsReport) -> Void = { report in
            switch report {
            case .action(let action):
                inbox.post(action)
            case .colleague(let id, let presence):
                inbox.post(.colleague(id: id, name: names[id] ?? id, presence: presence))
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: TeamsCommand.self)
        commands = continuation
        // One consumer keeps the commands in the order the reducer issued them.
        let run: @Sendable () async -> TeamsSyncService = {
            let service = await TeamsSyncService.start(client: client, options: options, webhook: webhook, report: report)
            for await command in stream { await service.engine.perform(command) }
            return service
        }
        consumer = Task(operation: run)
    }

    public func perform(_ command: TeamsCommand, at now: Instant) {
        commands.yield(command)
    }

    /// Delivers the commands already issued (logout's, on quit) for at most `timeout`,
    /// then deletes the subscriptions and stops.
    public func close(timeout: Duration) {
        commands.finish()
        let consumer = self.consumer
        _ = try? blocking(timeout: timeout) { await consumer.value.close(flushTimeout: timeout) }
    }

    deinit {
        commands.finish()
        let consumer = self.consumer
        Task { await consumer.value.stop() }
    }
}
