import Testing
@testable import SoftphoneCore

/// One test per rule of SPEC section 3, each through the policy and through the reducer.
@Suite("Signalling rules")
struct SignallingRuleTests {
    static let doNotDisturbStates: [PresenceState] = [.doNotDisturb, .presenting, .focusing]
    static let otherStates: [PresenceState] = [.available, .busy, .inACall, .inAMeeting, .away, .beRightBack,
                                               .appearOffline, .offline]

    @Test("R1 Logout: no call is signalled, the line de-registers, a call that still arrives gets 480 and is not recorded")
    func r1Logout() {
        var h = Harness()
        let logout = h.send(.logout)
        #expect(logout.lineCommands.contains(.unregister))
        #expect(h.state.presence == Presence(.logout))
        #expect(h.state.presence.icon == .offline)
        let effects = h.send(.incomingCall(call("c1")))
        #expect(effects == [.line(.respond("c1", status: 480, contact: nil))])
        #expect(h.state.missedCount == 0)
        #expect(SignallingPolicy.decide(.direct, context(Presence(.available), loggedIn: false)).specRule == .r1)
        #expect(SignallingPolicy.decide(.queue(sales), context(Presence(.available), loggedIn: false)).isSignalled == false)
        let login = h.send(.login)
        #expect(login.lineCommands.contains(.register))
    }

    @Test("R2 Do not disturb, Presenting, Focusing: not signalled, answering rules apply, no outbound calls",
          arguments: doNotDisturbStates)
    func r2DoNotDisturb(state: PresenceState) {
        let decision = SignallingPolicy.decide(.direct, context(Presence(state)))
        guard case .divert(let d) = decision else { Issue.record("signalled in \(state)"); return }
        #expect(d.specRule == .r2)
        #expect(d.sipStatus == 486)
        #expect(d.reason == "not signalled: \(state.label)")
        #expect(SignallingPolicy.outbound(context(Presence(state))) == .refused(.r2, reason: "cannot call in \(state.label)"))

        var h = Harness()
        h.teams(GraphMapping.graph(from: Presence(state)))
        #expect(h.state.presence.state == state)
        let effects = h.send(.incomingCall(call("c1")))
        #expect(!effects.rings)
        #expect(effects.lineCommands == [.respond("c1", status: 486, contact: nil)])
        #expect(effects.callRecords.first?.reason == "not signalled: \(state.label)")
        #expect(h.send(.dial("out", to: "1002")).lineCommands.isEmpty)
    }

    @Test("R2 The state says why no call may be placed (the key map's c) and what a direct call gets (the Calls tab)",
          arguments: doNotDisturbStates)
    func r2DerivedState(state: PresenceState) {
        var h = Harness()
        #expect(h.state.outboundRefusal == nil)
        #expect(h.state.directCallDecision.isSignalled)
        h.teams(GraphMapping.graph(from: Presence(state)))
        #expect(h.state.outboundRefusal == "cannot call in \(state.label)")
        #expect(h.state.directCallDecision.specRule == .r2)
        #expect(h.state.directCallDecision == SignallingPolicy.decide(.direct, h.state.policyContext))
    }

    @Test("R3 Out of office set by the system does not stop calls; a manual Do not disturb on top does")
    func r3OutOfOffice() {
        for state in [PresenceState.available, .offline, .busy] {
            let decision = SignallingPolicy.decide(.direct, context(Presence(state, outOfOffice: true)))
            #expect(decision.isSignalled, "\(state) + out of office")
        }
        #expect(SignallingPolicy.decide(.direct, context(Presence(.available, outOfOffice: true))).specRule == .r3)
        #expect(!SignallingPolicy.decide(.direct, context(Presence(.doNotDisturb, outOfOffice: true))).isSignalled)

        var h = Harness()
        h.teams(GraphPresence(.available, .outOfOffice, outOfOffice: true))
        #expect(h.state.presence.label == "Available - Out of office")
        #expect(h.send(.incomingCall(call("c1"))).rings)
        h.send(.decline("c1"))
        h.send(.choosePresence(.doNotDisturb))
        #expect(h.state.presence.label == "Do not disturb")
        #expect(!h.send(.incomingCall(call("c2"))).rings)
    }

