import SoftphoneCore

/// What the sync reports back to the softphone.
public enum TeamsReport: Sendable, Hashable {
    /// Hand this action to the reducer (presence, delivery, connection, log notes).
    case action(Action)
    /// A colleague's presence for the Team tab.
    case colleague(id: String, presence: Presence)
}

/// The Teams sync as a pure state machine: state + event + time → the Graph requests to
/// make, the timers to start and the reports to give. No clock, no I/O, no `async`; the
/// `TeamsSyncEngine` runs it (performs the requests, keeps the timers, feeds back results).
///
/// It pushes only what changed (everything on resync), reads the presence back after
/// each delivery so reports carry the revision they reflect, keeps the softphone's
/// session alive, polls (or, with webhooks, subscribes, renews and reads what a
/// notification names), and while Teams is unreachable keeps the desired state and
/// tries again with jittered exponential backoff. One request is in flight at a time.
///
/// Per-request retries (401 → new token, 429 `Retry-After`, 5xx) belong to the HTTP
/// layer (`GraphClient`); give it few retries (`maxRetries: 1`) so that a lost
/// connection shows as ❎ within one request timeout.
public struct SyncPlan: Sendable {
    public struct Options: Sendable {
        /// How often to read the agent's presence (and the colleagues') when polling, at
        /// most: the budget may make it slower (see `Pace`).
        public var pollInterval: Duration
        /// Colleagues' Teams ids for the Team tab.
        public var colleagues: [String]
        /// Renew the session this long before Teams would idle or expire it.
        public var keepAlive: Duration
        /// Change notifications instead of polling; `nil` polls.
        public var webhook: Webhook?
        /// At most this many requests per 30 s (`teams.max_requests_per_30s`); polling is
        /// planned to use half of it (see `Pace`), the `TenantGate` enforces all of it.
        public var maxRequestsPer30s: Int
        /// Send the preferred presence again this often: Graph expires a preferred presence
        /// set without `expirationDuration` after 1 day (Busy, DoNotDisturb) or 7 days.
        public var preferredRefresh: Duration
        public init(pollInterval: Duration = .seconds(1), colleagues: [String] = [], keepAlive: Duration = .seconds(120),
                    webhook: Webhook? = nil, maxRequestsPer30s: Int = 30, preferredRefresh: Duration = .seconds(12 * 3600)) {
            self.pollInterval = pollInterval
            self.colleagues = colleagues
            self.keepAlive = keepAlive
            self.webhook = webhook
            self.maxRequestsPer30s = maxRequestsPer30s
            self.preferredRefresh = preferredRefresh
        }
    }

    /// How often the plan reads, so that polling fits the request budget, the agent first.
    ///
    /// The rule, for a budget of B requests per 30 s (default 30):
    /// - Half of B is kept for what the agent's actions cause (writes and their read-backs,
    ///   resyncs) and for session keep-alives, the preferred presence's refresh and
    ///   subscription renewals. These always go as soon as they are asked for.
    /// - The other half, P = max(2, B / 2) reads per 30 s, polls. Without colleagues the
    ///   agent's presence has all of it: read every max(pollInterval, 30 s / P).
    /// - With colleagues they get C = max(1, P / 3) reads per 30 s, one batch of at most 650
    ///   ids per read, the batches in turn; the agent keeps A = P − C: read every
    ///   max(pollInterval, 30 s / A), while each colleague is read every
    ///   batches × max(pollInterval, 30 s / C) — less often as the roster grows.
    /// - With change notifications working, notifications replace polling; the drift check's
    ///   full pull (the agent and every batch) runs every max(driftCheck, 30 s × (1 + batches) / P).
    ///
    /// B = 30, pollInterval = 1 s: no colleagues, the agent every 2 s; 650 colleagues (1
    /// batch), the agent every 3 s and the colleagues every 6 s; 2,000 (4 batches), the
    /// agent every 3 s and each colleague every 24 s — 15 polling reads per 30 s in each case.
    public struct Pace: Sendable, Hashable {
        public var agentInterval: Duration
        /// Between two colleague batch reads.
        public var colleagueInterval: Duration
        public var colleagueBatches: Int
        public var driftCheck: Duration?

