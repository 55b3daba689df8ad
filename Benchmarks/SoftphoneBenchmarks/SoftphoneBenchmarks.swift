import Benchmark
import CallStore
import Foundation
import SoftphoneCore

/// `make bench` runs these with `--scale`: starred figures are per operation
/// (one policy decision, one reducer step); the store figure is per batch of 10,000.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.metrics = [.wallClock, .throughput, .mallocCountTotal]
    Benchmark.defaultConfiguration.maxDuration = .seconds(3)
    renderBenchmarks()
    sipBenchmarks()

    Benchmark("Policy decision", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let contexts = Fixtures.policyContexts
        let kinds = Fixtures.kinds
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(SignallingPolicy.decide(kinds[i % kinds.count], contexts[i % contexts.count]))
            i &+= 1
        }
    }

    Benchmark("Reducer step", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var state = SoftphoneState(settings: CoreSettings(wrapUpSeconds: 5))
        var now = Instant(secondsSinceEpoch: 1_800_000_000)
        _ = Reducer.reduce(&state, .login, at: now)
        let cycle = Fixtures.reducerCycle
        var i = 0
        for _ in benchmark.scaledIterations {
            now = now + .seconds(3)
            blackHole(Reducer.reduce(&state, cycle[i % cycle.count], at: now))
            i &+= 1
        }
    }

    Benchmark("Teams aggregation", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let user = Fixtures.teamsUser
        let start = Instant(secondsSinceEpoch: 1_800_000_000)
        for n in benchmark.scaledIterations {
            blackHole(TeamsAggregation.aggregate(user, at: start + .seconds(n)))
        }
    }

    Benchmark("Store 10,000 call records in one transaction",
              configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("softphone-bench-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CallStore(path: directory.appendingPathComponent("calls.sqlite").path)
        let records = Fixtures.callRecords(10_000)
        benchmark.startMeasurement()
        try store.record(records)
        benchmark.stopMeasurement()
    }
}

enum Fixtures {
    static let kinds: [CallKind] = [
        .direct, .queue(Queue(name: "Sales", number: "700", presenceBasedRouting: true)),
        .queue(Queue(name: "Support", number: "701", presenceBasedRouting: false)),
    ]

    static let policyContexts: [PolicyContext] = PresenceState.allCases.flatMap { state in
        [0, 1].map { calls in
            PolicyContext(presence: Presence(state, outOfOffice: calls == 1), loggedIn: state != .logout,
                          callsInProgress: calls, answering: AnsweringConfig(rule: .forward(target: "sip:1002@127.0.0.1")))
        }
    }

    /// A day in miniature that ends where it starts, so it can repeat forever.
    static let reducerCycle: [Action] = {
        let caller = Party(number: "+4930123456", name: "Carla")
        return [
            .incomingCall(IncomingCall(id: "a", from: caller, kind: .direct)),
            .accept("a"),
            .incomingCall(IncomingCall(id: "b", from: caller, kind: kinds[2])),
            .hangUp("a"),
            .timerFired(.wrapUpEnd),
            .choosePresence(.doNotDisturb),
            // Reports from Teams that reflect every change (asOf: newest).
            .incomingCall(IncomingCall(id: "c", from: caller, kind: .direct)),
            .teamsPresence(GraphPresence(.doNotDisturb, .doNotDisturb), asOf: .max),
            .choosePresence(.available),
            .teamsPresence(GraphPresence(.doNotDisturb, .presenting), asOf: .max),
            .teamsPresence(GraphPresence(.available, .available), asOf: .max),
            .incomingCall(IncomingCall(id: "d", from: caller, kind: kinds[1])),
            .callerCancelled("d"),
        ]
    }()

    static let teamsUser: TeamsUserPresence = {
        let t = Instant(secondsSinceEpoch: 1_800_000_000)
        return TeamsUserPresence(sessions: [
            PresenceSession(id: "desktop", kind: .teamsClient, pair: PresencePair(.available, .available), updatedAt: t),
            PresenceSession(id: "softphone", kind: .application, pair: PresencePair(.available, .available),
                            updatedAt: t, expiration: .seconds(3600)),
            PresenceSession(id: "calendar", kind: .calendar, pair: PresencePair(.busy, .inAMeeting), updatedAt: t),
        ], outOfOffice: true)
    }()

    static func callRecords(_ count: Int) -> [CallRecord] {
        (0..<count).map(callRecord)
    }

    static func callRecord(_ n: Int) -> CallRecord {
        let ring = Instant(secondsSinceEpoch: 1_800_000_000) + .seconds(n * 60)
        let answered = n % 2 == 0
        let remote = Party(number: "+49301234\(n % 1000)", name: "Caller \(n % 97)")
        return CallRecord(id: CallID("bench-\(n)"), direction: .inbound, remote: remote,
                          queue: n % 3 == 0 ? "Sales" : nil, ringStartedAt: ring,
                          answeredAt: answered ? ring + .seconds(5) : nil, endedAt: ring + .seconds(90),
                          outcome: answered ? .answered : .missed,
                          reason: answered ? "ended by you" : "caller hung up after 12 s")
    }
}
