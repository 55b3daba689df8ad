import SoftphoneCore
import TeamsSync

/// The real Teams connection: the reducer's commands go, in order, to a
/// `TeamsSyncEngine` talking to Microsoft Graph (or the emulator); what it
/// reports comes back through the runtime's `Inbox`.
public final class GraphTeamsConnector: TeamsConnector {
    private let engine: TeamsSyncEngine
    private let commands: AsyncStream<TeamsCommand>.Continuation
    private let consumer: Task<Void, Never>

    /// - Parameter names: display names of colleagues by Teams id, for the Team tab.
    public init(client: GraphClient, options: TeamsSyncEngine.Options, names: [String: String], inbox: Inbox) {
        let engine = TeamsSyncEngine(client: client, options: options) { report in
            switch report {
            case .action(let action):
                inbox.post(.action(action))
            case .colleague(let id, let presence):
                inbox.post(.colleague(id: id, name: names[id] ?? id, presence: presence))
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: TeamsCommand.self)
        self.engine = engine
        self.commands = continuation
        // One consumer keeps the commands in the order the reducer issued them.
        consumer = Task {
            await engine.start()
            for await command in stream { await engine.perform(command) }
        }
    }

    public func perform(_ command: TeamsCommand, at now: Instant) {
        commands.yield(command)
    }

    deinit {
        commands.finish()
        consumer.cancel()
        let engine = self.engine
        Task { await engine.stop() }
    }
}
