/// When to try a failed request again: wait exactly what `Retry-After` asks on 429 (and
/// 503) — never capped, never shorter — and only without one back off exponentially with
/// jitter (on 5xx and connection errors, at most `maxDelay`); give up after `maxRetries`.
/// Pure: the random jitter is passed in.
public struct RetryPolicy: Sendable, Hashable {
    public var maxRetries: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxRetries: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10)) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `attempt` (1-based), or `nil` to give up.
    /// `jitter` in 0..<1 spreads clients apart ("full jitter" on the upper half).
    public func delay(attempt: Int, status: Int?, retryAfter: Duration?, jitter: Double) -> Duration? {
        guard attempt <= maxRetries else { return nil }
        if let status, status != 429, status < 500 { return nil }
        if let retryAfter, status == 429 || status == 503 { return max(.zero, retryAfter) }
        let exponential = baseDelay * (1 << min(attempt - 1, 20))
        let capped = min(exponential, maxDelay)
        return capped / 2 + capped / 2 * max(0, min(jitter, 1))
    }
}
