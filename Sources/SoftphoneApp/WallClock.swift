#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SoftphoneCore

/// The real clock, for the app only (the core never reads a clock).
public enum WallClock {
    public static func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(nanosecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    /// Local time of day, "HH:MM:SS" or "HH:MM".
    public static func timeOfDay(_ instant: Instant, seconds: Bool = true) -> String {
        var t = time_t(instant.nanosecondsSinceEpoch / 1_000_000_000)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let hm = "\(two(parts.tm_hour)):\(two(parts.tm_min))"
        return seconds ? hm + ":\(two(parts.tm_sec))" : hm
    }
}
