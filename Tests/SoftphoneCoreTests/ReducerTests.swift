import Testing
@testable import SoftphoneCore

@Suite("Reducer")
struct ReducerTests {
    @Test("Login registers the line, shows the presence and resynchronizes with Teams")
    func login() {
        var state = SoftphoneState()
        #expect(state.presence == Presence(.logout))
        let effects = Reducer.reduce(&state, .login, at: t0)
        #expect(effects.lineCommands == [.register, .publish(Presence(.available))])
        #expect(effects.teamsCommands == [.resync(TeamsDesired(session: PresencePair(.available, .available), preferred: .clear),
                                                  revision: 1)])
        #expect(effects.transitions == [PresenceTransition(from: Presence(.logout), to: Presence(.available), setBy: .user, at: t0)])
        #expect(Reducer.reduce(&state, .login, at: t0).isEmpty)
    }

    @Test("Every change of the shown presence is published on the line (SIP PUBLISH), once; logout publishes Logout")
    func publishesShownPresence() {
        var h = Harness()
        #expect(h.send(.choosePresence(.doNotDisturb)).lineCommands == [.publish(Presence(.doNotDisturb))])
        #expect(h.send(.choosePresence(.doNotDisturb)).lineCommands.isEmpty, "no change, no publication")
        let ring = h.send(.incomingCall(IncomingCall(id: "q1", from: Party(number: "1"), kind: .direct)))
        #expect(!ring.lineCommands.contains { if case .publish = $0 { true } else { false } },
                "a call not signalled in Do not disturb changes nothing shown")
        #expect(h.send(.teamsPresence(GraphPresence(.doNotDisturb, .presenting), asOf: h.state.teamsRevision))
            .lineCommands == [.publish(Presence(.presenting))], "a state from Teams is published too")
        #expect(h.send(.logout).lineCommands.suffix(1) == [.publish(Presence(.logout))])
    }

    @Test("Logout clears the softphone's Teams session, leaves the preferred presence, and resynchronizes")
    func logout() {
        var h = Harness(choice: .busy)
        let effects = h.send(.logout)
        // The session goes; the preferred presence stays the agent's choice.
        #expect(effects.teamsCommands == [.resync(TeamsDesired(session: nil, preferred: .set(PresencePair(.busy, .busy))),
                                                  revision: h.state.teamsRevision)])
        #expect(h.state.choice == .busy)
        #expect(h.send(.logout).isEmpty)
    }

    @Test("Logout during calls ends them: a ringing call is refused (480, not missed), an active one hung up")
    func logoutEndsCalls() {
        var h = Harness()
        h.send(.incomingCall(call("a")))
        h.send(.accept("a"))
        h.send(.incomingCall(call("b")))
        let effects = h.send(.logout)
        #expect(effects.lineCommands.contains(.hangUp("a")))
        #expect(effects.lineCommands.contains(.respond("b", status: 480, contact: nil)))
        #expect(effects.callRecords.map(\.outcome) == [.answered, .diverted])
        #expect(h.state.calls.isEmpty)
        #expect(h.timers.isEmpty)
    }

    @Test("Choosing a state pushes it as preferred presence; choosing Available clears it and resynchronizes")
    func choose() {
        var h = Harness()
        let dnd = h.send(.choosePresence(.doNotDisturb))
        #expect(dnd.teamsCommands == [.push(TeamsDesired(session: PresencePair(.available, .available),
                                                         preferred: .set(PresencePair(.doNotDisturb, .doNotDisturb))),
                                            revision: h.state.teamsRevision)])
        #expect(h.state.presence == Presence(.doNotDisturb))
        #expect(h.state.presenceSetBy == .user)
        let available = h.send(.choosePresence(.available))
        guard case .resync(let desired, _)? = available.teamsCommands.first else { Issue.record("no resync"); return }
        #expect(desired?.preferred == .clear)
    }

    @Test("Choosing a state while logged out logs in")
    func chooseWhileLoggedOut() {
        var h = Harness(loggedIn: false)
        let effects = h.send(.choosePresence(.busy))
        #expect(h.state.loggedIn)
        #expect(effects.lineCommands == [.register, .publish(Presence(.busy))])
        #expect(h.state.presence == Presence(.busy))
    }

    @Test("Presenting from Teams shows while it lasts, then the agent's choice returns")
    func appConfiguredStateReturns() {
        var h = Harness()
        let start = h.teams(GraphPresence(.doNotDisturb, .presenting))
        #expect(h.state.presence == Presence(.presenting))
        #expect(h.state.presenceSetBy == .application)
        #expect(start.teamsCommands.isEmpty)  // not echoed back
        #expect(h.state.choice == .available)
        h.teams(GraphPresence(.available, .available))
        #expect(h.state.presence == Presence(.available))
        #expect(h.state.presenceSetBy == .user)
    }

    @Test("In a meeting and out of office are set by Outlook")
    func outlook() {
        var h = Harness()
        h.teams(GraphPresence(.busy, .inAMeeting))
        #expect(h.state.presenceSetBy == .outlook)
        h.teams(GraphPresence(.available, .outOfOffice, outOfOffice: true))
        #expect(h.state.presence.label == "Available - Out of office")
        #expect(h.state.presence.icon == .outOfOffice)
        #expect(h.state.presenceSetBy == .outlook)
    }

    @Test("A state chosen in Teams becomes the agent's choice, without an echo")
    func choiceInTeams() {
        var h = Harness()
        h.send(.teamsDelivered(revision: h.state.teamsRevision))
        let effects = h.teams(GraphPresence(.beRightBack, .beRightBack))
        #expect(h.state.choice == .beRightBack)
        #expect(h.state.presence == Presence(.beRightBack))
        #expect(effects.teamsCommands.isEmpty)
    }

    @Test("A stale Teams state does not overwrite the agent's choice while it is being delivered")
    func staleRemote() {
        var h = Harness()
        h.send(.teamsDelivered(revision: h.state.teamsRevision))
        h.send(.choosePresence(.doNotDisturb))
        #expect(h.state.teamsPending)
        h.send(.teamsPresence(GraphPresence(.available, .available), asOf: h.state.teamsRevision - 1))  // read before our change
        #expect(h.state.presence == Presence(.doNotDisturb))
        h.send(.teamsDelivered(revision: h.state.teamsRevision))
        #expect(!h.state.teamsPending)
        h.teams(GraphPresence(.doNotDisturb, .doNotDisturb))
        #expect(h.state.presence == Presence(.doNotDisturb))
    }

    @Test("Teams' idle Away does not become the agent's choice")
    func idleAway() {
        var h = Harness()
        h.send(.teamsDelivered(revision: h.state.teamsRevision))
        h.teams(GraphPresence(.away, .away))
        #expect(h.state.presence == Presence(.away))
        #expect(h.state.choice == .available)
        #expect(h.state.presenceSetBy == .application)
    }

    @Test("Sync direction: off sends nothing to Teams, from-teams only pulls, to-teams ignores Teams")
    func syncDirections() {
        var off = Harness(settings: CoreSettings(sync: .off))
        #expect(off.send(.choosePresence(.busy)).teamsCommands.isEmpty)
        #expect(off.send(.choosePresence(.available)).teamsCommands.isEmpty)

        var from = Harness(settings: CoreSettings(sync: .fromTeams))
        #expect(from.send(.choosePresence(.busy)).teamsCommands.isEmpty)
        #expect(from.send(.resyncRequested).teamsCommands == [.resync(nil, revision: from.state.teamsRevision)])

        var to = Harness(settings: CoreSettings(sync: .toTeams))
        to.teams(GraphPresence(.doNotDisturb, .presenting))
        #expect(to.state.presence == Presence(.available))
    }

    @Test("A retransmitted INVITE does not ring twice")
    func duplicateIncoming() {
        var h = Harness()
        h.send(.incomingCall(call("c1")))
        #expect(h.send(.incomingCall(call("c1"))).isEmpty)
        #expect(h.state.calls.count == 1)
    }

    @Test("Hold and resume an active call")
    func holdResume() {
        var h = Harness()
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        #expect(h.send(.hold("c1")).lineCommands == [.hold("c1")])
        #expect(h.state.call("c1")?.phase == .held)
        #expect(h.send(.hold("c1")).isEmpty)
        #expect(h.send(.resume("c1")).lineCommands == [.resume("c1")])
        #expect(h.state.presence == Presence(.onACall))
    }

    @Test("Outbound: dial, answered, hung up, recorded")
    func outbound() {
        var h = Harness()
        #expect(h.send(.dial("o1", to: "sip:1002@127.0.0.1")).lineCommands == [.dial("o1", target: "sip:1002@127.0.0.1"), .publish(Presence(.ring))])
        #expect(h.state.presence == Presence(.ring))
        h.send(.remoteAnswered("o1"), after: .seconds(2))
        #expect(h.state.presence == Presence(.onACall))
        h.send(.hangUp("o1"), after: .seconds(20))
        let record = h.effects.callRecords.last
        #expect(record?.direction == .outbound)
        #expect(record?.outcome == .answered)
        h.send(.dial("o2", to: "1003"))
        h.send(.outboundFailed("o2", status: 486, reason: "Busy Here"))
        #expect(h.effects.callRecords.last?.outcome == .unanswered)
        #expect(h.effects.callRecords.last?.reason == "486 Busy Here")
        #expect(h.state.missedCount == 0)
    }

    @Test("Choosing a state ends wrap-up early; a stale wrap-up timer is ignored")
    func wrapUpEndedByChoice() {
        var h = Harness(settings: CoreSettings(wrapUpSeconds: 60))
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        h.send(.remoteHangUp("c1"))
        #expect(h.state.wrapUp != nil)
        let effects = h.send(.choosePresence(.busy))
        #expect(effects.contains(.cancelTimer(.wrapUpEnd)))
        #expect(h.state.presence == Presence(.busy))
        h.send(.prolongWrapUp)
        #expect(h.state.wrapUp == nil)

        var early = Harness(settings: CoreSettings(wrapUpSeconds: 60))
        early.send(.incomingCall(call("c1")))
        early.send(.accept("c1"))
        early.send(.remoteHangUp("c1"))
        early.send(.timerFired(.wrapUpEnd), after: .seconds(10))
        #expect(early.state.wrapUp != nil)
    }

    @Test("Accepting a call during wrap-up ends wrap-up")
    func acceptDuringWrapUp() {
        var h = Harness(settings: CoreSettings(wrapUpSeconds: 60))
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        h.send(.incomingCall(call("c2")))
        h.send(.remoteHangUp("c1"))
        #expect(h.state.wrapUp != nil)
        #expect(h.state.presence == Presence(.ring))
        h.send(.accept("c2"))
        #expect(h.state.wrapUp == nil)
    }

    @Test("Every change of the shown presence is recorded as a transition, in a chain")
    func transitionsChain() {
        var h = Harness(loggedIn: false)
        h.send(.login)
        h.send(.choosePresence(.busy))
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        h.send(.hangUp("c1"))
        h.send(.logout)
        let t = h.effects.transitions
        #expect(t.map(\.to.state) == [.available, .busy, .ring, .onACall, .busy, .logout])
        for (a, b) in zip(t, t.dropFirst()) { #expect(a.to == b.from) }
    }

    @Test("The Log tab explains every call that was not signalled")
    func logExplains() {
        var h = Harness(choice: .doNotDisturb)
        h.send(.incomingCall(call("c1", from: Party(number: "1002", name: "Bob"))))
        #expect(h.state.log.last?.text == "Bob <1002> (direct): not signalled: Do not disturb (R2), reject 486")
    }

    @Test("Queues are recognised by number in To or a redirecting header, or by X-Queue")
    func queueDirectory() {
        let directory = QueueDirectory([sales, support])
        #expect(directory.kind(for: .init(toUser: "700")) == .queue(sales))
        #expect(directory.kind(for: .init(toUser: "1001", redirectingUsers: ["701"])) == .queue(support))
        #expect(directory.kind(for: .init(toUser: "1001", xQueue: " sales ")) == .queue(sales))
        #expect(directory.kind(for: .init(toUser: "1001", xQueue: "701")) == .queue(support))
        #expect(directory.kind(for: .init(toUser: "1001", xQueue: "Billing")) == .direct)
    }
}

