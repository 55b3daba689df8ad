/// Mapping between the softphone's `Presence` and Graph's availability/activity
/// pair plus out-of-office flag (SPEC section 2, "Teams state ↔ Graph pair").
///
/// Decoding is total: every pair Graph can send maps to some presence.
/// Encoding then decoding returns the same presence for every state Teams can show.
public enum GraphMapping {
    /// The presence Teams shows for what Graph reports.
    public static func presence(from graph: GraphPresence) -> Presence {
        let ooo = graph.outOfOffice || graph.activity == .outOfOffice
        return Presence(state(for: graph.pair), outOfOffice: ooo)
    }

    /// The state for a pair, ignoring out of office. The activity decides where it
    /// is specific; otherwise the availability does.
    public static func state(for pair: PresencePair) -> PresenceState {
        switch pair.activity {
        case .presenting: return .presenting
        case .focusing: return .focusing
        case .urgentInterruptionsOnly: return .doNotDisturb
        case .inACall: return .inACall
        case .inAConferenceCall: return .inAConferenceCall
        case .inAMeeting: return .inAMeeting
        case .offWork: return .appearOffline
        default: break
        }
        switch pair.availability {
        case .available: return .available
        case .availableIdle, .away: return .away
        case .beRightBack: return .beRightBack
        case .busy, .busyIdle: return .busy
        case .doNotDisturb: return .doNotDisturb
        case .offline: return .offline
        case .presenceUnknown: return .unknown
        }
    }

    /// What Teams would report for a presence. The softphone's own states map to
    /// what it tells Teams about them: Ring and On a call are Busy/InACall (R12),
    /// Wrap-up is Do not disturb, Logout is Offline.
    public static func graph(from presence: Presence) -> GraphPresence {
        let ooo = presence.outOfOffice
        let pair: PresencePair
        switch presence.state {
        case .available: pair = PresencePair(.available, ooo ? .outOfOffice : .available)
        case .busy: pair = PresencePair(.busy, .busy)
        case .doNotDisturb, .wrapUp: pair = PresencePair(.doNotDisturb, .doNotDisturb)
        case .beRightBack: pair = PresencePair(.beRightBack, .beRightBack)
        case .away: pair = PresencePair(.away, .away)
        case .appearOffline: pair = PresencePair(.offline, .offWork)
        case .inACall, .ring, .onACall: pair = PresencePair(.busy, .inACall)
        case .inAConferenceCall: pair = PresencePair(.busy, .inAConferenceCall)
        case .inAMeeting: pair = PresencePair(.busy, .inAMeeting)
        case .presenting: pair = PresencePair(.doNotDisturb, .presenting)
        case .focusing: pair = PresencePair(.doNotDisturb, .focusing)
        case .offline, .logout: pair = PresencePair(.offline, ooo ? .outOfOffice : .offline)
        case .unknown: pair = PresencePair(.presenceUnknown, .presenceUnknown)
        }
        return GraphPresence(pair: pair, outOfOffice: ooo)
    }

    /// The rows of SPEC's table: what Teams shows, and the Graph presence for it.
    public static let specTable: [(shows: String, graph: GraphPresence)] = [
        ("Available", GraphPresence(.available, .available)),
        ("Available - Out of office", GraphPresence(.available, .outOfOffice, outOfOffice: true)),
        ("Busy", GraphPresence(.busy, .busy)),
        ("In a call", GraphPresence(.busy, .inACall)),
        ("In a meeting", GraphPresence(.busy, .inAMeeting)),
        ("In a call - Out of office", GraphPresence(.busy, .inACall, outOfOffice: true)),
        ("Do not disturb", GraphPresence(.doNotDisturb, .doNotDisturb)),
        ("Presenting", GraphPresence(.doNotDisturb, .presenting)),
        ("Focusing", GraphPresence(.doNotDisturb, .focusing)),
        ("Away", GraphPresence(.away, .away)),
        ("Be right back", GraphPresence(.beRightBack, .beRightBack)),
        ("Appear offline", GraphPresence(.offline, .offWork)),
        ("Out of office", GraphPresence(.offline, .outOfOffice, outOfOffice: true)),
    ]
}