        public init(_ options: Options) {
            let window = Duration.seconds(30)
            let polling = max(2, options.maxRequestsPer30s / 2)
            let batches = (options.colleagues.count + GraphClient.presenceBatchLimit - 1) / GraphClient.presenceBatchLimit
            let forColleagues = batches == 0 ? 0 : max(1, polling / 3)
            let forAgent = polling - forColleagues
            agentInterval = max(options.pollInterval, window / forAgent)
            colleagueInterval = forColleagues == 0 ? options.pollInterval : max(options.pollInterval, window / forColleagues)
            colleagueBatches = batches
            driftCheck = options.webhook.map { max($0.driftCheck, window * (1 + batches) / polling) }
        }

        /// Each colleague is read this often when polling.
        public var colleagueCycle: Duration { colleagueInterval * max(1, colleagueBatches) }

        /// A change in Teams shown within this long is not worth a word in the status bar: at
        /// the default settings (1 s, 30 requests per 30 s) the agent is read every 2–3 s, and
        /// saying "slowed" all day would read as a fault.
        public static let noticeableDelay = Duration.seconds(5)

        /// Whether the budget makes the agent's presence read less often than `pollInterval`
        /// and than `noticeableDelay`: what the status bar says.
        public func slowsAgent(_ options: Options) -> Bool {
            agentInterval > max(options.pollInterval, Self.noticeableDelay)
        }
    }

    /// Change notifications: subscriptions on the agent's and the colleagues' presence
    /// that post to `notificationURL` (served by a `WebhookReceiver`, whose events come in
    /// as `.notified`). While they work the plan reads only what a notification names,
    /// plus a full pull every `driftCheck`; while they cannot be set up it polls every
    /// `pollInterval` and tries again every `retry` (doubling, at most 30 min).
    public struct Webhook: Sendable {
        public var notificationURL: String
        public var clientState: String
        /// How long each subscription is asked for (Graph allows presence at most an hour).
        public var lifetime: Duration
        /// Renew this long before a subscription expires.
        public var renewBefore: Duration
        public var driftCheck: Duration
        public var retry: Duration
        public init(notificationURL: String, clientState: String, lifetime: Duration = .seconds(55 * 60),
                    renewBefore: Duration = .seconds(5 * 60), driftCheck: Duration = .seconds(30),
                    retry: Duration = .seconds(60)) {
            self.notificationURL = notificationURL
            self.clientState = clientState
            self.lifetime = lifetime
            self.renewBefore = renewBefore
            self.driftCheck = driftCheck
            self.retry = retry
        }
    }

    /// A Graph request for the driver to perform.
    public enum Request: Sendable, Hashable {
        case setSession(PresencePair)
        case clearSession
        case setPreferred(PresencePair)
        case clearPreferred
        case readAgent
        case readColleagues([String])
        case subscribe(ids: [String], notificationURL: String, clientState: String, expiration: Instant)
        case renew(subscriptionID: String, until: Instant)
        case delete(subscriptionID: String)
    }

    /// A successful request's answer.
    public enum Response: Sendable, Hashable {
        case done
        case presence(PresenceResource)
        case presences([PresenceResource])
        case subscription(SubscriptionResource)
    }

    public enum Timer: Sendable, Hashable {
        /// Nothing to do until then: poll, keep alive, renew, pull everything.
        case wake
        /// Waiting after a failure; only a new command ends it early.
        case backoff
    }

    public enum Event: Sendable, Hashable {
        case start
        /// A command from the reducer.
        case command(TeamsCommand)
        /// The answer to the request in flight.
        case completed(Result<Response, GraphError>)
        case timerFired(Timer)
        /// What the `WebhookReceiver` passed on (a valid notification; the validation
        /// handshake and the `clientState` check are the receiver's, see `WebhookReceiver.events`).
        case notified(WebhookReceiver.Event)
        /// The colleagues' ids changed (ids that did not resolve at start resolved later): the
        /// pace is recomputed, they are read at once, and subscriptions cover them.
        case colleagues([String])
    }

    public enum Output: Sendable, Hashable {
        case send(Request)
        case startTimer(Timer, at: Instant)
        case cancelTimer(Timer)
        case report(TeamsReport)
    }

    /// One piece of a round (a delivery or a pull); some are requests, some decide what follows.
    enum Step: Sendable, Hashable {
        case deliver
        case write(Request)
        case delivered(target: Int, full: Bool, resyncRequests: Int, wanted: TeamsDesired?)
        case readAgent
        case readColleagues([String], force: Bool)
        case keepAlive
        case refreshPreferred
        case pull
        case maintainSubscriptions
        case subscribe(from: Int)
        case renew([String])
        case delete(String)
        case resetSubscriptions(retryAt: Instant?)
        case webhookPull
    }

