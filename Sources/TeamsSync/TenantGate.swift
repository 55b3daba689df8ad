import Foundation
import SoftphoneCore

/// What a 429 or 503 asked for in its `Retry-After` header: a number of seconds, or an
/// HTTP-date (RFC 9110 §10.2.3; all three date forms of §5.6.7 are accepted).
public enum RetryAfter: Sendable, Hashable {
    case seconds(Int)
    case date(Instant)

    /// The longest wait taken from a header: a week. Graph documents no upper bound, and a
    /// larger number (up to `Int.max`, which parses) must not overflow the clock's arithmetic.
    public static let longest = 7 * 24 * 3600

    /// `nil` when the header is neither a non-negative number nor an HTTP-date.
    /// - Parameter serverDate: the answer's `Date` header. An HTTP-date is then counted from
    ///   it, as seconds, so a local clock that runs fast or slow cannot shorten the wait.
    public init?(header: String, serverDate: String? = nil) {
        let text = header.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text) {
            guard seconds >= 0 else { return nil }
            self = .seconds(min(seconds, Self.longest))
            return
        }
        guard let date = Self.httpDate(text) else { return nil }
        if let serverDate, let now = Self.httpDate(serverDate.trimmingCharacters(in: .whitespaces)) {
            let seconds = max(.zero, date - now).wholeSeconds
            self = .seconds(Int(min(seconds, Int64(Self.longest))))
        } else {
            self = .date(date)
        }
    }

    /// How long to wait, counted from `answered` (when the answer arrived); never negative.
    public func wait(answeredAt answered: Instant) -> Duration {
        switch self {
        case .seconds(let seconds): .seconds(seconds)
        case .date(let date): min(max(.zero, date - answered), .seconds(Self.longest))
        }
    }

    /// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT")
    /// and asctime ("Sun Nov  6 08:49:37 1994").
    static func httpDate(_ text: String) -> Instant? {
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) {
                let seconds = date.timeIntervalSince1970
                guard seconds.isFinite, abs(seconds) < 9e9 else { return nil }
                return Instant(nanosecondsSinceEpoch: Int64(seconds * 1e9))
            }
        }
        return nil
    }
}

/// The bookkeeping of a `TenantGate`, pure (time is passed in): when Graph asked to wait
/// until, and the attempts admitted within the sliding window. An attempt may go at `t`
/// when no `Retry-After` is running at `t` and fewer than `limit` attempts were admitted
/// in `(t − window, t]` — so every window of length `window` holds at most `limit` attempts.
public struct RequestBudget: Sendable, Hashable {
    /// At most this many attempts per `window`.
    public let limit: Int
    public let window: Duration
    /// No attempt before this (the latest `Retry-After`).
    public private(set) var blockedUntil: Instant?
    /// The wait Graph asked for last.
    public private(set) var askedWait: Duration?
    /// Admission times within the last window, oldest first.
    private var admitted: [Instant] = []

    public init(limit: Int = 30, window: Duration = .seconds(30)) {
        self.limit = max(1, limit)
        self.window = window > .zero ? window : .seconds(30)
    }

    /// The earliest instant at or after `now` when an attempt may go.
    public func nextAdmission(at now: Instant) -> Instant {
        var at = now
        if let blockedUntil, blockedUntil > at { at = blockedUntil }
        let recent = admitted.filter { $0 > at - window }
        if recent.count >= limit { at = max(at, recent[recent.count - limit] + window) }
        return at
    }

    /// Records an attempt admitted at `now` (call when `nextAdmission(at: now) <= now`).
    public mutating func admit(at now: Instant) {
        admitted.removeAll { $0 <= now - window }
        admitted.append(now)
    }

    /// Graph answered 429/503 at `answered` with `Retry-After`: nothing goes before it runs out.
    /// A later deadline already set is kept.
    public mutating func retryAfter(_ wait: RetryAfter, answeredAt answered: Instant) {
        let asked = wait.wait(answeredAt: answered)
        let until = answered + asked
        askedWait = asked
        if blockedUntil.map({ until > $0 }) ?? true { blockedUntil = until }
    }

    /// Attempts admitted in the window ending at `now`.
    public func inWindow(at now: Instant) -> Int { admitted.filter { $0 > now - window }.count }

    /// Whether a `Retry-After` is running at `now`.
    public func isBlocked(at now: Instant) -> Bool { blockedUntil.map { $0 > now } ?? false }
}

/// One gate per tenant, shared by every `GraphClient` that talks to it: every attempt
/// passes `admit`, which waits while a `Retry-After` runs (exactly as long as Graph
/// asked, however long, counted from when the answer arrived) and while the sliding
/// window already holds `budget` attempts. Waits are on the injected clock.
public actor TenantGate: GraphRequestGate {
    /// What the gate holds now, for the plan and the status bar.
    public struct Status: Sendable, Hashable {
        /// No request before this (a `Retry-After` running); `nil` when open.
        public var blockedUntil: Instant?
        /// The wait Graph asked for (the last `Retry-After`).
        public var askedWait: Duration?
        /// Attempts in the last window.
        public var inWindow: Int
        /// At most this many attempts per window.
        public var budget: Int
    }

    private var book: RequestBudget
    private let clock: any SyncClock
    private let onRetryAfter: @Sendable (_ asked: Duration, _ until: Instant) -> Void

    /// - Parameters:
    ///   - budget: at most this many attempts per `window` (`teams.max_requests_per_30s`).
    ///   - onRetryAfter: told each time Graph asks to wait (for the status bar).
    public init(budget: Int = 30, window: Duration = .seconds(30), clock: any SyncClock = SystemSyncClock(),
                onRetryAfter: @escaping @Sendable (_ asked: Duration, _ until: Instant) -> Void = { _, _ in }) {
        book = RequestBudget(limit: budget, window: window)
        self.clock = clock
        self.onRetryAfter = onRetryAfter
    }

    public func admit(_ operation: String) async throws(GraphError) {
        while true {
            let now = clock.now
            let at = book.nextAdmission(at: now)
            if at <= now {
                book.admit(at: now)
                return
            }
            do { try await clock.sleep(until: at) } catch {
                throw GraphError(.transport("cancelled"), operation: operation)
            }
        }
    }

    public func retryAfter(_ wait: RetryAfter) async {
        let now = clock.now
        book.retryAfter(wait, answeredAt: now)
        onRetryAfter(wait.wait(answeredAt: now), now + wait.wait(answeredAt: now))
    }

    public var status: Status {
        let now = clock.now
        return Status(blockedUntil: book.isBlocked(at: now) ? book.blockedUntil : nil, askedWait: book.askedWait,
                      inWindow: book.inWindow(at: now), budget: book.limit)
    }
}
