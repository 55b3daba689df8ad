import SoftphoneCore
@testable import TeamsSync

/// Graph as the plan sees it, scripted in memory: sessions and the preferred presence
/// aggregate as Teams does (preferred wins, else the busiest session), colleagues,
/// subscriptions that notify, an outage switch and injected error statuses.
final class FakeGraph {
    static let softphoneSession = "softphone"
    var sessions: [String: PresencePair] = ["teams-desktop": PresencePair(.available, .available)]
    var preferred: PresencePair?
    var outOfOffice = false
    var colleagues: [String: PresencePair] = ["bob": PresencePair(.busy, .inACall), "cat": PresencePair(.available, .available)]
    /// Live subscriptions: id → user ids.
    var subscriptions: [String: [String]] = [:]
    private var subscriptionCount = 0
    /// No answer at all (stopped): every request fails with a transport error.
    var down = false
    /// Every request answered with this status (a fault), with `Retry-After` for 429.
    var failStatus: Int?
    /// Creating a subscription is answered with this status (a failed validation handshake: 400).
    var subscribeStatus: Int?
    /// Renewing a subscription is answered with this status.
    var renewStatus: Int?
    /// Users whose presence changed, for the harness to notify about.
    var changed: [String] = []
    /// The agent's presence as Graph writes it, when it is a pair this client does not know
    /// (availability, activity); nil: the aggregate.
    var agentRaw: (String, String)?
    /// Ids Graph refuses (not object ids): a colleague batch holding one is answered 400.
    var brokenIDs: Set<String> = []
    /// Graph's time, set by the loop before each answer (for the preferred presence's expiry).
    var now = Instant.epoch
    /// When the preferred presence expires (Graph's default: 1 day for Busy/DoNotDisturb, 7 days for others).
    var preferredExpires: Instant?

    /// Every request answered so far, failures included.
    var requests: [SyncPlan.Request] = []

    var aggregate: PresencePair {
        if let preferred, preferredExpires.map({ now < $0 }) ?? true { return preferred }
        let rank: [Availability: Int] = [.doNotDisturb: 6, .busy: 5, .busyIdle: 4, .beRightBack: 3, .away: 2, .available: 1]
        return sessions.sorted { $0.key < $1.key }.max { rank[$0.value.availability, default: 0] < rank[$1.value.availability, default: 0] }?
            .value ?? PresencePair(.offline, .offline)
    }

    var aggregateText: String { "\(aggregate.availability.rawValue)/\(aggregate.activity.rawValue)" }

    /// Teams restarts: everything it held is gone but the Teams app's sessions.
    func restart() {
        sessions = ["teams-desktop": sessions["teams-desktop"] ?? PresencePair(.available, .available)]
        preferred = nil
        subscriptions = [:]
        down = false
    }

    func setTeamsApp(_ pair: PresencePair) {
        sessions["teams-desktop"] = pair
        changed.append("ada")
    }

    func setColleague(_ id: String, _ pair: PresencePair) {
        colleagues[id] = pair
        changed.append(id)
    }

    func count(_ match: (SyncPlan.Request) -> Bool) -> Int { requests.filter(match).count }
    var subscribeRequests: Int { count { if case .subscribe = $0 { true } else { false } } }
    var agentReads: Int { count { $0 == .readAgent } }
    /// The writes: setPresence, clearPresence, setUserPreferredPresence, clearUserPreferredPresence.
    var writes: [SyncPlan.Request] {
        requests.filter {
            switch $0 {
            case .setSession, .clearSession, .setPreferred, .clearPreferred: true
            default: false
            }
        }
    }

