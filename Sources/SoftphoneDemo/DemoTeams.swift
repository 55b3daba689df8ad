import SoftphoneApp
import SoftphoneCore

/// Teams for the demo, in-process: holds the agent's sessions, preferred presence and
/// out of office, and computes what Teams shows with the core's `TeamsAggregation` —
/// the same rules the Teams emulator uses. Replies arrive after a small latency.
/// (Issue 4 replaces it with the Graph client talking to the emulator over loopback.)
final class DemoTeams: TeamsConnector, ScheduledSource, DemoTeamsControl {
    static let ownSession = "softphone"
    let latency: Duration
    private(set) var user: TeamsUserPresence
    private(set) var connected = true
    private var agenda = Agenda()
    private var lastReported: GraphPresence?
    /// The newest revision of the softphone's desired state applied here; reports carry it.
    private var appliedRevision = 0
    private var announcedConnection = false

    init(now: Instant, latency: Duration = .milliseconds(40)) {
        self.latency = latency
        // The Teams desktop app is signed in and active.
        user = TeamsUserPresence(sessions: [
            PresenceSession(id: "teams-desktop", kind: .teamsClient, pair: PresencePair(.available, .available),
                            updatedAt: now),
        ])
    }

    // MARK: TeamsConnector

    func perform(_ command: TeamsCommand, at now: Instant) {
        guard connected else { return }  // the reducer keeps the desired state; reconnecting resyncs
        if !announcedConnection {
            announcedConnection = true
            agenda.schedule(.teamsConnected, at: now + latency)
        }
        // Push, or resync (pull and push): apply, confirm delivery, then report what
        // Teams shows now, so the softphone sees the state that reflects its change.
        switch command {
        case .push(let desired, let revision):
            apply(desired, at: now)
            appliedRevision = revision
        case .resync(let desired, let revision):
            if let desired { apply(desired, at: now) }
            appliedRevision = revision
        }
        agenda.schedule(.teamsDelivered(revision: appliedRevision), at: now + latency)
        report(at: now, force: true)
    }

    private func apply(_ desired: TeamsDesired, at now: Instant) {
        user.sessions.removeAll { $0.id == Self.ownSession }
        if let pair = desired.session {
            user.sessions.append(PresenceSession(id: Self.ownSession, kind: .application, pair: pair, updatedAt: now))
        }
        switch desired.preferred {
        case .clear: user.preferred = nil
        case .set(let pair): user.preferred = PreferredPresence(pair: pair, setAt: now)
        }
    }

    // MARK: What the scenario does in Teams

    /// The Teams app changes its own session (Presenting, In a call in Teams, back to Available).
    func setClient(_ pair: PresencePair, at now: Instant) {
        update(kind: .teamsClient, id: "teams-desktop", pair: pair, at: now)
    }

    /// A calendar event starts (`pair`) or ends (`nil`).
    func setCalendar(_ pair: PresencePair?, at now: Instant) {
        update(kind: .calendar, id: "calendar", pair: pair, at: now)
    }

    func setOutOfOffice(_ on: Bool, at now: Instant) {
        user.outOfOffice = on
        report(at: now, force: false)
    }

    func disconnect(reason: String, at now: Instant) {
        connected = false
        agenda.schedule(.teamsDisconnected(reason: reason), at: now)
    }

    func reconnect(at now: Instant) {
        connected = true
        agenda.schedule(.teamsConnected, at: now + latency)
    }

    private func update(kind: PresenceSession.Kind, id: String, pair: PresencePair?, at now: Instant) {
        user.sessions.removeAll { $0.id == id }
        if let pair { user.sessions.append(PresenceSession(id: id, kind: kind, pair: pair, updatedAt: now)) }
        report(at: now, force: false)
    }

    /// Tells the softphone what Teams shows, if it changed (or always, on resync).
    private func report(at now: Instant, force: Bool) {
        guard connected else { return }
        // The real connector renews its session before it idles out; here it is simply kept fresh.
        for i in user.sessions.indices where user.sessions[i].id == Self.ownSession { user.sessions[i].updatedAt = now }
        let shown = TeamsAggregation.aggregate(user, at: now)
        guard force || shown != lastReported else { return }
        lastReported = shown
        agenda.schedule(.teamsPresence(shown, asOf: appliedRevision), at: now + latency)
    }

    // MARK: ScheduledSource

    var nextDeadline: Instant? { agenda.nextDeadline }

    func actions(dueBy due: Instant, now: Instant) -> [Action] { agenda.takeDue(until: due) }
}