    enum Phase: Sendable, Hashable { case stopped, idle, running, backingOff }

    public private(set) var options: Options
    /// The agent's Teams user id.
    public let agentID: String
    /// The polling intervals within the budget.
    public private(set) var pace: Pace

    // The reducer's wish and what Teams holds.
    private(set) var desired: TeamsDesired?
    private(set) var revision = 0
    private(set) var fullResync = false
    /// Counts resync requests, so one that arrives during a delivery is not lost.
    private var resyncRequests = 0
    private(set) var delivered: TeamsDesired?
    private(set) var deliveredRevision = 0
    /// The revision the delivery in progress (or the last one) tried to deliver.
    private var attemptRevision = 0
    private(set) var connected: Bool?
    private var lastReported: GraphPresence?
    /// What the last read of the agent's presence showed (even when not reported again).
    private var lastAgentRead: GraphPresence?
    private var colleaguesReported: [String: Presence] = [:]
    private(set) var lastSessionWrite: Instant?
    /// When the preferred presence was last sent (it expires in Teams unless sent again).
    private(set) var lastPreferredWrite: Instant?
    // Polling on the budget's schedule (`nil`: at once).
    private var nextAgentRead: Instant?
    private var nextColleagueRead: Instant?
    /// The colleague batch to read next.
    private var colleagueCursor = 0
    /// Failed colleague reads in a row (a Team-tab problem only: said once in the Log).
    private(set) var colleagueFailures = 0
    /// Whether the status bar was told that polling is slowed by the budget.
    private var reportedSlowed = false
    // Webhook mode.
    private(set) var subscriptions = SubscriptionBook()
    private var notifiedAgent = false
    private var notifiedColleagues: Set<String> = []
    /// When colleagues named by notifications were read (the last 30 s are kept).
    private var notifiedColleagueReads: [Instant] = []
    private var nextFullPull: Instant?
    /// A `subscriptionRemoved` lifecycle notification asked to start over.
    private var resubscribe = false
    /// Failed attempts to subscribe in a row; Graph refused outright (401/403): poll for good.
    private var subscribeFailures = 0
    private(set) var subscriptionsRefused = false
    // The loop.
    private(set) var phase = Phase.stopped
    private var steps: [Step] = []
    private var inFlight: Step?
    /// Failed rounds in a row.
    private(set) var failures = 0
    private var jitter: SeededGenerator

    /// - Parameter jitterSeed: seeds the backoff's jitter (the driver passes a random one).
    public init(options: Options, agentID: String, jitterSeed: UInt64) {
        self.options = options
        self.agentID = agentID
        self.pace = Pace(options)
        self.jitter = SeededGenerator(seed: jitterSeed)
    }

    /// Everything commanded so far is delivered, or Teams is unreachable (then waiting
    /// would not help), or the plan is not running.
    public var isSettled: Bool {
        phase == .stopped || connected == false || (deliveredRevision >= revision && !fullResync)
    }

    /// A request is out and its answer not yet in.
    public var isWaitingForAnswer: Bool { inFlight != nil }

    /// On quit: forgets the subscriptions and returns the requests that delete them
    /// (their failures do not matter: Graph expires them within the hour anyway).
    public mutating func unsubscribe() -> [Request] {
        let ids = subscriptions.entries.map(\.id)
        subscriptions.reset(retryAt: nil)
        return ids.map { .delete(subscriptionID: $0) }
    }

    /// Stops: no more requests or timers; an answer still to come is ignored.
    public mutating func stop() -> [Output] {
        phase = .stopped
        steps = []
        inFlight = nil
        return [.cancelTimer(.wake), .cancelTimer(.backoff)]
    }

    // MARK: Events