    func answer(_ request: SyncPlan.Request) -> Result<SyncPlan.Response, GraphError> {
        requests.append(request)
        let operation = "\(request)"
        if down { return .failure(GraphError(.transport("connection refused"), operation: operation)) }
        if let failStatus { return .failure(GraphError(.status(failStatus, code: "fault", message: nil), operation: operation)) }
        switch request {
        case .setSession(let pair):
            sessions[Self.softphoneSession] = pair
            changed.append("ada")
        case .clearSession:
            // Graph: 404 when there is no such session.
            guard sessions[Self.softphoneSession] != nil else {
                return .failure(GraphError(.status(404, code: "NotFound", message: nil), operation: operation))
            }
            sessions[Self.softphoneSession] = nil
            changed.append("ada")
        case .setPreferred(let pair):
            preferred = pair
            let busy = pair.availability == .busy || pair.availability == .doNotDisturb
            preferredExpires = now + .seconds(busy ? 24 * 3600 : 7 * 24 * 3600)
            changed.append("ada")
        case .clearPreferred:
            preferred = nil
            preferredExpires = nil
            changed.append("ada")
        case .readAgent:
            if let (availability, activity) = agentRaw {
                return .success(.presence(PresenceResource(id: "ada", availability: availability, activity: activity,
                                                           outOfOfficeSettings: nil)))
            }
            return .success(.presence(resource("ada", aggregate)))
        case .readColleagues(let ids):
            if ids.contains(where: brokenIDs.contains) {
                return .failure(GraphError(.status(400, code: "BadRequest", message: "invalid id"), operation: operation))
            }
            return .success(.presences(ids.compactMap { id in colleagues[id].map { resource(id, $0) } }))
        case .subscribe(let ids, let url, let clientState, let expiration):
            if let subscribeStatus {
                return .failure(GraphError(.status(subscribeStatus, code: "ValidationError", message: nil), operation: operation))
            }
            subscriptionCount += 1
            let id = "sub-\(subscriptionCount)"
            subscriptions[id] = ids
            return .success(.subscription(SubscriptionResource(
                id: id, changeType: "updated", notificationUrl: url, resource: "/communications/presences",
                expirationDateTime: "\(expiration)", clientState: clientState, lifecycleNotificationUrl: url)))
        case .renew(let id, _) where renewStatus != nil:
            _ = id
            return .failure(GraphError(.status(renewStatus!, code: "fault", message: nil), operation: operation))
        case .renew(let id, _), .delete(let id):
            guard subscriptions[id] != nil else {
                return .failure(GraphError(.status(404, code: "ResourceNotFound", message: nil), operation: operation))
            }
            if case .delete = request { subscriptions[id] = nil }
        }
        return .success(.done)
    }

    private func resource(_ id: String, _ pair: PresencePair) -> PresenceResource {
        PresenceResource(id: id, availability: pair.availability.rawValue, activity: pair.activity.rawValue,
                         outOfOfficeSettings: id == "ada" ? .init(message: nil, isOutOfOffice: outOfOffice) : nil)
    }
}

/// The reducer and the sync plan in one loop on virtual time, as the driver runs them:
/// commands go to the plan, its requests to the fake Graph (each answered `latency`
/// later), its reports back into the reducer; timers in a `DeadlineQueue`. Webhook mode:
/// Graph's changes on subscribed users come back as notifications `latency` later.
struct PlanLoop {
    var state = SoftphoneState(settings: CoreSettings())
    var plan: SyncPlan
    let graph = FakeGraph()
    var now = Instant(secondsSinceEpoch: 1_736_940_180)
    var latency: Duration = .milliseconds(10)
    var colleagues: [String: Presence] = [:]
    /// Every report, in order.
    var reports: [TeamsReport] = []
    private var timers = DeadlineQueue<SyncPlan.Timer, Instant>()
    private var answer: (request: SyncPlan.Request, at: Instant)?
    private var notifications: [(ids: [String], at: Instant)] = []
    /// The tenant gate's bookkeeping, as `TenantGate` keeps it: requests wait for it.
    var gate: RequestBudget
    /// When each request reached Graph (admitted by the gate), in order.
    var requestTimes: [Instant] = []
    /// Requests the gate had to hold (the plan alone did not fit the budget, or Graph asked to wait).
    var gateHeld = 0
    /// Graph throttles until then: every request is answered 429 with `Retry-After: seconds`.
    var throttle: (until: Instant, retryAfter: Int)?
    /// When Graph answered 429 (while throttling).
    var throttledAt: [Instant] = []

    init(pollInterval: Duration = .milliseconds(100), colleagueIDs: [String] = [], webhook: SyncPlan.Webhook? = nil,
         seed: UInt64 = 7, budget: Int = 30, preferredRefresh: Duration = .seconds(12 * 3600)) {
        plan = SyncPlan(options: .init(pollInterval: pollInterval, colleagues: colleagueIDs, webhook: webhook,
                                       maxRequestsPer30s: budget, preferredRefresh: preferredRefresh),
                        agentID: "ada", jitterSeed: seed)
        gate = RequestBudget(limit: budget)
        handle(.start)
    }