    @Test("R4 Every other state signals direct calls", arguments: otherStates)
    func r4OtherStates(state: PresenceState) {
        let decision = SignallingPolicy.decide(.direct, context(Presence(state)))
        #expect(decision == .signal(.r4, reason: "signalled: direct call, \(state.label)"))
        var h = Harness()
        h.teams(GraphMapping.graph(from: Presence(state)))
        let effects = h.send(.incomingCall(call("c1")))
        #expect(effects.lineCommands.first == .ring("c1"))
    }

    @Test("R5 Call waiting: a direct call during a call is signalled, unless Do not disturb or Presenting")
    func r5CallWaiting() {
        #expect(SignallingPolicy.decide(.direct, context(Presence(.available), calls: 1)) ==
            .signal(.r5, reason: "signalled: call waiting, Available"))
        for state in [PresenceState.doNotDisturb, .presenting] {
            guard case .divert(let d) = SignallingPolicy.decide(.direct, context(Presence(state), calls: 1)) else {
                Issue.record("call waiting signalled in \(state)"); continue
            }
            #expect(d.specRule == .r5)
        }

        var h = Harness()
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        let waiting = h.send(.incomingCall(call("c2", from: Party(number: "1003"))))
        #expect(waiting.rings)
        #expect(h.state.calls.map(\.phase) == [.active, .ringing])
        // Accepting the waiting call holds the first.
        let accept = h.send(.accept("c2"))
        #expect(accept.lineCommands.contains(.hold("c1")))
        #expect(h.state.calls.map(\.phase) == [.held, .active])

