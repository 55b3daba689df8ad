import SoftphoneCore
import Testing
@testable import TeamsSync

/// SPEC section 4: the reducer and the sync plan on virtual time against a scripted Graph.
/// (The driver's wiring against the real emulator: `SyncDriverIntegrationTests`.)
@Suite("Sync scenarios on virtual time")
struct SyncScenarioTests {
    @Test("The agent picks Do not disturb: Teams shows DoNotDisturb")
    func doNotDisturbReachesTeams() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { $0.graph.aggregateText == "DoNotDisturb/DoNotDisturb" })
        #expect(loop.eventually { !$0.state.teamsPending })
        #expect(loop.state.presence == Presence(.doNotDisturb))
    }

    @Test("Values Graph added later are shown, never ❎: an unknown activity follows its availability, an unknown availability is Unknown")
    func unknownValues() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.agentRaw = ("Busy", "InAHologramCall")
        loop.graph.changed.append("ada")
        #expect(loop.eventually { $0.state.presence.state == .busy })
        #expect(loop.state.teamsConnected)
        loop.graph.agentRaw = ("Daydreaming", "Daydreaming")
        loop.graph.changed.append("ada")
        #expect(loop.eventually { $0.state.presence.state == .unknown })
        #expect(loop.state.teamsConnected)
    }

    @Test("The Teams app starts Presenting: the softphone shows ⛔ Presenting; the agent's state returns when it stops")
    func presentingShowsAndReturns() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.setTeamsApp(PresencePair(.doNotDisturb, .presenting))
        #expect(loop.eventually { $0.state.presence == Presence(.presenting) })
        #expect(loop.state.presence.icon == .doNotDisturb)
        #expect(!SignallingPolicy.decide(.direct, loop.state.policyContext).isSignalled)
        loop.graph.setTeamsApp(PresencePair(.available, .available))
        #expect(loop.eventually { $0.state.presence == Presence(.available) })
    }

    @Test("Out of office on: the overlay shows and calls are still signalled (R3)")
    func outOfOffice() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.outOfOffice = true
        #expect(loop.eventually { $0.state.presence.outOfOffice })
        #expect(loop.state.presence.label == "Available - Out of office")
        #expect(SignallingPolicy.decide(.direct, loop.state.policyContext).isSignalled)
    }

    @Test("Logout clears the softphone's session in Teams; the preferred presence stays")
    func logoutClearsSession() {
        var loop = PlanLoop()
        loop.send(.login)
        loop.send(.choosePresence(.beRightBack))
        #expect(loop.eventually { !$0.state.teamsPending && $0.state.teamsConnected })
        #expect(loop.graph.sessions[FakeGraph.softphoneSession] != nil)
        loop.send(.logout)
        #expect(loop.eventually { $0.graph.sessions[FakeGraph.softphoneSession] == nil })
        #expect(loop.graph.aggregateText == "BeRightBack/BeRightBack")
    }

    @Test("Teams goes away: ❎, the choice is kept; Teams comes back: both sides converge on it")
    func outageAndRecovery() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.down = true
        #expect(loop.eventually(within: .seconds(15)) { !$0.state.teamsConnected })
        loop.send(.choosePresence(.busy))
        #expect(loop.state.teamsPending)
        loop.graph.restart()
        #expect(loop.eventually(within: .seconds(30)) { $0.state.teamsConnected && !$0.state.teamsPending })
        #expect(loop.eventually { $0.graph.aggregateText == "Busy/Busy" })
        #expect(loop.state.presence == Presence(.busy))
        // Reconnected with a full resync: the session came back too.
        #expect(loop.graph.sessions[FakeGraph.softphoneSession] != nil)
    }

    @Test("Graph failing with 500s: the plan backs off instead of hammering, then delivers when it recovers")
    func backsOffOnServerErrors() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.failStatus = 500
        loop.graph.requests = []
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { !$0.state.teamsConnected })
        loop.run(for: .seconds(4))
        let failed = loop.graph.requests.count
        // Backoff of 0.5–1, 1–2, 2–4 s between attempts; without it, hundreds.
        #expect(failed <= 10, "\(failed) failed requests in 4 s")
        #expect(failed >= 2, "it keeps trying")
        loop.graph.failStatus = nil
        #expect(loop.eventually(within: .seconds(20)) { $0.state.teamsConnected && !$0.state.teamsPending })
        #expect(loop.graph.aggregateText == "DoNotDisturb/DoNotDisturb")
    }

    @Test("429 past the client's retries: not ❎ (slow, not disconnected), a jittered backoff, then the change is delivered")
    func throttled() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.failStatus = 429
        loop.graph.requests = []
        loop.send(.choosePresence(.busy))
        #expect(loop.eventually { $0.graph.requests.count >= 3 }, "it keeps trying")
        #expect(loop.state.teamsConnected, "throttled is never ❎")
        #expect(loop.state.teamsPending)
        loop.graph.failStatus = nil
        // After the next backoff (at most 4 s after three failures, jittered).
        #expect(loop.eventually(within: .seconds(10)) { $0.state.teamsConnected && !$0.state.teamsPending })
        #expect(loop.graph.aggregateText == "Busy/Busy")
    }

    @Test("A request Graph refuses (400) is not sent again and again; a sign-in failure is retried with backoff")
    func refusedAndSignInFailures() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.failStatus = 400
        loop.graph.requests = []
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { !$0.state.teamsConnected })
        loop.run(for: .seconds(5))
        #expect(loop.graph.writes == [.setPreferred(PresencePair(.doNotDisturb, .doNotDisturb))], "not written again")
        #expect(loop.graph.requests.count >= 2, "still reading")
        loop.graph.failStatus = nil
        #expect(loop.eventually(within: .seconds(5)) { $0.state.teamsConnected })

        // An expired secret (the token endpoint answers 401): transient for the loop, which keeps trying.
        var plan = SyncPlan(options: .init(), agentID: "ada", jitterSeed: 1)
        let start = Instant(secondsSinceEpoch: 0)
        #expect(plan.handle(.start, at: start) == [.send(.readAgent)])
        let outputs = plan.handle(.completed(.failure(GraphError(.token(401, code: "invalid_client", message: nil), operation: "token"))), at: start)
        #expect(outputs.contains(.report(.action(.teamsDisconnected(reason: "Teams sign-in failed: 401 invalid_client")))))
        guard case .startTimer(.backoff, let at)? = outputs.last else { Issue.record("no backoff: \(outputs)"); return }
        #expect(plan.handle(.timerFired(.backoff), at: at) == [.cancelTimer(.backoff), .send(.readAgent)])
    }

    @Test("One state change costs one write, and nothing echoes back and forth")
    func requestsPerChange() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.run(for: .milliseconds(300))
        loop.graph.requests = []
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { !$0.state.teamsPending && $0.state.remote?.availability == .doNotDisturb })
        loop.run(for: .seconds(1))  // time for any echo to show
        #expect(loop.graph.writes == [.setPreferred(PresencePair(.doNotDisturb, .doNotDisturb))])
    }

    @Test("A read-back reports the revision it reflects; a newer command mid-read is delivered next")
    func staleReports() {
        var plan = SyncPlan(options: .init(), agentID: "ada", jitterSeed: 1)
        let t = Instant(secondsSinceEpoch: 100)
        #expect(plan.handle(.start, at: t) == [.send(.readAgent)])
        let busy = PresenceResource(id: "ada", availability: "Busy", activity: "Busy", outOfOfficeSettings: nil)
        _ = plan.handle(.completed(.success(.presence(busy))), at: t)
        let dnd = PresencePair(.doNotDisturb, .doNotDisturb)
        #expect(plan.handle(.command(.push(TeamsDesired(session: nil, preferred: .set(dnd)), revision: 1)), at: t)
            == [.cancelTimer(.wake), .send(.setPreferred(dnd))])
        #expect(plan.handle(.completed(.success(.done)), at: t) == [.report(.action(.teamsDelivered(revision: 1))), .send(.readAgent)])
        // Revision 2 arrives while revision 1 is read back: that read is reported as of 1.
        let away = PresencePair(.away, .away)
        #expect(plan.handle(.command(.push(TeamsDesired(session: nil, preferred: .set(away)), revision: 2)), at: t) == [])
        let shown = PresenceResource(id: "ada", availability: "DoNotDisturb", activity: "DoNotDisturb", outOfOfficeSettings: nil)
        #expect(plan.handle(.completed(.success(.presence(shown))), at: t) == [
            .report(.action(.teamsPresence(GraphPresence(.doNotDisturb, .doNotDisturb), asOf: 1))),
            .send(.setPreferred(away)),
        ])
        #expect(!plan.isSettled)
    }

    @Test("Colleagues' presence reaches the Team tab")
    func colleagues() {
        var loop = PlanLoop(colleagueIDs: ["bob", "cat"])
        loop.send(.login)
        #expect(loop.eventually { $0.colleague("bob") == Presence(.inACall) && $0.colleague("cat") == Presence(.available) })
        loop.graph.setColleague("cat", PresencePair(.doNotDisturb, .presenting))
        #expect(loop.eventually { $0.colleague("cat") == Presence(.presenting) })
    }

    @Test("The session is kept alive: setPresence again every keepAlive, on virtual time")
    func keepAlive() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.requests = []
        loop.run(for: .seconds(121))
        #expect(loop.graph.count { if case .setSession = $0 { true } else { false } } == 1)
    }

    @Test("Backoff: 1 s, 2 s, 4 s … capped at 30 s, spread by the seeded jitter over the upper half")
    func backoffJitter() {
        var a = SyncPlan(options: .init(), agentID: "ada", jitterSeed: 42)
        var b = SyncPlan(options: .init(), agentID: "ada", jitterSeed: 42)
        var c = SyncPlan(options: .init(), agentID: "ada", jitterSeed: 43)
        let first = (1...8).map { a.backoff(failures: $0) }
        #expect(first == (1...8).map { b.backoff(failures: $0) })
        #expect(first != (1...8).map { c.backoff(failures: $0) })
        for (failures, delay) in zip(1..., first) {
            let ceiling = min(Duration.seconds(30), .milliseconds(500) * (1 << min(failures, 6)))
            #expect(delay >= ceiling / 2 && delay <= ceiling, "\(failures): \(delay)")
        }
    }

    @Test("Flush: settled once everything is delivered, or at once while Teams is unreachable")
    func settled() {
        var loop = PlanLoop()
        loop.send(.login)
        #expect(!loop.plan.isSettled)
        #expect(loop.eventually { $0.plan.isSettled })
        loop.graph.down = true
        loop.send(.choosePresence(.busy))
        #expect(!loop.plan.isSettled)
        #expect(loop.eventually { !$0.state.teamsConnected })
        #expect(loop.plan.isSettled)
    }

    @Test("Tokens: used until a minute before they expire, on the time given; dropped after a 401")
    func tokenCache() {
        var cache = TokenCache()
        let t = Instant(secondsSinceEpoch: 1000)
        #expect(cache.valid(at: t) == nil)
        cache.store(TokenResponse(token_type: "Bearer", expires_in: 3600, access_token: "abc"), at: t)
        #expect(cache.valid(at: t + .seconds(3539)) == "abc")
        #expect(cache.valid(at: t + .seconds(3540)) == nil)
        cache.invalidate()
        #expect(cache.valid(at: t) == nil)
    }
}