    /// The most requests that reached Graph in any 30 s window `[t, t + 30 s)` from `start` on.
    func busiestWindow(from start: Instant = .epoch) -> Int {
        let times = requestTimes.filter { $0 >= start }
        var busiest = 0, tail = 0
        for head in times.indices {
            while times[head] - times[tail] >= .seconds(30) { tail += 1 }
            busiest = max(busiest, head - tail + 1)
        }
        return busiest
    }

    /// Webhook mode with polling and drift checks too slow to matter within a test.
    static func webhook(colleagueIDs: [String] = [], pollInterval: Duration = .seconds(120)) -> PlanLoop {
        PlanLoop(pollInterval: pollInterval, colleagueIDs: colleagueIDs,
                 webhook: .init(notificationURL: "http://127.0.0.1:8080/notifications", clientState: "secret",
                                driftCheck: .seconds(120), retry: .seconds(120)))
    }

    var notes: [String] { state.log.events.map(\.text) }
    func colleague(_ id: String) -> Presence? { colleagues[id] }

    /// An action for the reducer; its Teams commands go to the plan at once.
    mutating func send(_ action: Action) {
        let effects = Reducer.reduce(&state, action, at: now)
        for case .teams(let command) in effects { handle(.command(command)) }
    }

    mutating func handle(_ event: SyncPlan.Event) {
        let outputs = plan.handle(event, at: now)
        for output in outputs {
            switch output {
            case .send(let request):
                precondition(answer == nil, "two requests in flight")
                let admitted = gate.nextAdmission(at: now)
                if admitted > now { gateHeld += 1 }
                gate.admit(at: admitted)
                requestTimes.append(admitted)
                answer = (request, admitted + latency)
            case .startTimer(let timer, let at): timers.start(timer, at: at)
            case .cancelTimer(let timer): timers.cancel(timer)
            case .report(let report):
                reports.append(report)
                switch report {
                case .action(let action): send(action)
                case .colleague(let id, let presence): colleagues[id] = presence
                }
            }
        }
    }

    /// Advances virtual time by `duration`, handling answers, notifications and timers as they fall due.
    mutating func run(for duration: Duration) {
        _ = run(until: now + duration) { _ in false }
    }

    /// Advances virtual time until `condition` holds (true) or `limit` passes (false).
    mutating func eventually(within limit: Duration = .seconds(10), _ condition: (PlanLoop) -> Bool) -> Bool {
        run(until: now + limit, condition)
    }

    private mutating func run(until end: Instant, _ condition: (PlanLoop) -> Bool) -> Bool {
        var steps = 0
        while !condition(self) {
            steps += 1
            precondition(steps < 1_000_000, "the plan does not settle")
            queueNotifications()
            var next = timers.nextDeadline()
            if let answer { next = min(next ?? answer.at, answer.at) }
            if let first = notifications.first { next = min(next ?? first.at, first.at) }
            guard let due = next, due <= end else {
                now = max(now, end)
                return condition(self)
            }
            now = max(now, due)
            if let pending = answer, pending.at <= now {
                answer = nil
                graph.now = now
                if let throttle, now < throttle.until {
                    // As the client does: the gate holds the tenant; the status bar is told.
                    graph.requests.append(pending.request)
                    throttledAt.append(now)
                    gate.retryAfter(.seconds(throttle.retryAfter), answeredAt: now)
                    send(.teamsAskedToWait(.seconds(throttle.retryAfter), until: now + .seconds(throttle.retryAfter)))
                    handle(.completed(.failure(GraphError(.status(429, code: "TooManyRequests", message: nil),
                                                          operation: "\(pending.request)"))))
                } else {
                    handle(.completed(graph.answer(pending.request)))
                }
            } else if let first = notifications.first, first.at <= now {
                notifications.removeFirst()
                handle(.notified(.changed(userIDs: first.ids)))
            } else {
                for timer in timers.takeDue(at: now) { handle(.timerFired(timer)) }
            }
        }
        return true
    }

    /// Graph notifies subscribed users' changes (including those the softphone made).
    private mutating func queueNotifications() {
        guard !graph.changed.isEmpty else { return }
        let subscribed = Set(graph.subscriptions.values.joined())
        let ids = graph.changed.filter(subscribed.contains)
        graph.changed = []
        if !ids.isEmpty { notifications.append((ids, now + latency)) }
    }

    /// Carries out the plan's unsubscribe (on quit) against the fake Graph.
    mutating func unsubscribe() {
        for request in plan.unsubscribe() { _ = graph.answer(request) }
    }
}
