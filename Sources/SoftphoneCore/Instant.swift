@_exported import Timekeeping

/// A point in time, as a plain value. The core never reads a clock: every
/// action that needs the time carries an `Instant`, so tests run on virtual time.
///
/// Stored as nanoseconds since the Unix epoch, which makes conversion to and
/// from wall-clock dates trivial for the connectors and the call store.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// Whole seconds since the Unix epoch (convenient in tests).
    public init(secondsSinceEpoch seconds: Int64) {
        self.nanosecondsSinceEpoch = seconds * 1_000_000_000
    }

    public static let epoch = Instant(nanosecondsSinceEpoch: 0)

    public var secondsSinceEpoch: Double { Double(nanosecondsSinceEpoch) / 1e9 }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        Instant(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch.saturatingAdd(rhs.nanoseconds))
    }

    public static func - (lhs: Instant, rhs: Duration) -> Instant {
        Instant(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch.saturatingAdd(rhs.nanoseconds == .min ? .max : -rhs.nanoseconds))
    }

    /// The span from `rhs` to `lhs`, saturating (instants from the network — a `Retry-After`
    /// date, a `Date` header — can be centuries apart).
    public static func - (lhs: Instant, rhs: Instant) -> Duration {
        let (span, overflow) = lhs.nanosecondsSinceEpoch.subtractingReportingOverflow(rhs.nanosecondsSinceEpoch)
        if overflow { return .nanoseconds(lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch ? Int64.min : Int64.max) }
        return .nanoseconds(span)
    }

    public var description: String { "t=\(secondsSinceEpoch)s" }
}
