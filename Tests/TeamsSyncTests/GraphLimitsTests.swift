import Foundation
import SoftphoneCore
import Synchronization
import Testing
@testable import TeamsSync

/// Issue 13, parts 3 and 4: Graph's limits (one gate per tenant, `Retry-After` obeyed
/// exactly, a request budget that polling fits, the agent first) and robust reading, on
/// virtual time against the scripted Graph of `PlanLoop`.
@Suite("Graph's limits and robust reading")
struct GraphLimitsTests {
    static let ids2000 = (0..<2000).map { "c\($0)" }

    @Test("A 20 s throttle with Retry-After: 20 sees no request before it runs out")
    func retryAfterObeyed() {
        var loop = PlanLoop(pollInterval: .seconds(1))
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        let start = loop.now
        loop.throttle = (until: start + .seconds(20), retryAfter: 20)
        loop.run(for: .seconds(40))
        // Graph answered one request 429; none reached it until 20 s after that answer.
        #expect(loop.throttledAt.count == 1, "\(loop.throttledAt)")
        guard let answered = loop.throttledAt.first else { return }
        let early = loop.requestTimes.filter { $0 > answered && $0 < answered + .seconds(20) }
        #expect(early.isEmpty, "requests before Retry-After ran out: \(early)")
        #expect(loop.requestTimes.contains { $0 >= answered + .seconds(20) }, "and then it goes on")
        #expect(loop.state.teamsWait == TeamsWait(asked: .seconds(20), until: answered + .seconds(20)))
        #expect(loop.eventually(within: .seconds(30)) { $0.state.teamsConnected && !$0.state.teamsPending })
    }

    @Test("Budget 30 per 30 s, 2,000 colleagues: every 30 s window of 5 virtual minutes stays within it, the agent first")
    func budgetWithTwoThousandColleagues() {
        var loop = PlanLoop(pollInterval: .seconds(1), colleagueIDs: Self.ids2000, budget: 30)
        for id in Self.ids2000 { loop.graph.colleagues[id] = PresencePair(.available, .available) }
        loop.send(.login)
        // The agent works meanwhile: each change is a write and a read-back.
        for choice in [UserChoice.doNotDisturb, .beRightBack, .available, .busy] {
            loop.run(for: .seconds(60))
            loop.send(.choosePresence(choice))
        }
        loop.run(for: .seconds(60))
        #expect(loop.busiestWindow() <= 30, "busiest 30 s window: \(loop.busiestWindow())")
        #expect(loop.gateHeld == 0, "the plan fits the budget on its own; the gate never had to hold a request")
        #expect(loop.state.teamsConnected && !loop.state.teamsPending)
        #expect(loop.graph.aggregateText == "Busy/Busy")
        #expect(loop.colleague("c1999") == Presence(.available))
        // The agent first: read every 3 s, each colleague every 24 s.
        #expect(loop.plan.pace.agentInterval == .seconds(3))
        #expect(loop.plan.pace.colleagueCycle == .seconds(24))
        // 3 s is within the noticeable delay: the status bar does not say "slowed" all day.
        #expect(loop.state.teamsSlowedByBudget == nil)
    }

    @Test("Requests per 30 s for one agent with 0, 650 and 2,000 colleagues at the default settings (printed)")
    func measurement() {
        var lines: [String] = []
        for count in [0, 650, 2000] {
            let ids = Array(Self.ids2000.prefix(count))
            var loop = PlanLoop(pollInterval: .seconds(1), colleagueIDs: ids, budget: 30)
            for id in ids { loop.graph.colleagues[id] = PresencePair(.available, .available) }
            loop.send(.login)
            #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
            let start = loop.now + .seconds(30)
            loop.run(for: .seconds(330))
            let steady = loop.requestTimes.filter { $0 >= start }.count
            let perWindow = Double(steady) / 10
            let agentReads = loop.graph.agentReads
            #expect(loop.busiestWindow() <= 30)
            #expect(loop.gateHeld == 0)
            lines.append("\(count) colleagues: \(String(format: "%.1f", perWindow)) requests per 30 s on average, "
                + "busiest window \(loop.busiestWindow()) (login included); agent read every "
                + "\(loop.plan.pace.agentInterval), each colleague every \(count == 0 ? "-" : "\(loop.plan.pace.colleagueCycle)"); "
                + "\(agentReads) agent reads")
        }
        print("Teams requests per 30 s, 1 agent, budget 30, poll interval 1 s, 5 virtual minutes:\n  "
            + lines.joined(separator: "\n  "))
    }

