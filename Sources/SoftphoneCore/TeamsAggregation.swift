/// One presence session of a Teams user: a Teams client, an application using
/// `setPresence` (such as this softphone), or the calendar.
public struct PresenceSession: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The Teams desktop/web/mobile app, signed in.
        case teamsClient
        /// An application session set through `setPresence`; times out in stages and expires.
        case application
        /// A calendar event (In a meeting, out-of-office event).
        case calendar
    }

    /// For application sessions, the `sessionId` (the application's client id).
    public var id: String
    public var kind: Kind
    public var pair: PresencePair
    /// When the pair was last set (a `setPresence` call renews it).
    public var updatedAt: Instant
    /// After this long without a renewal the session expires and counts as Offline.
    /// `nil`: it lasts until removed.
    public var expiration: Duration?

    public init(id: String, kind: Kind, pair: PresencePair, updatedAt: Instant, expiration: Duration? = nil) {
        self.id = id
        self.kind = kind
        self.pair = pair
        self.updatedAt = updatedAt
        self.expiration = expiration
    }

    public var expiresAt: Instant? { expiration.map { updatedAt + $0 } }
}

/// A user-preferred presence (`setUserPreferredPresence`).
public struct PreferredPresence: Hashable, Sendable, Codable {
    public var pair: PresencePair
    public var setAt: Instant
    public var expiresAt: Instant?
    public init(pair: PresencePair, setAt: Instant, expiresAt: Instant? = nil) {
        self.pair = pair
        self.setAt = setAt
        self.expiresAt = expiresAt
    }
}

/// Everything Teams knows about one user's presence.
public struct TeamsUserPresence: Hashable, Sendable, Codable {
    public var sessions: [PresenceSession]
    public var preferred: PreferredPresence?
    /// From the mailbox's automatic replies or an out-of-office calendar event.
    public var outOfOffice: Bool

    public init(sessions: [PresenceSession] = [], preferred: PreferredPresence? = nil, outOfOffice: Bool = false) {
        self.sessions = sessions
        self.preferred = preferred
        self.outOfOffice = outOfOffice
    }
}

/// How Teams combines sessions, preferred presence and out of office into the
/// presence it shows (SPEC section 2). Pure functions of the inputs and the time.
public enum TeamsAggregation {
    /// An application session at Available becomes Available/Inactive after this long…
    public static let inactiveAfter: Duration = .seconds(5 * 60)
    /// …and Away/Away after this long.
    public static let awayAfter: Duration = .seconds(10 * 60)
    /// `setPresence`'s default `expirationDuration`.
    public static let defaultSessionExpiration: Duration = .seconds(5 * 60)
    /// Graph accepts `expirationDuration` between 5 minutes and 4 hours for `setPresence`.
    public static let sessionExpirationRange: ClosedRange<Duration> = .seconds(5 * 60) ... .seconds(240 * 60)

    /// Pairs `setPresence` accepts for an application session; anything else is a 400.
    public static let sessionPairs: Set<PresencePair> = [
        PresencePair(.available, .available), PresencePair(.busy, .inACall),
        PresencePair(.busy, .inAConferenceCall), PresencePair(.away, .away),
        PresencePair(.doNotDisturb, .presenting),
    ]

    /// Pairs `setUserPreferredPresence` accepts; anything else is a 400.
    public static let preferredPairs: Set<PresencePair> = Set(UserChoice.allCases.map(\.preferredPair))

    /// The default lifetime of a preferred presence set without `expirationDuration`:
    /// a day for Busy and Do not disturb, a week for the others.
    public static func defaultPreferredExpiration(for pair: PresencePair) -> Duration {
        switch pair.availability {
        case .busy, .doNotDisturb: .seconds(24 * 3600)
        default: .seconds(7 * 24 * 3600)
        }
    }

    /// What a session contributes at `now`, or `nil` once it has expired.
    public static func effectivePair(of session: PresenceSession, at now: Instant) -> PresencePair? {
        if let end = session.expiresAt, now >= end { return nil }
        guard session.kind == .application, session.pair == PresencePair(.available, .available) else {
            return session.pair
        }
        let idle = now - session.updatedAt
        if idle >= awayAfter { return PresencePair(.away, .away) }
        if idle >= inactiveAfter { return PresencePair(.available, .inactive) }
        return session.pair
    }

    /// Rank among sessions: DoNotDisturb > Busy > Available > Away.
    public static func rank(_ availability: Availability) -> Int {
        switch availability {
        case .doNotDisturb: 4
        case .busy, .busyIdle: 3
        case .available, .availableIdle: 2
        case .beRightBack, .away: 1
        case .offline, .presenceUnknown: 0
        }
    }

    /// The presence Teams shows at `now`.
    ///
    /// With no live session the user is Offline, whatever the preferred presence.
    /// Otherwise a live preferred presence overrides every session; among sessions
    /// the highest rank wins, and among equals the most recently updated.
    public static func aggregate(_ user: TeamsUserPresence, at now: Instant) -> GraphPresence {
        var best: (pair: PresencePair, updatedAt: Instant)?
        for session in user.sessions {
            guard let pair = effectivePair(of: session, at: now) else { continue }
            if let current = best {
                let r = rank(pair.availability), c = rank(current.pair.availability)
                if r < c || (r == c && session.updatedAt <= current.updatedAt) { continue }
            }
            best = (pair, session.updatedAt)
        }
        guard let sessionPair = best?.pair else {
            return overlayOutOfOffice(PresencePair(.offline, .offline), user.outOfOffice)
        }
        if let preferred = user.preferred, preferred.expiresAt.map({ now < $0 }) ?? true {
            return overlayOutOfOffice(preferred.pair, user.outOfOffice)
        }
        return overlayOutOfOffice(sessionPair, user.outOfOffice)
    }

    /// Out of office shows as the activity where the state is plain Available or
    /// Offline ("Available, Out of Office", "Out of office"); elsewhere it is the flag.
    static func overlayOutOfOffice(_ pair: PresencePair, _ outOfOffice: Bool) -> GraphPresence {
        guard outOfOffice else { return GraphPresence(pair: pair) }
        switch pair {
        case PresencePair(.available, .available): return GraphPresence(.available, .outOfOffice, outOfOffice: true)
        case PresencePair(.offline, .offline): return GraphPresence(.offline, .outOfOffice, outOfOffice: true)
        default: return GraphPresence(pair: pair, outOfOffice: true)
        }
    }

    /// The same user with expired sessions and an expired preferred presence removed.
    public static func pruned(_ user: TeamsUserPresence, at now: Instant) -> TeamsUserPresence {
        var copy = user
        copy.sessions.removeAll { effectivePair(of: $0, at: now) == nil }
        if let end = copy.preferred?.expiresAt, now >= end { copy.preferred = nil }
        return copy
    }

    /// The next instant after `now` at which the aggregate may change by time alone
    /// (a stage of an idle session, an expiry), so a server can notify subscribers then.
    public static func nextChange(of user: TeamsUserPresence, after now: Instant) -> Instant? {
        var candidates: [Instant] = []
        for session in user.sessions {
            if let end = session.expiresAt { candidates.append(end) }
            if session.kind == .application, session.pair == PresencePair(.available, .available) {
                candidates.append(session.updatedAt + inactiveAfter)
                candidates.append(session.updatedAt + awayAfter)
            }
        }
        if let end = user.preferred?.expiresAt { candidates.append(end) }
        return candidates.filter { $0 > now }.min()
    }
}