@Suite("Roster")
struct RosterTests {
    @Test("The roster keeps when each presence began, sorts, filters and counts")
    func roster() {
        var roster = Roster()
        roster.update(id: "bob", name: "Bob", presence: Presence(.busy), at: t0)
        roster.update(id: "amy", name: "Amy", presence: Presence(.available), at: t0 + .seconds(5))
        roster.update(id: "cat", name: "Cat", presence: Presence(.doNotDisturb), at: t0 + .seconds(9))
        let v = roster.version
        roster.update(id: "bob", name: "Bob", presence: Presence(.busy), at: t0 + .seconds(20))
        #expect(roster.version == v)
        #expect(roster.colleagues["bob"]?.since == t0)
        roster.update(id: "bob", name: "Bob", presence: Presence(.available), at: t0 + .seconds(30))
        #expect(roster.colleagues["bob"]?.since == t0 + .seconds(30))

        #expect(roster.table(sort: .name).rows.map(\.id) == ["amy", "bob", "cat"])
        #expect(roster.table(sort: .state).rows.map(\.id) == ["amy", "bob", "cat"])
        #expect(roster.table(sort: .since).rows.map(\.id) == ["amy", "cat", "bob"])
        let filtered = roster.table(sort: .name, filter: "disturb")
        #expect(filtered.rows.map(\.id) == ["cat"])
        #expect(filtered.counts == [.available: 2, .doNotDisturb: 1])
        #expect(filtered.total == 3)
    }
}

