import Testing
@testable import SoftphoneCore

@Suite("Teams aggregation")
struct TeamsAggregationTests {
    let app = PresenceSession(id: "softphone", kind: .application, pair: PresencePair(.available, .available),
                              updatedAt: t0, expiration: .seconds(3600))
    let client = PresenceSession(id: "desktop", kind: .teamsClient, pair: PresencePair(.available, .available),
                                 updatedAt: t0)

    func shows(_ user: TeamsUserPresence, at offset: Duration = .zero) -> PresencePair {
        TeamsAggregation.aggregate(user, at: t0 + offset).pair
    }

    @Test("With no session the user is Offline, even with a preferred presence")
    func noSessionOffline() {
        let user = TeamsUserPresence(preferred: PreferredPresence(pair: PresencePair(.busy, .busy), setAt: t0))
        #expect(shows(user) == PresencePair(.offline, .offline))
    }

    @Test("A preferred presence overrides every session")
    func preferredOverrides() {
        var presenting = client
        presenting.pair = PresencePair(.doNotDisturb, .presenting)
        let user = TeamsUserPresence(sessions: [presenting, app],
                                     preferred: PreferredPresence(pair: PresencePair(.beRightBack, .beRightBack), setAt: t0))
        #expect(shows(user) == PresencePair(.beRightBack, .beRightBack))
    }

    @Test("Among sessions Do not disturb beats Busy beats Available beats Away")
    func sessionRanking() {
        func session(_ id: String, _ a: Availability, _ act: Activity) -> PresenceSession {
            PresenceSession(id: id, kind: .teamsClient, pair: PresencePair(a, act), updatedAt: t0)
        }
        let away = session("a", .away, .away), available = session("b", .available, .available)
        let busy = session("c", .busy, .inACall), dnd = session("d", .doNotDisturb, .presenting)
        #expect(shows(TeamsUserPresence(sessions: [away, available])) == available.pair)
        #expect(shows(TeamsUserPresence(sessions: [busy, available, away])) == busy.pair)
        #expect(shows(TeamsUserPresence(sessions: [busy, dnd, available])) == dnd.pair)
        #expect(shows(TeamsUserPresence(sessions: [away])) == away.pair)
    }

    @Test("Among equal sessions the most recently updated wins")
    func tieBreak() {
        let meeting = PresenceSession(id: "cal", kind: .calendar, pair: PresencePair(.busy, .inAMeeting), updatedAt: t0)
        let call = PresenceSession(id: "desk", kind: .teamsClient, pair: PresencePair(.busy, .inACall),
                                   updatedAt: t0 + .seconds(1))
        #expect(shows(TeamsUserPresence(sessions: [meeting, call])) == call.pair)
        #expect(shows(TeamsUserPresence(sessions: [call, meeting])) == call.pair)
    }

    @Test("An idle application session times out in stages: Inactive after 5 minutes, Away after 10")
    func stagedTimeouts() {
        let user = TeamsUserPresence(sessions: [app])
        #expect(shows(user, at: .seconds(299)) == PresencePair(.available, .available))
        #expect(shows(user, at: .seconds(300)) == PresencePair(.available, .inactive))
        #expect(shows(user, at: .seconds(599)) == PresencePair(.available, .inactive))
        #expect(shows(user, at: .seconds(600)) == PresencePair(.away, .away))
        // Busy sessions do not go idle.
        var busy = app
        busy.pair = PresencePair(.busy, .inACall)
        #expect(shows(TeamsUserPresence(sessions: [busy]), at: .seconds(1200)) == busy.pair)
    }

    @Test("A session expires after its expirationDuration and then counts as Offline")
    func expiry() {
        var session = app
        session.expiration = TeamsAggregation.defaultSessionExpiration
        let user = TeamsUserPresence(sessions: [session])
        #expect(shows(user, at: .seconds(299)) == PresencePair(.available, .available))
        #expect(shows(user, at: .seconds(300)) == PresencePair(.offline, .offline))
        #expect(TeamsAggregation.pruned(user, at: t0 + .seconds(300)).sessions.isEmpty)
        // Renewing before expiry keeps it.
        session.updatedAt = t0 + .seconds(240)
        #expect(shows(TeamsUserPresence(sessions: [session]), at: .seconds(300)) == PresencePair(.available, .available))
    }

    @Test("An expired preferred presence no longer overrides")
    func preferredExpiry() {
        let user = TeamsUserPresence(sessions: [client],
                                     preferred: PreferredPresence(pair: PresencePair(.doNotDisturb, .doNotDisturb),
                                                                  setAt: t0, expiresAt: t0 + .seconds(60)))
        #expect(shows(user, at: .seconds(59)) == PresencePair(.doNotDisturb, .doNotDisturb))
        #expect(shows(user, at: .seconds(60)) == PresencePair(.available, .available))
        #expect(TeamsAggregation.pruned(user, at: t0 + .seconds(60)).preferred == nil)
    }

    @Test("Out of office overlays the aggregate")
    func outOfOfficeOverlay() {
        var busy = client
        busy.pair = PresencePair(.busy, .inACall)
        #expect(TeamsAggregation.aggregate(TeamsUserPresence(sessions: [client], outOfOffice: true), at: t0)
            == GraphPresence(.available, .outOfOffice, outOfOffice: true))
        #expect(TeamsAggregation.aggregate(TeamsUserPresence(sessions: [busy], outOfOffice: true), at: t0)
            == GraphPresence(.busy, .inACall, outOfOffice: true))
        #expect(TeamsAggregation.aggregate(TeamsUserPresence(outOfOffice: true), at: t0)
            == GraphPresence(.offline, .outOfOffice, outOfOffice: true))
    }

    @Test("setPresence and setUserPreferredPresence accept exactly the documented pairs")
    func acceptedPairs() {
        #expect(TeamsAggregation.sessionPairs.count == 5)
        #expect(TeamsAggregation.sessionPairs.contains(PresencePair(.doNotDisturb, .presenting)))
        #expect(!TeamsAggregation.sessionPairs.contains(PresencePair(.busy, .inAMeeting)))
        #expect(!TeamsAggregation.sessionPairs.contains(PresencePair(.available, .outOfOffice)))
        #expect(TeamsAggregation.preferredPairs == [
            PresencePair(.available, .available), PresencePair(.busy, .busy),
            PresencePair(.doNotDisturb, .doNotDisturb), PresencePair(.beRightBack, .beRightBack),
            PresencePair(.away, .away), PresencePair(.offline, .offWork),
        ])
    }

    @Test("nextChange names the next stage or expiry")
    func nextChange() {
        let user = TeamsUserPresence(sessions: [app])
        #expect(TeamsAggregation.nextChange(of: user, after: t0) == t0 + .seconds(300))
        #expect(TeamsAggregation.nextChange(of: user, after: t0 + .seconds(300)) == t0 + .seconds(600))
        #expect(TeamsAggregation.nextChange(of: user, after: t0 + .seconds(600)) == t0 + .seconds(3600))
        #expect(TeamsAggregation.nextChange(of: TeamsUserPresence(sessions: [client]), after: t0) == nil)
    }

    @Test("Default preferred lifetimes: a day for Busy and Do not disturb, a week otherwise")
    func preferredDefaults() {
        #expect(TeamsAggregation.defaultPreferredExpiration(for: PresencePair(.busy, .busy)) == .seconds(86400))
        #expect(TeamsAggregation.defaultPreferredExpiration(for: PresencePair(.away, .away)) == .seconds(7 * 86400))
    }
}
