import SoftphoneCore

/// What the engine reports back to the softphone.
public enum TeamsReport: Sendable, Hashable {
    /// Hand this action to the reducer (presence, delivery, connection, log notes).
    case action(Action)
    /// A colleague's presence for the Team tab.
    case colleague(id: String, presence: Presence)
}

/// Carries out the reducer's Teams commands against Graph: pushes only what changed
/// (everything on resync), reads the presence back after each delivery so reports
/// carry the revision they reflect, keeps the softphone's session alive, polls, and
/// while Teams is unreachable keeps the desired state and retries with backoff.
///
/// The engine retries by itself, so give its client few retries (`maxRetries: 1`):
/// then a lost connection shows as ❎ within one request timeout, not after a
/// whole series of retries.
public actor TeamsSyncEngine {
    public struct Options: Sendable {
        /// How often to read the agent's presence (and the colleagues') when polling.
        public var pollInterval: Duration
        /// Colleagues' Teams ids for the Team tab.
        public var colleagues: [String]
        /// Renew the session this long before Teams would idle or expire it.
        public var keepAlive: Duration
        /// Change notifications instead of polling; `nil` polls.
        public var webhook: Webhook?
        public init(pollInterval: Duration = .seconds(1), colleagues: [String] = [], keepAlive: Duration = .seconds(120),
                    webhook: Webhook? = nil) {
            self.pollInterval = pollInterval
            self.colleagues = colleagues
            self.keepAlive = keepAlive
            self.webhook = webhook
        }
    }

    /// Change notifications: subscriptions on the agent's and the colleagues' presence
    /// that post to `notificationURL` (served by a `WebhookReceiver`, whose events go to
    /// `notified(_:)`). While they work the engine reads only what a notification names,
    /// plus a full pull every `driftCheck`; while they cannot be set up it polls every
    /// `pollInterval` and tries again every `retry`.
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

    let client: GraphClient
    let options: Options
    let report: @Sendable (TeamsReport) -> Void

    /// The latest command's desired state and revision.
    private var desired: TeamsDesired?
    private var revision = 0
    private var fullResync = false
    /// Counts resync requests, so one that arrives during a delivery is not lost.
    private var resyncRequests = 0
    /// What Teams holds as far as this engine has delivered it.
    private var delivered: TeamsDesired?
    private var deliveredRevision = 0
    private var connected: Bool?
    private var lastReported: GraphPresence?
    private var colleaguesReported: [String: Presence] = [:]
    private var lastSessionWrite: ContinuousClock.Instant?
    /// Webhook mode: live subscriptions, what notifications asked to read, when to pull everything.
    var subscriptions = SubscriptionBook()
    var notifiedAgent = false
    var notifiedColleagues: Set<String> = []
    var nextFullPull: ContinuousClock.Instant?
    /// A `subscriptionRemoved` lifecycle notification asked to start over.
    var resubscribe = false
    /// Failed attempts to subscribe in a row; Graph refused outright (401/403): poll for good.
    var subscribeFailures = 0
    var subscriptionsRefused = false
    /// The revision the delivery in progress (or the last one) tried to deliver.
    private var attemptRevision = 0
    /// Backing off after a failure: only a new command ends the wait early.
    var backingOff = false
    private var worker: Task<Void, Never>?
    private var wake: CheckedContinuation<Void, Never>?
    /// Numbers each wait, so a late sleeper cannot end a later wait.
    private var idleGeneration = 0

    public init(client: GraphClient, options: Options, report: @escaping @Sendable (TeamsReport) -> Void) {
        self.client = client
        self.options = options
        self.report = report
    }

    /// Starts the background work (delivery, keep-alive, polling).
    public func start() {
        guard worker == nil else { return }
        worker = Task { [weak self] in await self?.run() }
    }

    public func stop() {
        worker?.cancel()
        worker = nil
        wake?.resume()
        wake = nil
    }

    /// Returns once every command performed so far is delivered, or at once while
    /// Teams is unreachable. (On quit, so logout's clearing reaches Teams.)
    public func flush() async {
        while deliveredRevision < revision || fullResync, connected != false, worker != nil, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// A command from the reducer.
    public func perform(_ command: TeamsCommand) {
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
        wake?.resume()
        wake = nil
    }

    // MARK: The loop

    private func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                if deliveredRevision < revision || fullResync {
                    try await deliver()
                } else {
                    try await keepAliveIfDue()
                    try await pull()
                }
                failures = 0
                setConnected(true, reason: nil)
                if deliveredRevision >= revision && !fullResync { await idle(idleTime()) }
            } catch {
                failures += 1
                nextFullPull = nil
                setConnected(false, reason: error.description)
                if failures == 1 || failures % 10 == 0 { report(.action(.note(.error, error.description))) }
                if !error.isTransient, case .status = error.kind {
                    // Graph refused the request itself (a 4xx): do not send it again and again.
                    deliveredRevision = max(deliveredRevision, attemptRevision)
                    if attemptRevision >= revision { fullResync = false }
                }
                // Back off even with work pending; a new command or a notification still wakes it.
                backingOff = true
                await idle(min(.seconds(30), .milliseconds(500) * (1 << min(failures, 6))), evenWithWork: true)
                backingOff = false
            }
        }
    }

    /// Sleeps until `duration` passes or a command (or notification) arrives; returns at
    /// once when there is work already, unless `evenWithWork` (backing off after a failure).
    private func idle(_ duration: Duration, evenWithWork: Bool = false) async {
        idleGeneration += 1
        let generation = idleGeneration
        let sleeper = Task { [weak self] in
            // Cancelled means the wait already ended: do not cut a later wait short.
            guard (try? await Task.sleep(for: duration)) != nil else { return }
            await self?.interruptIdle(generation: generation)
        }
        await withCheckedContinuation { continuation in
            if (hasWork && !evenWithWork) || Task.isCancelled { continuation.resume() } else { wake = continuation }
        }
        sleeper.cancel()
    }

    /// Ends the current wait (`generation`: only if it is still that wait).
    func interruptIdle(generation: Int? = nil) {
        if let generation, generation != idleGeneration { return }
        wake?.resume()
        wake = nil
    }

    /// Something to do at once: a command to deliver or a notification to read.
    private var hasWork: Bool { deliveredRevision < revision || fullResync || notifiedAgent || !notifiedColleagues.isEmpty }

    private func setConnected(_ now: Bool, reason: String?) {
        guard connected != now else { return }
        // Back from an outage: Teams may have lost the subscriptions; check them now.
        if now, connected == false { subscriptions.renewAllNow() }
        connected = now
        report(.action(now ? .teamsConnected : .teamsDisconnected(reason: reason ?? "unknown")))
    }

    // MARK: Steps

    /// Pushes what changed since the last delivery (everything on resync), then reads back.
    private func deliver() async throws(GraphError) {
        let target = revision
        attemptRevision = target
        let full = fullResync
        let requests = resyncRequests
        if let wanted = desired {
            if full || wanted.session != delivered?.session {
                if let pair = wanted.session {
                    try await client.setSessionPresence(pair)
                    lastSessionWrite = .now
                } else if full || delivered?.session != nil {
                    try await client.clearSessionPresence()
                }
            }
            if full || wanted.preferred != delivered?.preferred {
                switch wanted.preferred {
                case .clear: try await client.clearPreferredPresence()
                case .set(let pair): try await client.setPreferredPresence(pair)
                }
            }
            delivered = wanted
        }
        deliveredRevision = target
        if full, resyncRequests == requests { fullResync = false }
        report(.action(.teamsDelivered(revision: target)))
        lastReported = nil  // always report what Teams shows after our change
        try await readBack()
        if full { try await pollColleagues(force: true) }
    }

    /// Renews the session before Teams idles or expires it.
    private func keepAliveIfDue() async throws(GraphError) {
        guard let pair = delivered?.session, let last = lastSessionWrite, ContinuousClock.now - last >= options.keepAlive
        else { return }
        try await client.setSessionPresence(pair)
        lastSessionWrite = .now
    }

    /// Polling: reads the agent and the colleagues. Webhook mode: sets up or renews the
    /// subscriptions, reads what notifications named, and everything every `driftCheck`
    /// (or every `pollInterval` while no subscription works).
    private func pull() async throws(GraphError) {
        guard let webhook = options.webhook else {
            try await readBack()
            try await pollColleagues()
            return
        }
        await maintainSubscriptions(webhook)
        let now = ContinuousClock.now
        if nextFullPull.map({ now >= $0 }) ?? true {
            notifiedAgent = false
            notifiedColleagues = []
            nextFullPull = now + (subscriptions.isActive ? webhook.driftCheck : options.pollInterval)
            try await readBack()
            try await pollColleagues()
            return
        }
        if notifiedAgent {
            notifiedAgent = false
            try await readBack()
        }
        if !notifiedColleagues.isEmpty {
            let ids = notifiedColleagues.sorted()
            notifiedColleagues = []
            try await pollColleagues(ids)
        }
    }

    /// How long to wait when nothing is to be done.
    private func idleTime() -> Duration {
        guard options.webhook != nil else { return options.pollInterval }
        let now = ContinuousClock.now
        // `nil` means at once: a full pull, or subscribing, not yet done.
        var due = [nextFullPull ?? now, subscriptions.isActive ? subscriptions.nextRenewal! : subscriptions.nextAttempt ?? now]
        if let last = lastSessionWrite, delivered?.session != nil { due.append(last + options.keepAlive) }
        return max(.zero, due.min()! - now)
    }

    /// Reads the agent's presence and reports it when it changed.
    private func readBack() async throws(GraphError) {
        let resource = try await client.presence()
        guard let presence = resource.graphPresence else {
            throw GraphError(.malformed("unknown presence \(resource.availability)/\(resource.activity)"),
                             operation: "GET presence")
        }
        guard presence != lastReported else { return }
        lastReported = presence
        report(.action(.teamsPresence(presence, asOf: deliveredRevision)))
    }

    private func pollColleagues(_ only: [String]? = nil, force: Bool = false) async throws(GraphError) {
        let ids = only ?? options.colleagues
        guard !ids.isEmpty else { return }
        for resource in try await client.presences(of: ids) {
            guard let graph = resource.graphPresence else { continue }
            let presence = GraphMapping.presence(from: graph)
            if force || colleaguesReported[resource.id] != presence {
                colleaguesReported[resource.id] = presence
                report(.colleague(id: resource.id, presence: presence))
            }
        }
    }
}
