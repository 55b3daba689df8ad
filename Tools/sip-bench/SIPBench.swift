import BenchSupport
import Foundation

/// `make bench`: the SIP line under load over loopback.
///
/// The line under test runs in a child process (`sip-bench --line`): the real runtime,
/// reducer, call log and SIP line with RTP media, headless. This process plays 100
/// concurrent callers with the project's own SIP codec and transport and measures:
/// - INVITE → 180 Ringing (the agent is Available: every call is signalled, then cancelled),
/// - INVITE → 486 Busy Here (Do not disturb: the answering rule, no ringing),
/// - memory per active call: the child's resident memory with N answered calls, RTP flowing.
/// `SIP_BENCH_CALLS` sets the calls per latency run (default 3000), `SIP_BENCH_ACTIVE` the
/// answered calls of the memory run (default 200).
@main
struct SIPBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.contains("--line") {
            try LineUnderTest.run(dnd: arguments.contains("--dnd"), answer: arguments.contains("--answer"))
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let calls = environment["SIP_BENCH_CALLS"].flatMap(Int.init) ?? 3000
        let active = environment["SIP_BENCH_ACTIVE"].flatMap(Int.init) ?? 200
        let concurrency = 100

        var rows: [LatencyRow] = []
        let only = environment["SIP_BENCH_ONLY"]
        for (mode, expected) in [("", 180), ("--dnd", 486)] where only == nil || only == "\(expected)" {
            let child = try Child.start(mode)
            defer { child.stop() }
            let generator = try await CallGenerator.start(target: child.port)
            benchLog("sip-bench", "\(expected == 180 ? "Available" : "Do not disturb"): \(calls) calls, \(concurrency) at a time")
            let samples = try await generator.latencyRun(calls: calls, concurrency: concurrency, expecting: expected)
            rows.append(LatencyRow(columns: ["INVITE → \(expected)", "\(concurrency) concurrent callers"],
                                   samples: samples, aim: 5))
            await generator.stop()
        }
        LatencyRow.print(rows, title: "SIP line over loopback UDP, the real runtime deciding every call (milliseconds; aim is for p99)",
                         headers: ["answer", "load"], widths: [16, 22])

        let child = try Child.start("--answer")
        defer { child.stop() }
        let generator = try await CallGenerator.start(target: child.port)
        try await Task.sleep(for: .seconds(1))
        let idle = child.residentKilobytes()
        benchLog("sip-bench", "memory: \(active) answered calls with RTP")
        try await generator.answeredCalls(active)
        try await Task.sleep(for: .seconds(3))
        let busy = child.residentKilobytes()
        let received = await generator.rtpPacketsReceived()
        await generator.hangUpAll()
        await generator.stop()
        let perCall = Double(busy - idle) / Double(active)
        print("")
        print("Memory of the line under test (resident, kB)")
        print(LatencyRow.pad("idle", 30) + LatencyRow.lpad("\(idle)", 10))
        print(LatencyRow.pad("with \(active) answered calls", 30) + LatencyRow.lpad("\(busy)", 10))
        print(LatencyRow.pad("per active call", 30) + LatencyRow.lpad(LatencyRow.format(perCall), 10)
              + "   (RTP packets from the line meanwhile: \(received))")
    }
}
