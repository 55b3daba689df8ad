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
            let pollMs = mode.webhook ? nil : Double(mode.poll.components.seconds * 1000
                + mode.poll.components.attoseconds / 1_000_000_000_000_000)
            rows.append(Row(mode: mode.name, direction: "softphone → Teams", samples: push, aim: 100))
            rows.append(Row(mode: mode.name, direction: "Teams → softphone", samples: pull, aim: pollMs.map { $0 + 50 } ?? 100))
            await loop.stop()
        }
        await emulator.stop()
        Row.print(rows)
    }
}

/// Progress on stderr, so the table on stdout stays clean.
func log(_ text: String) {
    FileHandle.standardError.write(Data("sync-latency: \(text)\n".utf8))
}

struct Row {
    var mode: String
    var direction: String
    var samples: [Double]
    var aim: Double

    static func print(_ rows: [Row]) {
        Swift.print("")
        Swift.print("Teams presence sync over loopback (milliseconds; aim is for p99)")
        Swift.print(pad("mode", 14) + pad("direction", 20) + lpad("n", 5) + lpad("median", 9) + lpad("p99", 9)
            + lpad("max", 9) + lpad("aim", 9) + "  ")
        for row in rows {
            let sorted = row.samples.sorted()
            let p99 = percentile(sorted, 0.99)
            Swift.print(pad(row.mode, 14) + pad(row.direction, 20) + lpad("\(sorted.count)", 5)
                + lpad(format(percentile(sorted, 0.5)), 9) + lpad(format(p99), 9) + lpad(format(sorted.last ?? 0), 9)
                + lpad("< " + format(row.aim, digits: 0), 9) + (p99 < row.aim ? "  ok" : "  MISSED"))
        }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    static func format(_ value: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
}
