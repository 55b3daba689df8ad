import Foundation
import SoftphoneCore
import Synchronization
@testable import TeamsSync

/// The reducer and the sync engine in one loop, as the app runs them: Teams commands
/// go to the engine in order; the engine's reports go back into the reducer.
final class SyncLoop: @unchecked Sendable {
    private let lock = Mutex(SoftphoneState(settings: CoreSettings()))
    private let colleagues = Mutex([String: Presence]())
    private let service: Task<TeamsSyncService, Never>
    private let commands: AsyncStream<TeamsCommand>.Continuation
    private let consumer: Task<Void, Never>

    /// Give it a client with `maxRetries: 1`, as the app does. The budget is large, so that
    /// these real-time wiring tests poll at `pollInterval` (the budget: `GraphLimitsTests`).
    init(client: GraphClient, pollInterval: Duration = .milliseconds(100), colleagueIDs: [String] = [],
         webhook: TeamsSyncService.WebhookSetup? = nil, webhookTiming: TeamsSyncEngine.Webhook? = nil,
         budget: Int = 1200) {
        let (stream, continuation) = AsyncStream.makeStream(of: TeamsCommand.self)
        commands = continuation
        // Reports are handed to `receive` through a box, since self is not ready yet.
        let box = Mutex<SyncLoop?>(nil)
        let options = TeamsSyncEngine.Options(pollInterval: pollInterval, colleagues: colleagueIDs, webhook: webhookTiming,
                                              maxRequestsPer30s: budget)
        let start: @Sendable () async -> TeamsSyncService = {
            await TeamsSyncService.start(client: client, options: options, webhook: webhook) { report in
                box.withLock { $0 }?.receive(report)
            }
        }
        let service = Task(operation: start)
        self.service = service
        consumer = Task {
            let engine = await service.value.engine
            for await command in stream { await engine.perform(command) }
        }
        box.withLock { $0 = self }
    }

    var engine: TeamsSyncEngine { get async { await service.value.engine } }

    var state: SoftphoneState { lock.withLock { $0 } }
    func colleague(_ id: String) -> Presence? { colleagues.withLock { $0[id] } }

    func send(_ action: Action) {
        let effects = lock.withLock { state in Reducer.reduce(&state, action, at: WallClock.now) }
        for case .teams(let command) in effects { commands.yield(command) }
    }

    private func receive(_ report: TeamsReport) {
        switch report {
        case .action(let action): send(action)
        case .colleague(let id, let presence): colleagues.withLock { $0[id] = presence }
        }
    }

    /// The Log tab's lines so far.
    var notes: [String] { state.log.events.map(\.text) }

    /// As the app quits: hands over the commands already issued, then closes the service
    /// (delivers them, deletes the subscriptions, stops).
    func close() async {
        commands.finish()
        await consumer.value
        await service.value.close()
    }

    func stop() async {
        commands.finish()
        consumer.cancel()
        await service.value.stop()
    }
}

enum WallClock {
    static var now: Instant {
        Instant(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
    }
}