    public mutating func handle(_ event: Event, at now: Instant) -> [Output] {
        var out: [Output] = []
        switch event {
        case .start:
            guard phase == .stopped else { return [] }
            beginRound(now, &out)
        case .command(let command):
            switch command {
            case .push(let desired, let revision):
                self.desired = desired
                self.revision = revision
            case .resync(let desired, let revision):
                if let desired { self.desired = desired }
                self.revision = revision
                fullResync = true
                resyncRequests += 1
            }
            // Idle or backing off: a command starts a round at once. Mid-round: the next one takes it.
            if phase == .idle || phase == .backingOff { beginRound(now, &out) }
        case .notified(let notification):
            noteNotification(notification)
            // While backing off from failures, notifications do not bring the next attempt forward.
            if phase == .idle { beginRound(now, &out) }
        case .colleagues(let ids):
            guard ids != options.colleagues else { return [] }
            options.colleagues = ids
            pace = Pace(options)
            colleagueCursor = 0
            nextColleagueRead = nil
            if options.webhook != nil {
                // Subscribed, or subscribing with the old list: start over with the new one.
                if subscriptions.isActive { resubscribe = true }
                if case .subscribe? = inFlight { resubscribe = true }
            }
            if phase == .idle { beginRound(now, &out) }
        case .timerFired(let timer):
            if (timer == .wake && phase == .idle) || (timer == .backoff && phase == .backingOff) { beginRound(now, &out) }
        case .completed(let result):
            guard phase == .running, let step = inFlight else { return [] }
            inFlight = nil
            switch result {
            case .success(let response): succeeded(step, response, now, &out)
            case .failure(let error): failed(step, error, now, &out)
            }
            if phase == .running, inFlight == nil { advance(now, &out) }
        }
        return out
    }

    private mutating func noteNotification(_ event: WebhookReceiver.Event) {
        switch event {
        case .changed(let ids):
            let agent = agentID.lowercased()
            for id in ids {
                if id.lowercased() == agent {
                    notifiedAgent = true
                } else if let known = options.colleagues.first(where: { $0.lowercased() == id.lowercased() }) {
                    notifiedColleagues.insert(known)
                }
            }
        case .lifecycle(let id, let kind):
            switch kind {
            case "subscriptionRemoved":
                // Delete what is left and subscribe afresh (at the next pull, not mid-request).
                resubscribe = true
                nextFullPull = nil
            case "reauthorizationRequired":
                subscriptions.renewNow(id, at: .epoch)
            default:  // "missed" and anything new: read everything
                nextFullPull = nil
            }
        }
    }

    // MARK: Rounds

    private var hasDeliveryWork: Bool { deliveredRevision < revision || fullResync }
    private func hasWork(_ now: Instant) -> Bool { hasDeliveryWork || notifiedAgent || colleagueNotificationsDue(now) }

    /// Colleagues named by notifications are read within the colleagues' share of the budget
    /// (as many reads per 30 s as polling would make, at once while the share lasts): a busy
    /// tenant's notifications must not crowd out the agent's own requests.
    private func colleagueNotificationsDue(_ now: Instant) -> Bool {
        !notifiedColleagues.isEmpty && nextNotifiedColleagueRead(now) <= now
    }

    /// When the colleagues' share next allows a read for notifications.
    private func nextNotifiedColleagueRead(_ now: Instant) -> Instant {
        let window = Duration.seconds(30)
        let allowance = max(1, Int(window / pace.colleagueInterval))
        let recent = notifiedColleagueReads.filter { $0 > now - window }
        return recent.count < allowance ? now : recent[recent.count - allowance] + window
    }

    private mutating func beginRound(_ now: Instant, _ out: inout [Output]) {
        if phase == .idle { out.append(.cancelTimer(.wake)) }
        if phase == .backingOff { out.append(.cancelTimer(.backoff)) }
        phase = .running
        steps = hasDeliveryWork ? [.deliver] : [.keepAlive, .refreshPreferred, .pull]
        advance(now, &out)
    }

    /// Runs the round's steps until one sends a request, or the round is done.
    private mutating func advance(_ now: Instant, _ out: inout [Output]) {
        while !steps.isEmpty {
            let step = steps.removeFirst()
            if let request = run(step, now, &out) {
                inFlight = step
                out.append(.send(request))
                return
            }
            if phase != .running { return }
        }
        roundSucceeded(now, &out)
    }

    private mutating func roundSucceeded(_ now: Instant, _ out: inout [Output]) {
        failures = 0
        setConnected(true, reason: nil, now, &out)
        reportPace(&out)
        if hasWork(now) {
            beginRound(now, &out)
        } else {
            phase = .idle
            out.append(.startTimer(.wake, at: now + idleTime(now)))
        }
    }