    @Test("The polling allocation: the agent first, colleagues share what is left, webhook drift checks fit")
    func pace() {
        let none = SyncPlan.Pace(.init())
        #expect(none.agentInterval == .seconds(2))
        let one = SyncPlan.Pace(.init(colleagues: Array(Self.ids2000.prefix(650))))
        #expect(one.agentInterval == .seconds(3) && one.colleagueInterval == .seconds(6) && one.colleagueBatches == 1)
        let four = SyncPlan.Pace(.init(colleagues: Self.ids2000))
        #expect(four.agentInterval == .seconds(3) && four.colleagueCycle == .seconds(24) && four.colleagueBatches == 4)
        // A slow configured interval is kept; a big budget does not speed it up.
        let slow = SyncPlan.Pace(.init(pollInterval: .seconds(10), colleagues: Self.ids2000, maxRequestsPer30s: 1000))
        #expect(slow.agentInterval == .seconds(10) && slow.colleagueInterval == .seconds(10))
        #expect(!slow.slowsAgent(.init(pollInterval: .seconds(10))))
        // Slowed beyond 5 s by a small budget: said.
        let small = SyncPlan.Pace(.init(colleagues: Self.ids2000, maxRequestsPer30s: 6))
        #expect(small.agentInterval == .seconds(15) && small.slowsAgent(.init(colleagues: Self.ids2000, maxRequestsPer30s: 6)))
        #expect(!four.slowsAgent(.init(colleagues: Self.ids2000)) && !none.slowsAgent(.init()))
        // A tiny budget still reads everyone, rarely.
        let tiny = SyncPlan.Pace(.init(colleagues: ["bob"], maxRequestsPer30s: 1))
        #expect(tiny.agentInterval == .seconds(30) && tiny.colleagueInterval == .seconds(30))
        // Webhooks: the full pull (agent + 4 batches) every max(30 s, 30 s × 5 / 15).
        let hook = SyncPlan.Pace(.init(colleagues: Self.ids2000, webhook: .init(notificationURL: "u", clientState: "s"),
                                       maxRequestsPer30s: 6))
        #expect(hook.driftCheck == .seconds(50))
    }

    @Test("Logout with no session in Teams (clearPresence 404) is clean: no ❎, the resync goes on")
    func logoutWithoutSession() {
        var loop = PlanLoop()
        loop.send(.login)
        loop.send(.choosePresence(.beRightBack))
        #expect(loop.eventually { !$0.state.teamsPending && $0.state.teamsConnected })
        loop.graph.sessions[FakeGraph.softphoneSession] = nil  // expired in Teams
        loop.graph.requests = []
        let reports = loop.reports.count
        loop.send(.logout)
        #expect(loop.eventually { !$0.state.teamsPending })
        loop.run(for: .seconds(5))
        #expect(loop.state.teamsConnected)
        #expect(!loop.reports.dropFirst(reports).contains { if case .action(.presence(.teamsDisconnected)) = $0 { true } else { false } })
        #expect(loop.graph.writes.first == .clearSession)
        #expect(loop.graph.writes.count >= 2, "the rest of the resync went on: \(loop.graph.writes)")
        #expect(loop.graph.aggregateText == "BeRightBack/BeRightBack")
    }

