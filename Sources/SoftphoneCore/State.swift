/// Graph asked the softphone to wait before its next request to Teams.
public struct TeamsWait: Hashable, Sendable {
    /// The wait Graph asked for.
    public var asked: Duration
    /// No request before this.
    public var until: Instant
    public init(asked: Duration, until: Instant) {
        self.asked = asked
        self.until = until
    }
}

/// Wrap-up after a call (R11): Do not disturb until `until`.
public struct WrapUp: Hashable, Sendable, Codable {
    public var startedAt: Instant
    public var until: Instant
}

/// The whole state of the softphone. A plain value: the reducer changes it,
/// the TUI draws it, tests compare it.
public struct SoftphoneState: Hashable, Sendable {
    public var settings: CoreSettings
    public var loggedIn = false
    /// The agent's last choice, in the softphone or in Teams.
    public var choice: UserChoice = .available
    /// The agent's presence apart from calls and wrap-up: the choice, or what Teams
    /// shows instead of it (Presenting, In a meeting, idle Away), with out of office.
    public var base = Presence(.available)
    public var baseSetBy: PresenceSource = .user
    /// The last presence Teams reported.
    public var remote: GraphPresence?
    /// Ringing, dialled, active and held calls, oldest first.
    public var calls: [CallInProgress] = []
    public var wrapUp: WrapUp?
    /// Missed calls since start (R10).
    public var missedCount = 0
    public var teamsConnected = false
    /// Not connected because the agent must sign in (`softphone teams login`): the bar says so.
    public var teamsSignInNeeded = false
    /// Graph asked to wait (429/503 `Retry-After`): shown while it runs; not ❎.
    public var teamsWait: TeamsWait?
    /// Polling is slowed to stay within this many requests per 30 s; not ❎.
    public var teamsSlowedByBudget: Int?
    public var line: LineState = .unregistered
    /// Bumped each time the reducer asks the Teams connector to deliver a new desired state.
    public var teamsRevision = 0
    /// The newest revision the connector has delivered to Teams.
    public var teamsDeliveredRevision = 0
    /// Since when a change asked of Teams has been waiting for delivery.
    public var teamsPendingSince: Instant?
    public var log = EventLog()
    /// Colleagues' presence, for the Team tab.
    public var roster = Roster()
    /// The recent call log, for the History tab.
    public var history = CallHistory()

    public init(settings: CoreSettings = CoreSettings()) {
        self.settings = settings
    }

    // MARK: Derived

    /// The presence shown: Logout, Ring / On a call, Wrap-up, or the base presence.
    public var presence: Presence {
        guard loggedIn else { return Presence(.logout) }
        if calls.contains(where: \.isConnected) { return Presence(.onACall, outOfOffice: base.outOfOffice) }
        if calls.contains(where: { $0.phase == .ringing || $0.phase == .dialing }) {
            return Presence(.ring, outOfOffice: base.outOfOffice)
        }
        if wrapUp != nil { return Presence(.wrapUp, outOfOffice: base.outOfOffice) }
        return base
    }

    /// Who set the presence shown.
    public var presenceSetBy: PresenceSource {
        guard loggedIn else { return .user }
        if !calls.isEmpty || wrapUp != nil { return .softphone }
        return baseSetBy
    }

    /// The presence the signalling policy judges: wrap-up counts as ⛔, calls are counted apart.
    public var policyPresence: Presence {
        wrapUp != nil ? Presence(.wrapUp, outOfOffice: base.outOfOffice) : base
    }

    public var policyContext: PolicyContext {
        PolicyContext(presence: policyPresence, loggedIn: loggedIn, callsInProgress: calls.count,
                      answering: settings.answering)
    }

    /// Why the agent cannot place a call now (R13), or nil when a call may be placed.
    public var outboundRefusal: String? {
        if case .refused(_, let reason) = SignallingPolicy.outbound(policyContext) { return reason }
        return nil
    }

    /// Whether the ring tone should play: some inbound call is signalled and ringing. A call
    /// the rules diverted or refused never enters `calls`, so it can never ring.
    public var ringToneWanted: Bool {
        calls.contains { $0.direction == .inbound && $0.phase == .ringing }
    }

    /// Whether local ringback should play: the far side of some outbound call rings, and sends
    /// no early media (never while the call is only being tried, which may end in a refusal).
    public var ringbackWanted: Bool {
        calls.contains { $0.direction == .outbound && $0.phase == .dialing && $0.remoteRinging && !$0.earlyMedia }
    }

    /// What would happen to a direct call arriving now.
    public var directCallDecision: SignallingDecision { SignallingPolicy.decide(.direct, policyContext) }

    /// What the softphone wants Teams to hold (SPEC section 2, "How the softphone writes to Teams").
    public var teamsDesired: TeamsDesired {
        // The preferred presence is the agent's choice; only wrap-up borrows it for Do not
        // disturb. After logout it stays the agent's choice (never a leftover wrap-up).
        let preferred: TeamsDesired.Preferred
        if wrapUp != nil {
            preferred = .set(UserChoice.doNotDisturb.preferredPair)
        } else if choice == .available {
            preferred = .clear
        } else {
            preferred = .set(choice.preferredPair)
        }
        guard loggedIn else { return TeamsDesired(session: nil, preferred: preferred) }
        let session = calls.isEmpty ? PresencePair(.available, .available) : PresencePair(.busy, .inACall)
        return TeamsDesired(session: session, preferred: preferred)
    }

    /// A change has been asked of Teams and not yet delivered.
    public var teamsPending: Bool { teamsDeliveredRevision < teamsRevision }

    public func call(_ id: CallID) -> CallInProgress? { calls.first { $0.id == id } }

    func index(of id: CallID) -> Int? { calls.firstIndex { $0.id == id } }
}

/// What the softphone wants Teams to hold for the agent.
public struct TeamsDesired: Hashable, Sendable {
    public enum Preferred: Hashable, Sendable {
        /// `clearUserPreferredPresence`: Teams shows its own aggregate.
        case clear
        /// `setUserPreferredPresence` with this pair.
        case set(PresencePair)
    }

    /// The softphone's own application session; `nil` after logout (`clearPresence`).
    public var session: PresencePair?
    public var preferred: Preferred

    public init(session: PresencePair?, preferred: Preferred) {
        self.session = session
        self.preferred = preferred
    }
}