    private mutating func roundFailed(_ error: GraphError, _ now: Instant, _ out: inout [Output]) {
        steps = []
        failures += 1
        nextFullPull = nil
        // Throttled (429) is slow, not disconnected: Graph answered, and the gate holds every
        // request until its Retry-After has run out (the status bar says so). Never ❎ for it.
        if !error.isThrottled { setConnected(false, reason: error.description, now, &out) }
        if failures == 1 || failures % 10 == 0 { out.append(.report(.action(.note(.error, error.detail)))) }
        // Read again as soon as the link is back.
        nextAgentRead = nil
        if !error.isTransient, case .status = error.kind {
            // Graph refused the request itself (a 4xx): do not send it again and again.
            deliveredRevision = max(deliveredRevision, attemptRevision)
            if attemptRevision >= revision { fullResync = false }
        }
        phase = .backingOff
        out.append(.startTimer(.backoff, at: now + backoff(failures: failures)))
    }

    /// 1 s, 2 s, 4 s … at most 30 s after `failures` failed rounds, each spread over its
    /// upper half by the seeded jitter so that many softphones do not retry in step.
    mutating func backoff(failures: Int) -> Duration {
        let ceiling = min(Duration.seconds(30), .milliseconds(500) * (1 << min(max(failures, 1), 6)))
        let fraction = Double(jitter.next() >> 11) / Double(1 << 53)
        return ceiling / 2 + ceiling / 2 * fraction
    }

    private mutating func setConnected(_ now: Bool, reason: String?, _ time: Instant, _ out: inout [Output]) {
        guard connected != now else { return }
        // Back from an outage: Teams may have lost the subscriptions; check them now.
        if now, connected == false { subscriptions.renewAllNow(at: time) }
        connected = now
        out.append(.report(.action(now ? .teamsConnected : .teamsDisconnected(reason: reason ?? "unknown"))))
    }

    /// Polling (no webhook, or its subscriptions not working): reads on the budget's schedule.
    private var isPolling: Bool { options.webhook == nil || !subscriptions.isActive }

    /// Tells the status bar when the budget starts or stops slowing the agent's polling.
    private mutating func reportPace(_ out: inout [Output]) {
        let slowed = isPolling && pace.slowsAgent(options)
        guard slowed != reportedSlowed else { return }
        reportedSlowed = slowed
        out.append(.report(.action(.teamsPollingSlowed(budget: slowed ? options.maxRequestsPer30s : nil))))
    }

    /// The preferred presence to send again and when: before Graph's default expiry ends it,
    /// and only while Teams still shows it (a status chosen in Teams since is not overridden).
    private var preferredRefresh: (PresencePair, Instant)? {
        guard case .set(let pair) = delivered?.preferred, let last = lastPreferredWrite,
              lastAgentRead.map({ $0.pair.availability == pair.availability || showsOfflineWithoutOurSession($0) }) ?? true
        else { return nil }
        return (pair, last + options.preferredRefresh)
    }

    /// Logged out with no other Teams client: Graph shows Offline although the preferred
    /// presence is still set (it shows only while a session exists) — keep it alive for the
    /// next login.
    private func showsOfflineWithoutOurSession(_ read: GraphPresence) -> Bool {
        read.pair.availability == .offline && delivered?.session == nil
    }

    /// How long to wait when nothing is to be done.
    func idleTime(_ now: Instant) -> Duration {
        // `nil` means at once.
        var due: [Instant] = []
        if let last = lastSessionWrite, delivered?.session != nil { due.append(last + options.keepAlive) }
        if let (_, refresh) = preferredRefresh { due.append(refresh) }
        if isPolling {
            due.append(nextAgentRead ?? now)
            if !options.colleagues.isEmpty { due.append(nextColleagueRead ?? now) }
        }
        if options.webhook != nil {
            // A full pull, or subscribing, not yet done.
            if subscriptions.isActive { due.append(nextFullPull ?? now) }
            if !notifiedColleagues.isEmpty { due.append(nextNotifiedColleagueRead(now)) }
            if let renewal = subscriptions.nextRenewal {
                due.append(renewal)
            } else if !subscriptionsRefused {
                // (Refused for good: no attempt to wait for; the old loop spun here once `retry` had passed.)
                due.append(subscriptions.nextAttempt ?? now)
            }
        }
        return max(.zero, (due.min() ?? now + options.pollInterval) - now)
    }