    @Test("A broken colleague id leaves the agent's link in sync; the Log says it once; colleagues are retried on their own")
    func brokenColleague() {
        var loop = PlanLoop(pollInterval: .seconds(1), colleagueIDs: ["bob", "cat", "not-an-id"])
        loop.graph.brokenIDs = ["not-an-id"]
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.run(for: .seconds(10))
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { !$0.state.teamsPending })
        loop.run(for: .seconds(180))
        #expect(loop.state.teamsConnected)
        #expect(!loop.reports.contains { if case .action(.presence(.teamsDisconnected)) = $0 { true } else { false } })
        #expect(loop.graph.aggregateText == "DoNotDisturb/DoNotDisturb")
        #expect(loop.notes.filter { $0.contains("colleague") }.count == 1, "\(loop.notes)")
        let colleagueReads = loop.graph.count { if case .readColleagues = $0 { true } else { false } }
        #expect(colleagueReads >= 3, "retried")
        #expect(colleagueReads <= 12, "on a slower schedule than polling: \(colleagueReads) in ~3 min")
        // Graph mends (the id is fixed): the Team tab fills.
        loop.graph.brokenIDs = []
        #expect(loop.eventually(within: .seconds(300)) { $0.colleague("bob") == Presence(.inACall) })
    }

    @Test("A colleague read failing with 5xx is a Team-tab problem only")
    func colleagueServerError() {
        var plan = SyncPlan(options: .init(colleagues: ["bob"]), agentID: "ada", jitterSeed: 1)
        let t = Instant(secondsSinceEpoch: 100)
        #expect(plan.handle(.start, at: t) == [.send(.readAgent)])
        let ada = PresenceResource(id: "ada", availability: "Available", activity: "Available", outOfOfficeSettings: nil)
        #expect(plan.handle(.completed(.success(.presence(ada))), at: t).last == .send(.readColleagues(["bob"])))
        let outputs = plan.handle(.completed(.failure(GraphError(.status(503, code: nil, message: nil), operation: "x"))), at: t)
        #expect(outputs.contains(.report(.action(.teamsConnected))))
        #expect(!outputs.contains { if case .startTimer(.backoff, _) = $0 { true } else { false } })
        #expect(plan.failures == 0)
    }

    @Test("The preferred Do not disturb is still asserted in Teams after 26 virtual hours")
    func preferredReasserted() {
        var loop = PlanLoop(pollInterval: .seconds(30))
        loop.send(.login)
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { !$0.state.teamsPending && $0.graph.preferred == PresencePair(.doNotDisturb, .doNotDisturb) })
        loop.run(for: .seconds(26 * 3600))
        loop.graph.now = loop.now
        #expect(loop.graph.preferredExpires.map { $0 > loop.now } == true, "re-sent before Graph's 1-day expiry")
        #expect(loop.graph.aggregateText == "DoNotDisturb/DoNotDisturb")
        #expect(loop.state.presence == Presence(.doNotDisturb))
        let preferredWrites = loop.graph.count { if case .setPreferred = $0 { true } else { false } }
        #expect(preferredWrites >= 3, "every 12 h: \(preferredWrites)")
    }

    @Test("Colleagues resolved after the start join the sync at once, polled and subscribed")
    func colleaguesJoinLater() {
        var loop = PlanLoop(pollInterval: .seconds(1), colleagueIDs: ["bob"])
        loop.graph.colleagues["bob"] = PresencePair(.available, .available)
        loop.graph.colleagues["cat"] = PresencePair(.busy, .inAMeeting)
        loop.send(.login)
        #expect(loop.eventually { $0.colleague("bob") == Presence(.available) })
        loop.run(for: .seconds(30))
        #expect(loop.colleague("cat") == nil, "not configured yet")
        loop.handle(.colleagues(["bob", "cat"]))
        #expect(loop.eventually(within: .seconds(2)) { $0.colleague("cat") == Presence(.inAMeeting) })
        #expect(loop.plan.options.colleagues == ["bob", "cat"])
        var hook = PlanLoop.webhook(colleagueIDs: ["bob"])
        hook.send(.login)
        #expect(hook.eventually { $0.graph.subscribeRequests == 1 })
        hook.handle(.colleagues(["bob", "cat"]))
        #expect(hook.eventually { $0.graph.subscriptions.values.contains { $0.contains("cat") } }, "subscribed again with cat")
    }

    @Test("A status chosen in Teams after the softphone's Do not disturb is not overridden by the re-send")
    func preferredNotReassertedOverTeams() {
        var loop = PlanLoop(pollInterval: .seconds(30))
        loop.send(.login)
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { !$0.state.teamsPending && $0.graph.preferred == PresencePair(.doNotDisturb, .doNotDisturb) })
        loop.run(for: .seconds(3600))
        // The agent picks Available in Teams itself.
        loop.graph.now = loop.now
        loop.graph.preferred = PresencePair(.available, .available)
        loop.graph.preferredExpires = loop.now + .seconds(7 * 24 * 3600)
        let before = loop.graph.count { if case .setPreferred = $0 { true } else { false } }
        loop.run(for: .seconds(26 * 3600))
        let after = loop.graph.count { if case .setPreferred = $0 { true } else { false } }
        #expect(after == before, "Do not disturb sent again over the choice made in Teams")
        #expect(loop.state.presence == Presence(.available))
    }
}