@Suite("Reducer: transfer and sync status")
struct TransferAndSyncTests {
    @Test("A blind transfer sends REFER and records the call as answered and transferred")
    func transfer() {
        var h = Harness()
        h.send(.incomingCall(call("c1")))
        #expect(h.send(.transfer("c1", to: "1002")).isEmpty)  // not connected yet
        h.send(.accept("c1"))
        let effects = h.send(.transfer("c1", to: "sip:1002@127.0.0.1"), after: .seconds(30))
        #expect(effects.lineCommands == [.transfer("c1", target: "sip:1002@127.0.0.1"), .publish(Presence(.available))])
        #expect(effects.callRecords.first?.reason == "transferred to sip:1002@127.0.0.1")
        #expect(h.state.calls.isEmpty)
    }

    @Test("The time a change has waited for Teams is kept until it is delivered")
    func pendingSince() {
        var h = Harness()
        #expect(h.state.teamsPendingSince == t0)
        h.send(.choosePresence(.busy), after: .seconds(5))
        #expect(h.state.teamsPendingSince == t0)
        h.send(.teamsDelivered(revision: h.state.teamsRevision), after: .seconds(1))
        #expect(h.state.teamsPendingSince == nil)
        h.send(.choosePresence(.doNotDisturb), after: .seconds(1))
        #expect(h.state.teamsPendingSince == t0 + .seconds(7))
    }
}