    /// The polling reads that are due: the agent's, then one colleague batch (in turn).
    private mutating func pollSteps(_ now: Instant) -> [Step] {
        var next: [Step] = []
        if nextAgentRead.map({ now >= $0 }) ?? true { next.append(.readAgent) }
        if !options.colleagues.isEmpty, nextColleagueRead.map({ now >= $0 }) ?? true {
            let start = (colleagueCursor % pace.colleagueBatches) * GraphClient.presenceBatchLimit
            colleagueCursor = (colleagueCursor + 1) % pace.colleagueBatches
            next.append(.readColleagues(Array(options.colleagues[start..<min(options.colleagues.count,
                                                                               start + GraphClient.presenceBatchLimit)]),
                                        force: false))
            nextColleagueRead = now + pace.colleagueInterval
        }
        return next
    }

    // MARK: Steps

    /// Carries out a step: returns the request to send, or `nil` when the step was decided here.
    private mutating func run(_ step: Step, _ now: Instant, _ out: inout [Output]) -> Request? {
        switch step {
        case .deliver:
            // Push what changed since the last delivery (everything on resync), then read back.
            attemptRevision = revision
            let full = fullResync
            var writes: [Step] = []
            if let wanted = desired {
                if full || wanted.session != delivered?.session {
                    if let pair = wanted.session {
                        writes.append(.write(.setSession(pair)))
                    } else if full || delivered?.session != nil {
                        writes.append(.write(.clearSession))
                    }
                }
                if full || wanted.preferred != delivered?.preferred {
                    switch wanted.preferred {
                    case .clear: writes.append(.write(.clearPreferred))
                    case .set(let pair): writes.append(.write(.setPreferred(pair)))
                    }
                }
            }
            writes.append(.delivered(target: revision, full: full, resyncRequests: resyncRequests, wanted: desired))
            writes.append(.readAgent)
            if full { writes.append(.readColleagues(options.colleagues, force: true)) }
            steps = writes + steps
            return nil
        case .write(let request):
            return request
        case .delivered(let target, let full, let requests, let wanted):
            if let wanted { delivered = wanted }
            deliveredRevision = target
            if full, resyncRequests == requests { fullResync = false }
            out.append(.report(.action(.teamsDelivered(revision: target))))
            lastReported = nil  // always report what Teams shows after our change
            return nil
        case .readAgent:
            nextAgentRead = now + pace.agentInterval
            return .readAgent
        case .readColleagues(let ids, let force):
            if force {
                // A full read (resync): the polling batches start over after it.
                nextColleagueRead = now + pace.colleagueInterval
                colleagueCursor = 0
            }
            return ids.isEmpty ? nil : .readColleagues(ids)
        case .keepAlive:
            // Renews the session before Teams idles or expires it.
            guard let pair = delivered?.session, let last = lastSessionWrite, now - last >= options.keepAlive else { return nil }
            return .setSession(pair)
        case .refreshPreferred:
            // Sends the preferred presence again before Graph's default expiry ends it — only
            // while Teams still shows it: a status chosen in Teams since then is not overridden.
            guard let (pair, due) = preferredRefresh, now >= due else { return nil }
            return .setPreferred(pair)
        case .pull:
            if isPolling, options.webhook == nil {
                steps = pollSteps(now) + steps
            } else {
                steps = [.maintainSubscriptions, .webhookPull] + steps
            }
            return nil
        case .maintainSubscriptions:
            var next: [Step] = []
            if resubscribe {
                resubscribe = false
                next += dropSubscriptions(retryAt: nil)
                next.append(.maintainSubscriptions)
                steps = next + steps
                return nil
            }
            if !subscriptions.isActive {
                if !subscriptionsRefused, subscriptions.nextAttempt.map({ now >= $0 }) ?? true { next.append(.subscribe(from: 0)) }
            } else {
                let due = subscriptions.due(at: now)
                if !due.isEmpty { next.append(.renew(due)) }
            }
            steps = next + steps
            return nil
        case .subscribe(let start):
            guard let webhook = options.webhook else { return nil }
            let ids = subscriptionIDs
            guard start < ids.count else { return nil }
            let batch = Array(ids[start..<min(ids.count, start + GraphClient.presenceBatchLimit)])
            return .subscribe(ids: batch, notificationURL: webhook.notificationURL, clientState: webhook.clientState,
                              expiration: now + webhook.lifetime)
        case .renew(let ids):
            guard let webhook = options.webhook, let id = ids.first else { return nil }
            return .renew(subscriptionID: id, until: now + webhook.lifetime)
        case .delete(let id):
            return .delete(subscriptionID: id)
        case .resetSubscriptions(let retryAt):
            subscriptions.reset(retryAt: retryAt)
            return nil
        case .webhookPull:
            guard let webhook = options.webhook else { return nil }
            var next: [Step] = []
            if !subscriptions.isActive {
                // No notifications to wait for: poll on the budget's schedule.
                notifiedAgent = false
                notifiedColleagues = []
                nextFullPull = nil
                next = pollSteps(now)
            } else if nextFullPull.map({ now >= $0 }) ?? true {
                notifiedAgent = false
                notifiedColleagues = []
                nextFullPull = now + (pace.driftCheck ?? webhook.driftCheck)
                next = [.readAgent, .readColleagues(options.colleagues, force: false)]
            } else {
                if notifiedAgent {
                    notifiedAgent = false
                    next.append(.readAgent)
                }
                if colleagueNotificationsDue(now) {
                    next.append(.readColleagues(notifiedColleagues.sorted(), force: false))
                    notifiedColleagues = []
                    notifiedColleagueReads = notifiedColleagueReads.filter { $0 > now - .seconds(30) } + [now]
                }
            }
            steps = next + steps
            return nil
        }
    }

