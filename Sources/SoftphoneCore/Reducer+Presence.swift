extension Reducer {
    /// Login, logout, presence choices, Teams reports and connection, the line's state.
    static func reducePresence(_ state: inout SoftphoneState, _ action: PresenceAction, _ step: inout Step) {
        switch action {
        case .login:
            logIn(&state, &step)

        case .logout:
            guard state.loggedIn else { return }
            // Logged out first: calls ended now start no wrap-up and count as no missed calls.
            state.loggedIn = false
            endAllCalls(&state, &step)
            step.effects.append(.line(.unregister))
            step.resync = true
            step.log(&state, .presence, "logged out: calls are no longer signalled (R1)")

        case .choosePresence(let choice):
            logIn(&state, &step)
            endWrapUp(&state, &step, because: "choosing \(choice.label)")
            state.choice = choice
            state.base = Presence(choice.state, outOfOffice: state.base.outOfOffice)
            state.baseSetBy = .user
            if choice == .available { step.resync = true }

        case .resyncRequested:
            step.resync = true
            step.log(&state, .teams, "resynchronization requested")

        case .teamsPresence(let graph, let asOf):
            applyTeamsPresence(&state, graph, asOf: asOf, &step)

        case .teamsConnected:
            state.teamsSignInNeeded = false
            guard !state.teamsConnected else { return }
            state.teamsConnected = true
            step.resync = true
            step.log(&state, .teams, "connected to Teams")

        case .teamsDisconnected(let reason):
            let was = state.teamsConnected
            state.teamsConnected = false
            state.teamsSignInNeeded = reason.contains(TeamsDisconnectedIcon.signInLabel)
            if was { step.log(&state, .teams, "no connection to Teams: \(reason)") }

        case .teamsDelivered(let revision):
            state.teamsDeliveredRevision = max(state.teamsDeliveredRevision, min(revision, state.teamsRevision))

        case .teamsAskedToWait(let asked, let until):
            // The latest deadline wins; the status bar shows it while it runs.
            if let wait = state.teamsWait, wait.until >= until { return }
            state.teamsWait = TeamsWait(asked: asked, until: until)
            step.log(&state, .teams, "Graph asked to wait \(asked.wholeSeconds) s (throttled): no request to Teams before then")

        case .teamsPollingSlowed(let budget):
            guard budget != state.teamsSlowedByBudget else { return }
            state.teamsSlowedByBudget = budget
            if let budget {
                step.log(&state, .teams, "polling Teams less often than configured, to stay within \(budget) requests per 30 s")
            }

        case .lineStateChanged(let line):
            guard line != state.line else { return }
            state.line = line
            step.log(&state, .line, "line \(line.label)")

        }
    }

    /// Registers the line and resynchronizes. The agent's choice is the starting point;
    /// Teams' resync brings back whatever it shows instead (Presenting, a meeting).
    static func logIn(_ state: inout SoftphoneState, _ step: inout Step) {
        guard !state.loggedIn else { return }
        state.loggedIn = true
        state.base.state = state.choice.state
        state.baseSetBy = .user
        step.effects.append(.line(.register))
        step.resync = true
        step.log(&state, .presence, "logged in")
    }

    /// A report from Teams. App-configured states show while they last; a choice
    /// made in Teams becomes the agent's choice; echoes of our own session and
    /// reports older than our latest change are ignored.
    static func applyTeamsPresence(_ state: inout SoftphoneState, _ graph: GraphPresence, asOf: Int, _ step: inout Step) {
        guard state.settings.sync.pullsFromTeams else { return }
        step.cameFromTeams = true
        let remote = GraphMapping.presence(from: graph)
        guard asOf >= state.teamsRevision else {
            step.log(&state, .teams, "ignored a stale Teams state (\(remote.label)): your latest change is still being delivered")
            return
        }
        state.remote = graph
        applyTeamsState(&state, remote.state, &step)
        if remote.outOfOffice != state.base.outOfOffice {
            state.base.outOfOffice = remote.outOfOffice
            state.baseSetBy = remote.outOfOffice ? .outlook : source(of: state.base.state, state)
            step.log(&state, .presence, remote.outOfOffice ? "out of office on (Outlook)" : "out of office off (Outlook)")
        }
    }

    /// The state part of a Teams report, without out of office.
    static func applyTeamsState(_ state: inout SoftphoneState, _ remote: PresenceState, _ step: inout Step) {
        // Our own session's Busy/InACall while a call is in progress, or our wrap-up's DND.
        if remote == .inACall, !state.calls.isEmpty { return }
        if remote == .doNotDisturb, state.wrapUp != nil { return }

        switch remote.origin {
        case .application, .softphone:
            guard state.base.state != remote else { return }
            state.base.state = remote
            state.baseSetBy = source(of: remote, state)
        case .user:
            if remote == state.choice.state {
                if state.base.state != remote {
                    state.base.state = remote
                    state.baseSetBy = .user
                }
                return
            }
            if remote == .away, state.choice != .appearAway {
                // Teams' own idle detection, not a choice.
                state.base.state = .away
                state.baseSetBy = .application
                return
            }
            // Busy, Do not disturb, Be right back, Appear offline and Available come only
            // from a preferred presence: the agent chose it in Teams.
            let choice = UserChoice(state: remote)!
            state.choice = choice
            state.base.state = choice.state
            state.baseSetBy = .user
            step.log(&state, .presence, "\(choice.label) chosen in Teams")
        }
    }

    /// Who set a base state: the agent for their choice, Outlook for meetings,
    /// otherwise an application (the Teams client).
    static func source(of base: PresenceState, _ state: SoftphoneState) -> PresenceSource {
        if base == state.choice.state { return .user }
        return base == .inAMeeting ? .outlook : .application
    }

    /// Ends wrap-up early, if it runs.
    static func endWrapUp(_ state: inout SoftphoneState, _ step: inout Step, because reason: String) {
        guard state.wrapUp != nil else { return }
        state.wrapUp = nil
        step.effects.append(.cancelTimer(.wrapUpEnd))
        step.log(&state, .presence, "wrap-up ended by \(reason)")
    }
}
