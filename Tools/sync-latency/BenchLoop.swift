import AsyncHTTPClient
import Foundation
import NIOCore
import SoftphoneCore
import Synchronization
import TeamsEmulator
import TeamsSync

/// The reducer and the sync service in one loop, as the app runs them, with hooks
/// that note the moment a delivery or a given presence arrives.
final class BenchLoop: Sendable {
    private struct Waiter {
        var sample = UUID()
        var delivered: Int?
        var presence: PresencePair?
        var continuation: CheckedContinuation<ContinuousClock.Instant, Never>
    }

    private let state = Mutex(SoftphoneState(settings: CoreSettings()))
    private let waiter = Mutex<Waiter?>(nil)
    private let notes = Mutex<[String]>([])
    private let commands: AsyncStream<TeamsCommand>.Continuation
    private let service: TeamsSyncService
    private let consumer: Task<Void, Never>

    private init(service: TeamsSyncService, commands: AsyncStream<TeamsCommand>.Continuation, consumer: Task<Void, Never>) {
        self.service = service
        self.commands = commands
        self.consumer = consumer
    }

    static func start(client: GraphClient, options: TeamsSyncEngine.Options,
                      webhook: TeamsSyncService.WebhookSetup?) async -> BenchLoop {
        let box = Mutex<BenchLoop?>(nil)
        let service = await TeamsSyncService.start(client: client, options: options, webhook: webhook) { report in
            box.withLock { $0 }?.receive(report)
        }
        let (stream, continuation) = AsyncStream.makeStream(of: TeamsCommand.self)
        let engine = service.engine
        let consumer = Task { for await command in stream { await engine.perform(command) } }
        let loop = BenchLoop(service: service, commands: continuation, consumer: consumer)
        box.withLock { $0 = loop }
        return loop
    }

    func dispatch(_ action: Action) {
        let effects = state.withLock { Reducer.reduce(&$0, action, at: Self.now) }
        for case .teams(let command) in effects { commands.yield(command) }
    }

    private func receive(_ report: TeamsReport) {
        guard case .action(let action) = report else { return }
        let at = ContinuousClock.now
        if ProcessInfo.processInfo.environment["SYNC_BENCH_DEBUG"] != nil { log("\(at) \(action)") }
        dispatch(action)
        if case .note(_, let text) = action { notes.withLock { $0.append(text) } }
        waiter.withLock { current in
            guard let w = current else { return }
            switch action {
            case .presence(.teamsDelivered(let revision)) where w.delivered.map({ revision >= $0 }) ?? false:
                w.continuation.resume(returning: at)
                current = nil
            case .presence(.teamsPresence(let presence, _)) where w.presence == presence.pair:
                w.continuation.resume(returning: at)
                current = nil
            default: break
            }
        }
    }

