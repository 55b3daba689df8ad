import Foundation
import SoftphoneCore
import TeamsSync

/// The real Teams connection: the reducer's commands go, in order, to a
/// `TeamsSyncService` (the sync engine, and in webhook mode its notification
/// receiver) talking to Microsoft Graph or the emulator; what it reports comes back
/// through the runtime's `Inbox`.
public final class GraphTeamsConnector: TeamsConnector {
    private let commands: AsyncStream<TeamsCommand>.Continuation
    private let consumer: Task<TeamsSyncService, Never>
    /// Resolving the configured ids (retrying while the agent's cannot be); cancelled on close.
    private let resolving: Task<TeamsIdentity, Never>?

    /// How the configured ids become object ids before the sync starts (SPEC section 9).
    public struct Resolution: Sendable {
        /// The client acts for the signed-in agent (`/me` works).
        public var delegated: Bool
        /// Waits between attempts while the agent's own id cannot be resolved.
        public var retryAfter: Duration
        public var clock: any SyncClock

        public init(delegated: Bool, retryAfter: Duration = .seconds(30), clock: any SyncClock = SystemSyncClock()) {
            self.delegated = delegated
            self.retryAfter = retryAfter
            self.clock = clock
        }
    }

    /// - Parameters:
    ///   - names: display names of colleagues by their configured Teams id, for the Team tab.
    ///   - resolution: when given, the agent's `user_id` and the colleagues' ids that are UPNs
    ///     are resolved to object ids once, before the sync starts; until the agent's own id
    ///     is known the link shows ❎ with the reason (a sign-in prompt when there is no
    ///     sign-in). A colleague that does not resolve is said once in the Log and stays Unknown.
    public init(client: GraphClient, options: TeamsSyncEngine.Options, webhook: TeamsSyncService.WebhookSetup? = nil,
                names: [String: String], inbox: Inbox, resolution: Resolution? = nil) {
        let identities = IdentityBox()
        let report: @Sendable (TeamsReport) -> Void = { report in
            switch report {
            case .action(let action):
                inbox.post(action)
            case .colleague(let id, let presence):
                let configured = identities.configuredID(for: id)
                inbox.post(.colleague(id: configured, name: names[configured] ?? configured, presence: presence))
            }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: TeamsCommand.self)
        commands = continuation
        // One consumer keeps the commands in the order the reducer issued them.
        let resolving = resolution.map { resolution in
            Task { await Self.resolve(client: client, colleagues: options.colleagues, resolution, inbox: inbox) }
        }
        self.resolving = resolving
        let run: @Sendable () async -> TeamsSyncService = {
            var client = client
            var options = options
            var identity: TeamsIdentity?
            if let resolving {
                let resolved = await resolving.value
                identities.set(resolved.configuredID)
                client = client.acting(as: resolved.agentID)
                options.colleagues = resolved.colleagueIDs
                identity = resolved
            }
            let service = await TeamsSyncService.start(client: client, options: options, webhook: webhook, report: report)
            // Colleagues that could not be resolved for a passing reason are asked for again.
            let retrying = identity.flatMap { identity -> Task<Void, Never>? in
                guard !identity.retryable.isEmpty, let resolution else { return nil }
                let client = client
                return Task {
                    await Self.retryColleagues(identity, client: client, engine: service.engine, identities: identities,
                                               resolution, inbox: inbox)
                }
            }
            for await command in stream { await service.engine.perform(command) }
            retrying?.cancel()
            return service
        }
        consumer = Task(operation: run)
    }

    /// Resolves until the agent's own id is known (retrying every `retryAfter`, ❎ meanwhile),
    /// or the task is cancelled (then the ids stay as configured).
    static func resolve(client: GraphClient, colleagues: [String], _ resolution: Resolution,
                        inbox: Inbox) async -> TeamsIdentity {
        var lastReason: String?
        while true {
            do throws(GraphError) {
                let identity = try await TeamsIdentity.resolve(client: client, delegated: resolution.delegated,
                                                               userID: client.configuration.userID, colleagues: colleagues)
                for (id, reason) in identity.unresolved {
                    let later = identity.retryable.contains(id) ? "asked again later" : "shown as Unknown"
                    inbox.post(.note(.teams, "Teams: colleague \(id) not found: \(reason); \(later)"))
                }
                return identity
            } catch {
                if Task.isCancelled { break }
                let reason = error.description
                if reason != lastReason {
                    inbox.post(.teamsDisconnected(reason: reason))
                    inbox.post(.note(.teams, error.detail))
                    lastReason = reason
                }
            }
            let clock = resolution.clock
            do { try await clock.sleep(until: clock.now + resolution.retryAfter) } catch { break }
        }
        // Closed before the agent's id was known: the ids stay as configured.
        return TeamsIdentity(agentID: client.configuration.userID,
                             configuredID: Dictionary(colleagues.map { ($0, $0) }, uniquingKeysWith: { a, _ in a }),
                             unresolved: [])
    }

    /// Asks again for the colleagues whose ids did not resolve for a passing reason, after
    /// `retryAfter`, then twice as long each time up to 10 minutes, until every one has an
    /// answer; each found joins the sync at once (and the webhook subscriptions).
    static func retryColleagues(_ identity: TeamsIdentity, client: GraphClient, engine: TeamsSyncEngine,
                                identities: IdentityBox, _ resolution: Resolution, inbox: Inbox) async {
        var known = identity.configuredID
        var pending = identity.retryable
        var wait = resolution.retryAfter
        let clock = resolution.clock
        while !pending.isEmpty {
            do { try await clock.sleep(until: clock.now + wait) } catch { return }
            if Task.isCancelled { return }
            let again = await TeamsIdentity.resolveColleagues(client: client, pending)
            if !again.configuredID.isEmpty {
                known.merge(again.configuredID) { _, new in new }
                identities.set(known)
                await engine.setColleagues(known.keys.sorted())
                for configured in again.configuredID.values.sorted() {
                    inbox.post(.note(.teams, "Teams: colleague \(configured) found"))
                }
            }
            for (id, reason) in again.unresolved where !again.retryable.contains(id) {
                inbox.post(.note(.teams, "Teams: colleague \(id) not found: \(reason); shown as Unknown"))
            }
            pending = again.retryable
            wait = min(wait * 2, .seconds(600))
        }
    }

    public func perform(_ command: TeamsCommand, at now: Instant) {
        commands.yield(command)
    }

    /// Delivers the commands already issued (logout's, on quit) for at most `timeout`,
    /// then deletes the subscriptions and stops.
    public func close(timeout: Duration) {
        commands.finish()
        resolving?.cancel()
        let consumer = self.consumer
        _ = try? blocking(timeout: timeout) { await consumer.value.close(flushTimeout: timeout) }
    }

    deinit {
        commands.finish()
        resolving?.cancel()
        let consumer = self.consumer
        Task { await consumer.value.stop() }
    }
}

/// Object id → configured Teams id, set once the ids are resolved; read on every report.
final class IdentityBox: @unchecked Sendable {
    private let lock = NSLock()
    private var map: [String: String] = [:]

    func set(_ map: [String: String]) {
        lock.withLock { self.map = map }
    }

    func configuredID(for id: String) -> String {
        lock.withLock { map[id] } ?? id
    }
}