/// Cases found in review: each failed before its fix.
@Suite("Reducer: edge cases")
struct ReducerEdgeCaseTests {
    @Test("A Teams report read before our latest change is ignored, whatever state it shows")
    func staleApplicationStateIgnored() {
        var h = Harness()
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        let duringCall = h.state.teamsRevision
        h.send(.hangUp("c1"))
        // A poll that read Teams during the call arrives after it ended.
        h.send(.teamsPresence(GraphPresence(.busy, .inACall), asOf: duringCall))
        #expect(h.state.presence == Presence(.available))
        #expect(SignallingPolicy.decide(.queue(sales), h.state.policyContext).isSignalled)
        // The same report, read after our change was delivered, is taken.
        h.teams(GraphPresence(.doNotDisturb, .presenting))
        #expect(h.state.presence == Presence(.presenting))
    }

    @Test("Logging out during wrap-up leaves the agent's own choice in Teams, not wrap-up's Do not disturb")
    func logoutDuringWrapUp() {
        var h = Harness(settings: CoreSettings(wrapUpSeconds: 30), choice: .beRightBack)
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        h.send(.hangUp("c1"))
        #expect(h.state.teamsDesired.preferred == .set(PresencePair(.doNotDisturb, .doNotDisturb)))
        let effects = h.send(.logout)
        #expect(effects.teamsCommands == [.resync(TeamsDesired(session: nil, preferred: .set(PresencePair(.beRightBack, .beRightBack))),
                                                  revision: h.state.teamsRevision)])
    }

    @Test("Dialling during a call holds it; an answered outbound call ends wrap-up")
    func dialHoldsAndEndsWrapUp() {
        var h = Harness(settings: CoreSettings(wrapUpSeconds: 30))
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        let dial = h.send(.dial("o1", to: "1002"))
        #expect(dial.lineCommands.contains(.hold("c1")))
        h.send(.hangUp("c1"))
        #expect(h.state.calls.map(\.phase) == [.dialing])
        h.send(.remoteAnswered("o1"))
        #expect(h.state.calls.filter { $0.phase == .active }.count == 1)
        #expect(h.state.wrapUp == nil)
        #expect(h.timers[.wrapUpEnd] == nil)
        #expect(h.state.presence == Presence(.onACall))
    }

    @Test("Logout with an active and a ringing call: no wrap-up, no missed call")
    func logoutWithCalls() {
        var h = Harness(settings: CoreSettings(wrapUpSeconds: 30))
        h.send(.incomingCall(call("a")))
        h.send(.accept("a"))
        h.send(.incomingCall(call("b")))
        let effects = h.send(.logout)
        #expect(!effects.contains { if case .startTimer(.wrapUpEnd, _) = $0 { true } else { false } })
        #expect(h.state.missedCount == 0)
        #expect(effects.callRecords.map(\.outcome) == [.answered, .diverted])
        #expect(effects.callRecords.last?.reason == "not signalled: you logged out while it rang")
    }

    @Test("Out of office going off gives the presence back to whoever set the state")
    func outOfOfficeOff() {
        var h = Harness()
        h.teams(GraphPresence(.available, .outOfOffice, outOfOffice: true))
        #expect(h.state.presenceSetBy == .outlook)
        h.teams(GraphPresence(.available, .available))
        #expect(h.state.presenceSetBy == .user)
        h.teams(GraphPresence(.doNotDisturb, .presenting, outOfOffice: true))
        h.teams(GraphPresence(.doNotDisturb, .presenting))
        #expect(h.state.presenceSetBy == .application)
    }

    @Test("What Teams showed while logged out does not outlive the next login")
    func loginStartsFromTheChoice() {
        var h = Harness(choice: .busy)
        h.send(.logout)
        h.teams(GraphPresence(.offline, .offline))
        h.send(.login)
        #expect(h.state.presence == Presence(.busy))
        #expect(h.state.presenceSetBy == .user)
    }
}
