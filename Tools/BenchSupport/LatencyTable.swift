import Foundation
import Timekeeping

/// One row of a latency table: what was measured, the samples in milliseconds, the aim for p99.
public struct LatencyRow: Sendable {
    public var columns: [String]
    public var samples: [Double]
    public var aim: Double

    public init(columns: [String], samples: [Double], aim: Double) {
        self.columns = columns
        self.samples = samples
        self.aim = aim
    }

    /// Prints `rows` under `title`: the label columns, n, median, p99, max, the aim and whether p99 met it.
    public static func print(_ rows: [LatencyRow], title: String, headers: [String], widths: [Int],
                             unit: String = "ms") {
        Swift.print("")
        Swift.print(title)
        var header = ""
        for (name, width) in zip(headers, widths) { header += pad(name, width) }
        Swift.print(header + lpad("n", 6) + lpad("median", 9) + lpad("p99", 9) + lpad("max", 9) + lpad("aim", 9))
        for row in rows {
            let sorted = row.samples.sorted()
            let p99 = percentile(sorted, 0.99)
            var line = ""
            for (text, width) in zip(row.columns, widths) { line += pad(text, width) }
            Swift.print(line + lpad("\(sorted.count)", 6) + lpad(format(percentile(sorted, 0.5)), 9)
                + lpad(format(p99), 9) + lpad(format(sorted.last ?? 0), 9)
                + (row.aim.isFinite ? lpad("< " + format(row.aim, digits: 0), 9) + (p99 < row.aim ? "  ok" : "  MISSED")
                                    : lpad("-", 9)))
        }
        _ = unit
    }

    /// The nearest-rank percentile of sorted samples (NaN for none).
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    public static func format(_ value: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
    public static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }
    public static func lpad(_ s: String, _ n: Int) -> String {
        s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s
    }
}

/// Progress on stderr, so the tables on stdout stay clean.
public func benchLog(_ tool: String, _ text: String) {
    FileHandle.standardError.write(Data("\(tool): \(text)\n".utf8))
}

/// Milliseconds between two instants of a continuous clock.
public func milliseconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Double {
    from.duration(to: to).millisecondsValue
}