        // Presenting starts (in Teams) during a call: the waiting call goes to the answering rules.
        var q = Harness()
        q.send(.incomingCall(call("c1")))
        q.send(.accept("c1"))
        q.teams(GraphPresence(.doNotDisturb, .presenting))
        let blocked = q.send(.incomingCall(call("c2")))
        #expect(!blocked.rings)
        #expect(blocked.lineCommands == [.respond("c2", status: 486, contact: nil)])
        #expect(blocked.callRecords.first?.reason == "not signalled: Presenting (call waiting)")
    }

    @Test("R6 Queue call with presence-based routing: signalled only in Available or Available - Out of office")
    func r6PresenceBasedRouting() {
        #expect(SignallingPolicy.decide(.queue(sales), context(Presence(.available))).isSignalled)
        #expect(SignallingPolicy.decide(.queue(sales), context(Presence(.available, outOfOffice: true))).isSignalled)
        for state in PresenceState.allCases where state != .available && state.origin != .softphone {
            let decision = SignallingPolicy.decide(.queue(sales), context(Presence(state)))
            #expect(!decision.isSignalled, "\(state)")
        }
        var h = Harness(choice: .busy)
        let effects = h.send(.incomingCall(call("q1", .queue(sales))))
        #expect(effects.lineCommands == [.respond("q1", status: 480, contact: nil)])
        #expect(effects.callRecords.first?.reason == "not signalled: Busy (queue Sales routes by presence, needs Available)")
    }

    @Test("R7 Queue call without presence-based routing: signalled in the listed states, not in ⛔ states")
    func r7NoPresenceBasedRouting() {
        let listed: [Presence] = [
            Presence(.available), Presence(.beRightBack), Presence(.busy), Presence(.busy, outOfOffice: true),
            Presence(.available, outOfOffice: true), Presence(.offline), Presence(.away),
            Presence(.offline, outOfOffice: true),
        ]
        for p in listed {
            #expect(SignallingPolicy.decide(.queue(support), context(p)) ==
                .signal(.r7, reason: "signalled: queue Support, \(p.label)"))
        }
        for state in Self.doNotDisturbStates + [.wrapUp] {
            #expect(!SignallingPolicy.decide(.queue(support), context(Presence(state))).isSignalled)
        }
    }

    @Test("R8 Queue calls are not signalled during a call; direct calls are")
    func r8QueueWhileOnCall() {
        for queue in [sales, support] {
            let decision = SignallingPolicy.decide(.queue(queue), context(Presence(.available), calls: 1))
            #expect(decision.specRule == .r8)
            #expect(!decision.isSignalled)
        }
        var h = Harness()
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        #expect(!h.send(.incomingCall(call("q1", .queue(support)))).rings)
        #expect(h.send(.incomingCall(call("c2"))).rings)
    }

    @Test("R9 Answering rules: forward, voicemail and reject answer as configured; decline is 603; no-answer follows the rule")
    func r9AnsweringRules() {
        let forward = AnsweringConfig(rule: .forward(target: "sip:1002@127.0.0.1"), noAnswerSeconds: 15)
        let voicemail = AnsweringConfig(rule: .voicemail(target: "sip:vm@127.0.0.1"))
        let dnd = Presence(.doNotDisturb)
        guard case .divert(let f) = SignallingPolicy.decide(.direct, context(dnd, answering: forward)),
              case .divert(let v) = SignallingPolicy.decide(.queue(sales), context(dnd, answering: voicemail)),
              case .divert(let rd) = SignallingPolicy.decide(.direct, context(dnd)),
              case .divert(let rq) = SignallingPolicy.decide(.queue(sales), context(dnd)) else {
            Issue.record("a ⛔ call was signalled"); return
        }
        #expect((f.sipStatus, f.target) == (302, "sip:1002@127.0.0.1"))
        #expect((v.sipStatus, v.target) == (302, "sip:vm@127.0.0.1"))
        #expect((rd.sipStatus, rd.target) == (486, nil))
        #expect((rq.sipStatus, rq.target) == (480, nil))

        // No-answer: rings 15 s, then forwards; recorded as missed with the diversion.
        var h = Harness(settings: CoreSettings(answering: forward))
        #expect(h.send(.incomingCall(call("c1"))).rings)
        h.advance(.seconds(14))
        #expect(h.state.calls.count == 1)
        h.advance(.seconds(1))
        #expect(h.state.calls.isEmpty)
        #expect(h.effects.callCommands.last == .respond("c1", status: 302, contact: "sip:1002@127.0.0.1"))
        let record = h.effects.callRecords.last
        #expect(record?.outcome == .missed)
        #expect(record?.diversion == DiversionRecord(rule: .forward, sipStatus: 302, target: "sip:1002@127.0.0.1"))
        #expect(record?.reason == "not answered within 15 s")

        // Decline by hand: 603.
        h.send(.incomingCall(call("c2")))
        #expect(h.send(.decline("c2")).lineCommands.contains(.respond("c2", status: 603, contact: nil)))
        #expect(h.effects.callRecords.last?.outcome == .declined)

        // Never 180 for an unsignalled call.
        h.send(.choosePresence(.doNotDisturb))
        #expect(!h.send(.incomingCall(call("c3"))).rings)
    }

    @Test("R10 Call log: answered, missed and diverted calls are recorded with a reason while logged in")
    func r10CallLog() {
        var h = Harness()
        h.send(.incomingCall(call("answered")))
        h.send(.accept("answered"), after: .seconds(3))
        h.send(.remoteHangUp("answered"), after: .seconds(60))
        h.send(.incomingCall(call("missed")))
        h.send(.callerCancelled("missed"), after: .seconds(8))
        h.send(.choosePresence(.doNotDisturb))
        h.send(.incomingCall(call("diverted")))
        let records = h.effects.callRecords
        #expect(records.map(\.id) == ["answered", "missed", "diverted"])
        #expect(records.map(\.outcome) == [.answered, .missed, .diverted])
        #expect(records[0].answeredAt == t0 + .seconds(3))
        #expect(records[0].endedAt == t0 + .seconds(63))
        #expect(records[1].reason == "caller hung up after 8 s")
        #expect(records[2].reason == "not signalled: Do not disturb")
        #expect(h.state.missedCount == 1)

        h.send(.logout)
        h.send(.incomingCall(call("while-out")))
        #expect(h.effects.callRecords.count == 3)
        #expect(h.state.missedCount == 1)
    }

    @Test("R11 Wrap-up: Do not disturb for the configured time after a call, prolongable, then the previous state returns")
    func r11WrapUp() {
        var h = Harness(settings: CoreSettings(wrapUpSeconds: 30), choice: .busy)
        h.send(.incomingCall(call("c1")))
        h.send(.accept("c1"))
        h.send(.hangUp("c1"), after: .seconds(10))
        #expect(h.state.presence == Presence(.wrapUp))
        #expect(h.state.presence.icon == .doNotDisturb)
        #expect(h.state.teamsDesired.preferred == .set(PresencePair(.doNotDisturb, .doNotDisturb)))
        // A call during wrap-up is not signalled.
        #expect(!h.send(.incomingCall(call("c2")), after: .seconds(5)).rings)
        // Prolong once: 30 more seconds.
        h.send(.prolongWrapUp, after: .seconds(5))
        h.advance(.seconds(29))
        #expect(h.state.presence == Presence(.wrapUp))
        h.advance(.seconds(21))
        #expect(h.state.presence == Presence(.busy))
        #expect(h.state.teamsDesired.preferred == .set(PresencePair(.busy, .busy)))

        // 0 turns wrap-up off.
        var off = Harness()
        off.send(.incomingCall(call("c1")))
        off.send(.accept("c1"))
        off.send(.hangUp("c1"))
        #expect(off.state.presence == Presence(.available))
        // A missed call causes no wrap-up.
        var missed = Harness(settings: CoreSettings(wrapUpSeconds: 30))
        missed.send(.incomingCall(call("c1")))
        missed.send(.callerCancelled("c1"))
        #expect(missed.state.wrapUp == nil)
    }

    @Test("R12 Ring and On a call show 🔴 and tell Teams Busy/InACall; afterwards the previous presence returns")
    func r12RingAndOnACall() {
        var h = Harness(choice: .beRightBack)
        let ring = h.send(.incomingCall(call("c1")))
        #expect(h.state.presence == Presence(.ring))
        #expect(h.state.presence.icon == .busy)
        #expect(h.state.presenceSetBy == .softphone)
        #expect(ring.teamsCommands == [.push(TeamsDesired(session: PresencePair(.busy, .inACall),
                                                          preferred: .set(PresencePair(.beRightBack, .beRightBack))),
                                             revision: h.state.teamsRevision)])
        h.send(.accept("c1"))
        #expect(h.state.presence == Presence(.onACall))
        #expect(h.state.presence.icon == .busy)
        let end = h.send(.hangUp("c1"), after: .seconds(30))
        #expect(h.state.presence == Presence(.beRightBack))
        #expect(end.teamsCommands.count == 1)
        #expect(h.state.teamsDesired.session == PresencePair(.available, .available))
        #expect(h.effects.transitions.map(\.to.state) == [.ring, .onACall, .beRightBack])
        // Our own Busy/InACall echoed by Teams during the call does not replace the agent's presence.
        h.send(.incomingCall(call("c2")))
        h.teams(GraphPresence(.busy, .inACall))
        h.send(.callerCancelled("c2"))
        #expect(h.state.presence == Presence(.beRightBack))
    }

    @Test("R13 Teams not connected and the line's registration are part of the state")
    func r13Connection() {
        var h = Harness()
        #expect(!h.state.teamsConnected)
        let connect = h.send(.teamsConnected)
        #expect(h.state.teamsConnected)
        #expect(connect.teamsCommands.count == 1)  // reconnecting resynchronizes
        h.send(.teamsDisconnected(reason: "connection refused"))
        #expect(!h.state.teamsConnected)
        #expect(h.state.log.last?.text == "no connection to Teams: connection refused")
        h.send(.lineStateChanged(.registered))
        #expect(h.state.line == .registered)
        #expect(TeamsDisconnectedIcon.emoji == "❎")
    }

    @Test("R13 no working connection because the agent must sign in: not connected, and the state says why; throttling is a slow connection, not none")
    func r13SignInAndThrottling() {
        var h = Harness()
        h.send(.teamsConnected)
        h.send(.teamsDisconnected(reason: TeamsDisconnectedIcon.signInLabel))
        #expect(!h.state.teamsConnected && h.state.teamsSignInNeeded)
        h.send(.teamsConnected)
        #expect(h.state.teamsConnected && !h.state.teamsSignInNeeded)
        // Graph asked to wait: still connected (no ❎); the wait is state the bar shows.
        let now = h.state.log.last?.at ?? Instant(secondsSinceEpoch: 0)
        h.send(.teamsAskedToWait(.seconds(20), until: now + .seconds(20)))
        #expect(h.state.teamsConnected)
        #expect(h.state.teamsWait == TeamsWait(asked: .seconds(20), until: now + .seconds(20)))
        h.send(.teamsPollingSlowed(budget: 30))
        #expect(h.state.teamsConnected && h.state.teamsSlowedByBudget == 30)
        // Another reason is a plain disconnection.
        h.send(.teamsDisconnected(reason: "connection refused"))
        #expect(!h.state.teamsConnected && !h.state.teamsSignInNeeded)
    }
}