    /// Logs in and waits until Teams is connected, in sync, and (webhook mode) subscribed.
    func ready(webhook: Bool) async throws {
        dispatch(.login)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let s = state.withLock { $0 }
            let subscribed = !webhook || notes.withLock { $0.contains { $0.hasPrefix("Teams change notifications on") } }
            if s.teamsConnected, s.teamsDeliveredRevision >= s.teamsRevision, subscribed { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("the sync engine did not get ready: \(notes.withLock { $0 })")
    }

    /// softphone → Teams: alternates Do not disturb and Be right back.
    func measurePush(samples: Int) async throws -> [Double] {
        var result: [Double] = []
        for i in 0..<samples {
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...25)))
            let choice: UserChoice = i % 2 == 0 ? .doNotDisturb : .beRightBack
            let start = ContinuousClock.now
            let revision = state.withLock { $0.teamsRevision } + 1
            switch await arrival(of: .delivered(revision), after: { self.dispatch(.choosePresence(choice)) }) {
            case .at(let arrived): result.append(milliseconds(arrived - start))
            case .failed(let why): throw BenchError("softphone → Teams: \(why)")
            }
        }
        dispatch(.choosePresence(.available))
        try await Task.sleep(for: .milliseconds(300))
        return result
    }

    /// Teams → softphone: the Teams app alternates Presenting and Available. A sample
    /// whose control request fails is taken again (at most 5 times in all).
    func measurePull(samples: Int, emulator: TeamsEmulatorServer, pause: Duration) async throws -> [Double] {
        var result: [Double] = []
        var failures: [String] = []
        let pauseMs = Int(milliseconds(pause))
        // Start from the Teams app on Available, so the first change is a change.
        try await Self.setTeamsApp(PresencePair(.available, .available), on: emulator)
        try await Task.sleep(for: pause * 2 + .milliseconds(100))
        var i = 0
        while result.count < samples {
            try await Task.sleep(for: .milliseconds(Int.random(in: 10...max(10, pauseMs))))
            let pair = i % 2 == 0 ? PresencePair(.doNotDisturb, .presenting) : PresencePair(.available, .available)
            let start = ContinuousClock.now
            switch await arrival(of: .presence(pair), after: { try await Self.setTeamsApp(pair, on: emulator) }) {
            case .at(let arrived):
                result.append(milliseconds(arrived - start))
                i += 1
            case .failed(let why):
                failures.append(why)
                i += 1  // the change may have happened unseen: flip the pair for the next try
                guard failures.count < 5 else { throw BenchError("Teams → softphone: \(failures)") }
            }
        }
        return result
    }

    private enum Arrival: Sendable {
        case at(ContinuousClock.Instant)
        case failed(String)
    }

    /// What a sample waits for.
    private enum Expected {
        case delivered(Int)
        case presence(PresencePair)
    }

    /// Registers a waiter for `expected`, runs `change`, and waits (at most 10 s) for the report.
    private func arrival(of expected: Expected, after change: @escaping @Sendable () async throws -> Void) async -> Arrival {
        let sample = UUID()
        var timer: Task<Void, any Error>?
        let instant = await withCheckedContinuation { (continuation: CheckedContinuation<ContinuousClock.Instant, Never>) in
            waiter.withLock {
                switch expected {
                case .delivered(let revision): $0 = Waiter(sample: sample, delivered: revision, continuation: continuation)
                case .presence(let pair): $0 = Waiter(sample: sample, presence: pair, continuation: continuation)
                }
            }
            Task {
                do { try await change() } catch {
                    log("the control request failed: \(error)")
                    self.giveUp(sample)
                }
            }
            timer = Task {
                try await Task.sleep(for: .seconds(10))
                self.giveUp(sample)
            }
        }
        timer?.cancel()
        if instant == Self.gaveUp { return .failed("no report of \(expected) within 10 s; notes: \(notes.withLock { $0 })") }
        return .at(instant)
    }

    private static let gaveUp = ContinuousClock.Instant.now - .seconds(86_400)

    /// Ends `sample`'s wait as failed, if it is still waiting.
    private func giveUp(_ sample: UUID) {
        waiter.withLock { current in
            guard let w = current, w.sample == sample else { return }
            w.continuation.resume(returning: Self.gaveUp)
            current = nil
        }
    }

    /// The Teams desktop app reports `pair` (control API).
    private static func setTeamsApp(_ pair: PresencePair, on emulator: TeamsEmulatorServer) async throws {
        var request = HTTPClientRequest(url: emulator.baseURL + "/_emulator/users/agent/sessions/teams-desktop")
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"kind":"teamsClient","availability":"\#(pair.availability.rawValue)","#
            + #""activity":"\#(pair.activity.rawValue)"}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchError("control API answered \(response.status)") }
    }

    func stop() async {
        commands.finish()
        consumer.cancel()
        await service.close()
    }

    private func milliseconds(_ d: Duration) -> Double {
        d.millisecondsValue
    }

    static var now: Instant { Instant(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9)) }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