    /// The agent first, then the colleagues.
    private var subscriptionIDs: [String] { [agentID] + options.colleagues.filter { $0 != agentID } }

    private func dropSubscriptions(retryAt: Instant?) -> [Step] {
        subscriptions.entries.map { .delete($0.id) } + [.resetSubscriptions(retryAt: retryAt)]
    }

    private mutating func succeeded(_ step: Step, _ response: Response, _ now: Instant, _ out: inout [Output]) {
        switch step {
        case .write(.setSession(_)), .keepAlive:
            lastSessionWrite = now
        case .write(.setPreferred(_)), .refreshPreferred:
            lastPreferredWrite = now
        case .readAgent:
            guard case .presence(let resource) = response else {
                roundFailed(GraphError(.malformed("not a presence: \(response)"), operation: "GET presence"), now, &out)
                return
            }
            let presence = resource.graphPresence
            lastAgentRead = presence
            guard presence != lastReported else { return }
            lastReported = presence
            out.append(.report(.action(.teamsPresence(presence, asOf: deliveredRevision))))
        case .readColleagues(_, let force):
            guard case .presences(let resources) = response else { return }
            if colleagueFailures > 0 {
                colleagueFailures = 0
                out.append(.report(.action(.note(.teams, "colleagues' presence read again"))))
            }
            for resource in resources {
                let presence = GraphMapping.presence(from: resource.graphPresence)
                if force || colleaguesReported[resource.id] != presence {
                    colleaguesReported[resource.id] = presence
                    out.append(.report(.colleague(id: resource.id, presence: presence)))
                }
            }
        case .subscribe(let start):
            guard let webhook = options.webhook else { return }
            guard case .subscription(let created) = response, let id = created.id else {
                subscribeFailed(GraphError(.malformed("the subscription came back without an id"),
                                           operation: "create subscription"), webhook, now, &out)
                return
            }
            subscriptions.added(id, renewAt: now + webhook.lifetime - webhook.renewBefore)
            let next = start + GraphClient.presenceBatchLimit
            if next < subscriptionIDs.count {
                steps.insert(.subscribe(from: next), at: 0)
                return
            }
            subscribeFailures = 0
            let count = subscriptions.entries.count
            out.append(.report(.action(.note(.teams, "Teams change notifications on (\(subscriptionIDs.count) people, "
                + "\(count) subscription\(count == 1 ? "" : "s")) at \(webhook.notificationURL)"))))
            // Changes between the last read and the subscription: read everything once.
            nextFullPull = nil
        case .renew(let ids):
            guard let webhook = options.webhook, let id = ids.first else { return }
            subscriptions.renewed(id, renewAt: now + webhook.lifetime - webhook.renewBefore)
            if ids.count > 1 { steps.insert(.renew(Array(ids.dropFirst())), at: 0) }
        default:
            break
        }
    }

