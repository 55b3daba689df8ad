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
/// Each latency is measured twice: with the 100 callers pausing between calls so that they
/// offer `SIP_BENCH_RATE` calls per second in all (default 500; the aim applies here), and
/// with the callers calling back to back (saturation: what the line sustains, and the
/// queueing delay then). `SIP_BENCH_CALLS` sets the calls per run (default 3000),
/// `SIP_BENCH_ACTIVE` the answered calls of the memory run (default 200).
@main
struct SIPBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.contains("--line") {
            var registrar: String?
            if let i = arguments.firstIndex(of: "--registrar"), i + 1 < arguments.count {
                registrar = arguments[i + 1]
            }
            try LineUnderTest.run(dnd: arguments.contains("--dnd"), answer: arguments.contains("--answer"),
                                  registrar: registrar)
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let calls = environment["SIP_BENCH_CALLS"].flatMap(Int.init) ?? 3000
        let active = environment["SIP_BENCH_ACTIVE"].flatMap(Int.init) ?? 200
        let concurrency = environment["SIP_BENCH_CONCURRENCY"].flatMap(Int.init) ?? 100

        let rate = environment["SIP_BENCH_RATE"].flatMap(Double.init) ?? 500
        var rows: [LatencyRow] = []
        var throughput: [String] = []
        let only = environment["SIP_BENCH_ONLY"]
        for (mode, expected) in [("", 180), ("--dnd", 486)] where only == nil || only == "\(expected)" {
            for paced in [true, false] {
                let child = try Child.start(mode)
                defer { child.stop() }
                let generator = try await CallGenerator.start(target: child.port)
                let load = paced ? "\(concurrency) callers, \(Int(rate)) calls/s" : "\(concurrency) callers, no pause"
                benchLog("sip-bench", "INVITE → \(expected): \(calls) calls, \(load)")
                let start = ContinuousClock.now
                let samples = try await generator.latencyRun(calls: calls, concurrency: concurrency, expecting: expected,
                                                             rate: paced ? rate : nil)
                let seconds = milliseconds(start, .now) / 1000
                rows.append(LatencyRow(columns: ["INVITE → \(expected)", load], samples: samples,
                                       aim: paced ? 5 : .infinity))
                if !paced {
                    throughput.append("INVITE → \(expected): \(Int(Double(samples.count) / seconds)) calls/s sustained "
                                      + "with \(concurrency) callers back to back (both processes on the same cores)")
                }
                await generator.stop()
            }
        }
        LatencyRow.print(rows, title: "SIP line over loopback UDP, the real runtime deciding every call (milliseconds; aim is for p99)",
                         headers: ["answer", "load"], widths: [16, 28])
        for line in throughput { print(line) }

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
