import BenchSupport
import Foundation
import SoftphoneCore
import Synchronization
import TeamsEmulator
import TeamsSync

/// `make bench`: presence sync latency over loopback between the softphone's sync
/// engine (driven by the real reducer) and the Teams emulator, both ways, with
/// polling and with webhooks.
///
/// - softphone → Teams: from the agent's choice (the reducer's action) until Graph
///   has acknowledged every write it needs (the engine's delivery report).
/// - Teams → softphone: from just before the Teams app's change is sent to the
///   emulator's control API until the reducer has the new presence.
///
/// Changes are spaced by a random pause, so polling is sampled at every phase.
/// `SYNC_BENCH_SAMPLES` sets the samples per measurement (default 100).
@main
struct SyncLatency {
    static func main() async throws {
        let samples = ProcessInfo.processInfo.environment["SYNC_BENCH_SAMPLES"].flatMap(Int.init) ?? 100
        let colleagues = DemoRoster.colleagues(count: 40)
        let options = TeamsEmulatorOptions(users: [
            EmulatedUserSeed(id: "agent", displayName: "Agent", teamsClient: PresencePair(.available, .available)),
        ] + colleagues)
        let emulator = try await TeamsEmulatorServer.start(options)
        let graph = GraphConfiguration(graphURL: emulator.graphBaseURL, tokenURL: emulator.tokenURL,
                                       clientID: options.clientID, clientSecret: options.clientSecret,
                                       userID: "agent", maxRetries: 1)
        let modes: [(name: String, poll: Duration, webhook: Bool)] = [
            ("webhook", .seconds(30), true), ("poll 250 ms", .milliseconds(250), false), ("poll 1000 ms", .seconds(1), false),
        ]
        var rows: [Row] = []
        let only = ProcessInfo.processInfo.environment["SYNC_BENCH_MODE"]
        for mode in modes where only == nil || mode.name == only {
            let loop = await BenchLoop.start(client: GraphClient(configuration: graph),
                                             options: .init(pollInterval: mode.poll, colleagues: colleagues.map(\.id)),
                                             webhook: mode.webhook ? .init(host: "127.0.0.1", port: 0) : nil)
            log("\(mode.name): starting")
            try await loop.ready(webhook: mode.webhook)
            log("\(mode.name): ready")
            let push = try await loop.measurePush(samples: samples)
            log("\(mode.name): pushed")
            let pull = try await loop.measurePull(samples: mode.webhook ? samples : max(10, samples / 3),
                                                  emulator: emulator, pause: mode.webhook ? .milliseconds(100) : mode.poll)
            let pollMs = mode.webhook ? nil : Double(mode.poll.milliseconds)
            rows.append(Row(mode: mode.name, direction: "softphone → Teams", samples: push, aim: 100))
            rows.append(Row(mode: mode.name, direction: "Teams → softphone", samples: pull, aim: pollMs.map { $0 + 50 } ?? 100))
            await loop.stop()
        }
        await emulator.stop()
        Row.print(rows)
    }
}

func log(_ text: String) { benchLog("sync-latency", text) }

struct Row {
    var mode: String
    var direction: String
    var samples: [Double]
    var aim: Double

    static func print(_ rows: [Row]) {
        LatencyRow.print(rows.map { LatencyRow(columns: [$0.mode, $0.direction], samples: $0.samples, aim: $0.aim) },
                         title: "Teams presence sync over loopback (milliseconds; aim is for p99)",
                         headers: ["mode", "direction"], widths: [14, 20])
    }
}