/// The gate itself: the budget's sliding window, `Retry-After` as seconds and as a date.
@Suite("Tenant gate")
struct TenantGateTests {
    @Test("Retry-After as seconds and as an HTTP-date (all three forms); garbage is ignored")
    func parse() {
        #expect(RetryAfter(header: " 20 ") == .seconds(20))
        #expect(RetryAfter(header: "-1") == nil)
        #expect(RetryAfter(header: "soon") == nil)
        let date = Instant(secondsSinceEpoch: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter(header: "Sun, 06 Nov 1994 08:49:37 GMT") == .date(date))
        #expect(RetryAfter(header: "Sunday, 06-Nov-94 08:49:37 GMT") == .date(date))
        #expect(RetryAfter(header: "Sun Nov  6 08:49:37 1994") == .date(date))
        #expect(RetryAfter.date(date).wait(answeredAt: date - .seconds(90)) == .seconds(90))
        #expect(RetryAfter.date(date).wait(answeredAt: date + .seconds(90)) == .zero)
        // With the answer's Date, a date is counted from the server's clock, not ours.
        #expect(RetryAfter(header: "Sun, 06 Nov 1994 08:49:37 GMT", serverDate: "Sun, 06 Nov 1994 08:49:17 GMT") == .seconds(20))
        #expect(RetryAfter(header: "Sun, 06 Nov 1994 08:49:37 GMT", serverDate: "Sun, 06 Nov 1994 09:00:00 GMT") == .seconds(0))
        // Dates centuries away: no overflow, a wait of zero or at most a week.
        #expect(RetryAfter(header: "Sun, 06 Nov 1700 08:49:37 GMT")?.wait(answeredAt: Instant(secondsSinceEpoch: 8_000_000_000)) == .zero)
        #expect(RetryAfter(header: "Sun, 06 Nov 2250 08:49:37 GMT", serverDate: "Sun, 06 Nov 1700 08:49:37 GMT") == .seconds(RetryAfter.longest))
        // A huge number is taken as a week, never an overflow.
        #expect(RetryAfter(header: "9223372036854775807") == .seconds(RetryAfter.longest))
        #expect(RetryAfter.date(Instant(secondsSinceEpoch: 9_000_000_000)).wait(answeredAt: date) == .seconds(RetryAfter.longest))
    }

    @Test("The budget: at most `limit` attempts in any window; Retry-After blocks exactly, however long")
    func book() {
        let t = Instant(secondsSinceEpoch: 1000)
        var book = RequestBudget(limit: 3, window: .seconds(30))
        for i in 0..<3 {
            #expect(book.nextAdmission(at: t + .seconds(i)) == t + .seconds(i))
            book.admit(at: t + .seconds(i))
        }
        #expect(book.nextAdmission(at: t + .seconds(5)) == t + .seconds(30))
        #expect(book.inWindow(at: t + .seconds(5)) == 3)
        book.admit(at: t + .seconds(30))
        #expect(book.nextAdmission(at: t + .seconds(30)) == t + .seconds(31))
        book.retryAfter(.seconds(3 * 3600), answeredAt: t + .seconds(40))
        #expect(book.nextAdmission(at: t + .seconds(41)) == t + .seconds(40 + 3 * 3600))
        // A shorter wait asked later does not shorten the running one.
        book.retryAfter(.seconds(1), answeredAt: t + .seconds(50))
        #expect(book.blockedUntil == t + .seconds(40 + 3 * 3600))
    }

    @Test("The actor waits on its clock: for the Retry-After, then for a slot in the window")
    func actorWaits() async throws {
        let clock = ManualClock(Instant(secondsSinceEpoch: 1000))
        let told = Mutex<[Duration]>([])
        let gate = TenantGate(budget: 2, clock: clock) { asked, _ in told.withLock { $0.append(asked) } }
        try await gate.admit("a")
        await gate.retryAfter(.seconds(20))
        #expect(told.withLock { $0 } == [.seconds(20)])
        #expect(await gate.status.blockedUntil == Instant(secondsSinceEpoch: 1020))
        let second = Task { try await gate.admit("b") }
        #expect(await clock.nextSleeper() == Instant(secondsSinceEpoch: 1020))
        clock.advance(to: Instant(secondsSinceEpoch: 1020))
        try await second.value
        // Two in the window (at 1000 and 1020): the third waits until 1030.
        let third = Task { try await gate.admit("c") }
        #expect(await clock.nextSleeper() == Instant(secondsSinceEpoch: 1030))
        clock.advance(to: Instant(secondsSinceEpoch: 1030))
        try await third.value
        #expect(await gate.status.inWindow == 2)
    }
}

/// A `SyncClock` that moves only when told; sleepers wake when it passes their deadline.
final class ManualClock: SyncClock, @unchecked Sendable {
    private let state: Mutex<(now: Instant, sleepers: [(Instant, CheckedContinuation<Void, Never>)])>

    init(_ start: Instant) { state = Mutex((start, [])) }

    var now: Instant { state.withLock { $0.now } }

    func sleep(until deadline: Instant) async throws {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if deadline <= state.now { return true }
                state.sleepers.append((deadline, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// The earliest deadline someone sleeps until, once someone does.
    func nextSleeper() async -> Instant {
        while true {
            if let next = state.withLock({ $0.sleepers.map(\.0).min() }) { return next }
            await Task.yield()
        }
    }

    func advance(to instant: Instant) {
        let due = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.0 <= now }.map(\.1)
            state.sleepers.removeAll { $0.0 <= now }
            return due
        }
        for continuation in due { continuation.resume() }
    }
}
