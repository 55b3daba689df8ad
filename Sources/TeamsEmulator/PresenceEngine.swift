import SoftphoneCore

/// The emulated tenant: users, their presence inputs, and the subscriptions on them.
///
/// Every mutation ends in `commit`, which recomputes the touched users' aggregate with
/// `TeamsAggregation.aggregate`, notifies subscribers of those that changed, and re-arms
/// the timer for the next change by time alone (`TeamsAggregation.nextChange`, mailbox
/// schedules), which commits every user again when it fires.
actor PresenceEngine {
    let clock: EmulatorClock
    private let dispatcher: NotificationDispatcher
    private(set) var users: [String: EmulatedUser] = [:]
    /// The aggregate last seen per user; a difference is a change to notify.
    private var lastAggregate: [String: GraphPresence] = [:]
    var subscriptions: [String: PresenceSubscription] = [:]
    private var timer: Task<Void, Never>?
    private var timerTick: ContinuousClock.Instant?
    private var timerGeneration = 0
    private var stopped = false

    /// The tenant's domain, for UPNs made up from short names.
    let domain: String

    init(clock: EmulatorClock, dispatcher: NotificationDispatcher, seeds: [EmulatedUserSeed], domain: String) {
        self.clock = clock
        self.dispatcher = dispatcher
        self.domain = domain
        let now = clock.now()
        for seed in seeds {
            let identity = Self.identity(for: seed.id, domain: domain)
            var user = EmulatedUser(id: identity.objectID, userPrincipalName: seed.userPrincipalName ?? identity.upn,
                                    alias: identity.alias, displayName: seed.displayName, colleague: seed.colleague)
            if let pair = seed.teamsClient {
                user.presence.sessions.append(PresenceSession(id: "teams-client", kind: .teamsClient, pair: pair, updatedAt: now))
            }
            if seed.outOfOffice { user.automaticReplies.status = .alwaysEnabled }
            users[user.id] = user
            lastAggregate[user.id] = TeamsAggregation.aggregate(user.aggregationInput(wallNow: clock.wallNow()), at: now)
        }
    }

    /// Starts the timer for the seeded users' timed changes.
    func start() { reschedule() }

    /// Stops the timer; the engine answers queries but schedules nothing more.
    func shutdown() {
        stopped = true
        timer?.cancel()
        timer = nil
    }

    // MARK: Users

    func hasUser(_ id: String) -> Bool { users[id] != nil }

    /// Object id, UPN and alias for a name given at creation: a GUID is the object id
    /// (UPN `{guid}@domain`); a name with `@` is the UPN; anything else is a short alias.
    static func identity(for name: String, domain: String) -> (objectID: String, upn: String, alias: String?) {
        if ObjectID.isGUID(name) { return (name.lowercased(), "\(name.lowercased())@\(domain)", nil) }
        if name.contains("@") { return (ObjectID.forName(name), name, nil) }
        return (ObjectID.forName(name), "\(name)@\(domain)", name)
    }

    /// The object id of the user a name denotes: an object id, a UPN or an alias (case-insensitive).
    func resolve(_ name: String) -> String? {
        if ObjectID.isGUID(name) { return users[name.lowercased()] != nil ? name.lowercased() : nil }
        let lower = name.lowercased()
        return users.values.first {
            $0.userPrincipalName.lowercased() == lower || $0.alias?.lowercased() == lower
        }?.id
    }

    /// The object id for a Graph `/users/{x}` path: an object id or a UPN (not an alias).
    func resolveDirectory(_ name: String) -> String? {
        if ObjectID.isGUID(name) { return users[name.lowercased()] != nil ? name.lowercased() : nil }
        let lower = name.lowercased()
        return users.values.first { $0.userPrincipalName.lowercased() == lower }?.id
    }

    /// Adds or updates a user named by object id, UPN or alias; returns the object id and whether it was created.
    @discardableResult
    func upsertUser(name: String, displayName: String?, colleague: Bool?) -> (id: String, created: Bool) {
        if let id = resolve(name), var user = users[id] {
            if let displayName { user.displayName = displayName }
            if let colleague { user.colleague = colleague }
            users[id] = user
            return (id, false)
        }
        let identity = Self.identity(for: name, domain: domain)
        let id = identity.objectID
        users[id] = EmulatedUser(id: id, userPrincipalName: identity.upn, alias: identity.alias,
                                 displayName: displayName ?? name, colleague: colleague ?? false)
        lastAggregate[id] = GraphPresence(.offline, .offline)
        commit([id])
        return (id, true)
    }

    /// Ensures a user exists, creating it when `create`; returns whether it exists now.
    func ensureUser(_ id: String, create: Bool) -> Bool {
        if users[id] != nil { return true }
        guard create, ObjectID.isGUID(id) else { return false }
        upsertUser(name: id, displayName: nil, colleague: nil)
        return true
    }

    func removeUser(_ id: String) -> Bool {
        lastAggregate[id] = nil
        let removed = users.removeValue(forKey: id) != nil
        reschedule()
        return removed
    }

    func userIDs(colleaguesOnly: Bool = false) -> [String] {
        users.values.filter { !colleaguesOnly || $0.colleague }.map(\.id).sorted()
    }

    func user(_ id: String) -> EmulatedUser? { users[id] }

    // MARK: Presence

    /// What Graph reports for the user now, or `nil` for an unknown user.
    func report(_ id: String) -> PresenceReport? {
        guard let user = users[id] else { return nil }
        let wall = clock.wallNow()
        let presence = TeamsAggregation.aggregate(user.aggregationInput(wallNow: wall), at: clock.now())
        return PresenceReport(id: id, presence: presence, outOfOfficeMessage: user.outOfOfficeMessage(wallNow: wall))
    }

    /// Reports for many users; unknown ids report PresenceUnknown.
    func reports(_ ids: [String]) -> [PresenceReport] {
        ids.map { report($0) ?? PresenceReport.unknown($0) }
    }

    func snapshot(_ id: String) -> UserSnapshot? {
        guard let user = users[id], let report = report(id) else { return nil }
        let now = clock.now()
        var effective: [String: PresencePair?] = [:]
        for session in user.presence.sessions {
            effective[session.id] = TeamsAggregation.effectivePair(of: session, at: now)
        }
        return UserSnapshot(user: user, report: report, effective: effective,
                            outOfOffice: user.automaticReplies.isActive(at: clock.wallNow()), emulatorNow: now)
    }

    /// `setPresence`: creates or renews the application session `sessionID`.
    func setApplicationSession(userID: String, sessionID: String, pair: PresencePair, expiration: Duration) {
        guard var user = users[userID] else { return }
        let session = PresenceSession(id: sessionID, kind: .application, pair: pair, updatedAt: clock.now(),
                                      expiration: expiration)
        user.presence.sessions.removeAll { $0.id == sessionID }
        user.presence.sessions.append(session)
        users[userID] = user
        commit([userID])
    }

    /// Removes an application session (`clearPresence`); returns whether it existed.
    func removeApplicationSession(userID: String, sessionID: String) -> Bool {
        guard let user = users[userID],
              user.presence.sessions.contains(where: { $0.id == sessionID && $0.kind == .application }) else { return false }
        return removeSession(userID: userID, sessionID: sessionID)
    }

    /// Removes a session of any kind; returns whether it existed.
    @discardableResult
    func removeSession(userID: String, sessionID: String) -> Bool {
        guard var user = users[userID] else { return false }
        let before = user.presence.sessions.count
        user.presence.sessions.removeAll { $0.id == sessionID }
        users[userID] = user
        commit([userID])
        return user.presence.sessions.count != before
    }

    /// Applies control-API or churn edits as one change (one notification per subscription).
    func apply(_ edits: [SessionEdit]) {
        let now = clock.now()
        for edit in edits {
            guard var user = users[edit.userID] else { continue }
            user.presence.sessions.removeAll { $0.id == edit.sessionID }
            if let pair = edit.pair {
                user.presence.sessions.append(PresenceSession(id: edit.sessionID, kind: edit.kind, pair: pair, updatedAt: now))
            }
            users[edit.userID] = user
        }
        commit(edits.map(\.userID))
    }

    /// `setUserPreferredPresence`; without `expiration` the Graph default for the pair applies.
    func setPreferred(userID: String, pair: PresencePair, expiration: Duration?) {
        guard var user = users[userID] else { return }
        let now = clock.now()
        let lifetime = expiration ?? TeamsAggregation.defaultPreferredExpiration(for: pair)
        user.presence.preferred = PreferredPresence(pair: pair, setAt: now, expiresAt: now + lifetime)
        users[userID] = user
        commit([userID])
    }

    func clearPreferred(userID: String) {
        guard var user = users[userID] else { return }
        user.presence.preferred = nil
        users[userID] = user
        commit([userID])
    }

    // MARK: Mailbox

    /// Applies a PATCH of `automaticRepliesSetting` and returns the result.
    func updateAutomaticReplies(userID: String, _ patch: AutomaticReplies.Patch) throws(GraphFailure) -> AutomaticReplies {
        guard var user = users[userID] else { throw GraphFailure.unknownUser(userID) }
        user.automaticReplies = try user.automaticReplies.applying(patch)
        users[userID] = user
        commit([userID])
        return user.automaticReplies
    }

    // MARK: Change detection

    /// Recomputes `ids`' aggregates, notifies subscribers of the changed ones, re-arms the timer.
    func commit(_ ids: some Sequence<String>) {
        let now = clock.now()
        let wall = clock.wallNow()
        var changed: [String] = []
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted {
            guard var user = users[id] else { continue }
            user.presence = TeamsAggregation.pruned(user.presence, at: now)
            users[id] = user
            let aggregate = TeamsAggregation.aggregate(user.aggregationInput(wallNow: wall), at: now)
            if lastAggregate[id] != aggregate {
                lastAggregate[id] = aggregate
                changed.append(id)
            }
        }
        if !changed.isEmpty { notifySubscribers(of: changed, wall: wall) }
        reschedule()
    }

    private func notifySubscribers(of changed: [String], wall: Instant) {
        subscriptions = subscriptions.filter { $0.value.expiration > wall }
        for subscription in subscriptions.values.sorted(by: { $0.id < $1.id }) {
            let covered = changed.filter { subscription.userIDs.contains($0) }
            if !covered.isEmpty { dispatcher.deliver(subscription, userIDs: covered) }
        }
    }

    /// Arms one timer for the earliest instant at which any user's presence may change by time.
    private func reschedule() {
        guard !stopped else { return }
        let now = clock.now()
        let wall = clock.wallNow()
        var earliest: ContinuousClock.Instant?
        func consider(_ tick: ContinuousClock.Instant) {
            if earliest.map({ tick < $0 }) ?? true { earliest = tick }
        }
        for user in users.values {
            if let next = TeamsAggregation.nextChange(of: user.presence, after: now) { consider(clock.tick(atEmulator: next)) }
            for boundary in user.automaticReplies.boundaries(after: wall) { consider(clock.tick(atWall: boundary)) }
        }
        if earliest == timerTick, timer != nil { return }
        timer?.cancel()
        timerTick = earliest
        timerGeneration += 1
        guard let earliest else {
            timer = nil
            return
        }
        let generation = timerGeneration
        timer = Task { [weak self] in
            // A millisecond late, so that emulator time has certainly reached the deadline.
            try? await Task.sleep(until: earliest + .milliseconds(1), clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.timerFired(generation)
        }
    }

    private func timerFired(_ generation: Int) {
        guard generation == timerGeneration, !stopped else { return }
        timer = nil
        timerTick = nil
        commit(Array(users.keys))
    }
}
