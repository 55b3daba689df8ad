/// The program's one conversion of `Duration` to plain numbers. Every conversion
/// saturates: a span too long for 64 bits (a `Retry-After` of 10^20 seconds, an
/// `expires_in` near `Int.max`) becomes the largest value instead of trapping.
extension Duration {
    /// The whole duration in nanoseconds, rounded toward zero; saturating.
    public var nanoseconds: Int64 { wholeUnits(perSecond: 1_000_000_000) }

    /// The whole duration in milliseconds, rounded toward zero; saturating.
    public var milliseconds: Int64 { wholeUnits(perSecond: 1_000) }

    /// The duration in whole seconds, rounded toward zero.
    public var wholeSeconds: Int64 {
        let (seconds, attoseconds) = components
        // `components` rounds toward negative infinity; a negative fraction rounds up here.
        return seconds < 0 && attoseconds > 0 ? seconds + 1 : seconds
    }

    /// The duration in seconds as a floating-point number (for display and `TimeInterval`).
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in milliseconds as a floating-point number (for benchmark tables).
    public var millisecondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e3 + Double(attoseconds) / 1e15
    }

    private func wholeUnits(perSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
        if overflow { return seconds < 0 ? .min : .max }
        let fraction = attoseconds / (1_000_000_000_000_000_000 / perSecond)
        let (sum, sumOverflow) = scaled.addingReportingOverflow(fraction)
        if sumOverflow { return seconds < 0 ? .min : .max }
        return sum
    }
}