    private mutating func failed(_ step: Step, _ error: GraphError, _ now: Instant, _ out: inout [Output]) {
        switch step {
        case .delete:
            break  // Graph expires it anyway
        case .write(.clearSession):
            // 404: no such session (it expired, or Teams restarted) — cleared is what was wanted.
            if case .status(404, _, _) = error.kind { return }
            roundFailed(error, now, &out)
        case .readColleagues(let ids, _):
            // A Team-tab problem only: the agent's link and round go on; the colleagues keep
            // their last state and are read again on their own, slower schedule.
            colleagueFailures += 1
            nextColleagueRead = now + max(pace.colleagueInterval, min(.seconds(30) * (1 << min(colleagueFailures - 1, 4)),
                                                                      .seconds(5 * 60)))
            if colleagueFailures == 1 {
                out.append(.report(.action(.note(.error, "reading \(ids.count) colleague\(ids.count == 1 ? "" : "s")' "
                    + "presence failed (\(error)); the Team tab keeps their last state and tries again later"))))
            }
        case .subscribe:
            if let webhook = options.webhook { subscribeFailed(error, webhook, now, &out) }
        case .renew(let ids):
            guard let webhook = options.webhook, let id = ids.first else { return }
            if case .status(404, _, _) = error.kind {
                // Expired or deleted on Teams' side (a restart, say): subscribe again.
                steps = dropSubscriptions(retryAt: nil) + [.subscribe(from: 0)] + steps
            } else {
                // Try again shortly; notifications keep coming until the subscription expires.
                subscriptions.renewed(id, renewAt: now + min(webhook.retry, .seconds(30)))
                out.append(.report(.action(.note(.error, "renewing the Teams change subscription failed: \(error)"))))
            }
        default:
            roundFailed(error, now, &out)
        }
    }

    /// Subscribing failed: forget what was made, poll meanwhile, try again later (or never,
    /// when Graph says this app may not subscribe). Failures are noted in the Log.
    private mutating func subscribeFailed(_ error: GraphError, _ webhook: Webhook, _ now: Instant, _ out: inout [Output]) {
        subscribeFailures += 1
        let retry = min(webhook.retry * (1 << min(subscribeFailures - 1, 5)), .seconds(30 * 60))
        steps = dropSubscriptions(retryAt: now + retry) + steps
        var then = "trying again in \(retry.shortDescription)"
        if case .status(let status, _, _) = error.kind, status == 401 || status == 403 {
            // The application may not subscribe (Graph allows presence subscriptions only
            // with permissions this app lacks): asking again will not help.
            subscriptionsRefused = true
            then = "not trying again until restart (Graph allows presence subscriptions only "
                + "with delegated sign-in; this app signs in as an application)"
        }
        out.append(.report(.action(.note(.error, "Teams change notifications could not be set up (\(error)); "
            + "polling every \(options.pollInterval.shortDescription), \(then)"))))
        nextFullPull = nil
    }
}

/// The plan's change-notification subscriptions and when each needs attention.
struct SubscriptionBook: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var id: String
        var renewAt: Instant
    }

    private(set) var entries: [Entry] = []
    /// When to try to subscribe again after a failure (`nil`: at once).
    private(set) var nextAttempt: Instant?

    var isActive: Bool { !entries.isEmpty }
    var nextRenewal: Instant? { entries.map(\.renewAt).min() }

    func due(at now: Instant) -> [String] { entries.filter { $0.renewAt <= now }.map(\.id) }

    mutating func added(_ id: String, renewAt: Instant) {
        entries.append(Entry(id: id, renewAt: renewAt))
        nextAttempt = nil
    }

    mutating func renewed(_ id: String, renewAt: Instant) {
        if let i = entries.firstIndex(where: { $0.id == id }) { entries[i].renewAt = renewAt }
    }

    /// Forgets every subscription; the next attempt to subscribe is at `retryAt` (`nil`: at once).
    mutating func reset(retryAt: Instant?) {
        entries = []
        nextAttempt = retryAt
    }

    mutating func renewAllNow(at now: Instant) {
        for i in entries.indices { entries[i].renewAt = now }
    }

    /// Marks `id` (every subscription when `nil`) due for renewal at `now`.
    mutating func renewNow(_ id: String?, at now: Instant) {
        for i in entries.indices where id == nil || entries[i].id == id { entries[i].renewAt = now }
    }
}

extension Duration {
    /// "250 ms", "30 s", "5 min".
    var shortDescription: String {
        let ms = milliseconds
        if ms < 1000 { return "\(ms) ms" }
        if ms % 60_000 == 0 { return "\(ms / 60_000) min" }
        let tenths = (ms + 50) / 100
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}
