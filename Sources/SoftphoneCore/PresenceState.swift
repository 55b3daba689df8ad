/// Every state the softphone can show, without the out-of-office overlay.
///
/// Three groups (SPEC section 2): states the agent selects, states applications
/// set (shown, never selectable), and the softphone's own states.
public enum PresenceState: String, CaseIterable, Sendable, Codable, Hashable {
    // Selectable by the agent (Away is what "Appear away" shows).
    case available, busy, doNotDisturb, beRightBack, away, appearOffline
    // Set by applications: the Teams client, meetings, Outlook.
    case inACall, inAConferenceCall, inAMeeting, presenting, focusing, offline
    // The softphone's own.
    case logout, ring, onACall, wrapUp, unknown

    /// Who may set a state.
    public enum Origin: Sendable, Hashable {
        case user, application, softphone
    }

    public var origin: Origin {
        switch self {
        case .available, .busy, .doNotDisturb, .beRightBack, .away, .appearOffline: .user
        case .inACall, .inAConferenceCall, .inAMeeting, .presenting, .focusing, .offline: .application
        case .logout, .ring, .onACall, .wrapUp, .unknown: .softphone
        }
    }

    /// Shown, but not selectable: the Teams app, meetings or Outlook set these.
    public var isAppConfigured: Bool { origin == .application }

    /// The broad class a state belongs to; the icon and the signalling rules
    /// are defined on it.
    public var category: PresenceCategory {
        switch self {
        case .available: .available
        case .away, .beRightBack: .away
        case .doNotDisturb, .presenting, .focusing, .wrapUp: .doNotDisturb
        case .busy, .inACall, .inAConferenceCall, .inAMeeting, .ring, .onACall: .busy
        case .appearOffline, .offline, .logout: .offline
        case .unknown: .unknown
        }
    }

    /// The label a person reads, without the out-of-office overlay.
    public var label: String {
        switch self {
        case .available: "Available"
        case .busy: "Busy"
        case .doNotDisturb: "Do not disturb"
        case .beRightBack: "Be right back"
        case .away: "Away"
        case .appearOffline: "Appear offline"
        case .inACall: "In a call"
        case .inAConferenceCall: "In a conference call"
        case .inAMeeting: "In a meeting"
        case .presenting: "Presenting"
        case .focusing: "Focusing"
        case .offline: "Offline"
        case .logout: "Logout"
        case .ring: "Ring"
        case .onACall: "On a call"
        case .wrapUp: "Wrap-up"
        case .unknown: "Unknown"
        }
    }
}

/// The broad classes of presence. ⛔ is `doNotDisturb`.
public enum PresenceCategory: String, CaseIterable, Sendable, Hashable {
    case available, away, busy, doNotDisturb, offline, unknown
}

/// Who set the presence the softphone shows.
public enum PresenceSource: String, CaseIterable, Sendable, Codable, Hashable {
    /// The agent, in the softphone (or by choosing it in Teams).
    case user
    /// An application: the Teams client (idle, presenting, in a call) or another app session.
    case application
    /// Outlook: automatic replies or a calendar event (out of office, in a meeting).
    case outlook
    /// The softphone itself: ring, on a call, wrap-up, logout.
    case softphone

    public var label: String {
        switch self {
        case .user: "you"
        case .application: "Teams"
        case .outlook: "Outlook"
        case .softphone: "the softphone"
        }
    }
}

/// A presence as shown: a state plus the out-of-office overlay.
public struct Presence: Hashable, Sendable, Codable, CustomStringConvertible {
    public var state: PresenceState
    public var outOfOffice: Bool

    public init(_ state: PresenceState, outOfOffice: Bool = false) {
        self.state = state
        self.outOfOffice = outOfOffice
    }

    public var category: PresenceCategory { state.category }

    /// ⛔: Do not disturb, Presenting, Focusing, Wrap-up — with or without out of office (R2, R3).
    public var isDoNotDisturb: Bool { state.category == .doNotDisturb }

    public var description: String { label }
}

/// The six states the agent can choose, in the order of the picker (SPEC section 2).
/// Logout is offered beside them by the picker but is not a presence choice.
public enum UserChoice: String, CaseIterable, Sendable, Codable, Hashable {
    case available, busy, doNotDisturb, beRightBack, appearAway, appearOffline

    /// The state shown when this choice is in effect.
    public var state: PresenceState {
        switch self {
        case .available: .available
        case .busy: .busy
        case .doNotDisturb: .doNotDisturb
        case .beRightBack: .beRightBack
        case .appearAway: .away
        case .appearOffline: .appearOffline
        }
    }

    /// The label in the picker.
    public var label: String {
        switch self {
        case .appearAway: "Appear away"
        default: state.label
        }
    }

    /// The choice that shows `state`, if the agent can choose it.
    public init?(state: PresenceState) {
        guard let match = UserChoice.allCases.first(where: { $0.state == state }) else { return nil }
        self = match
    }

    /// The pair `setUserPreferredPresence` takes for this choice.
    public var preferredPair: PresencePair {
        switch self {
        case .available: PresencePair(.available, .available)
        case .busy: PresencePair(.busy, .busy)
        case .doNotDisturb: PresencePair(.doNotDisturb, .doNotDisturb)
        case .beRightBack: PresencePair(.beRightBack, .beRightBack)
        case .appearAway: PresencePair(.away, .away)
        case .appearOffline: PresencePair(.offline, .offWork)
        }
    }
}
