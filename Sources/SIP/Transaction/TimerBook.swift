/// The running timers of one transaction and their deadlines, emitting start/cancel actions.
struct TimerBook: Sendable, Hashable {
    private(set) var deadlines: [TransactionTimer: SIPInstant] = [:]

    /// Starts (or restarts) a timer.
    mutating func start(_ timer: TransactionTimer, after: Duration, at now: SIPInstant, _ actions: inout [TransactionAction]) {
        deadlines[timer] = now.advanced(by: after)
        actions.append(.startTimer(timer, after: after))
    }

    /// Cancels a timer if it is running.
    mutating func cancel(_ timer: TransactionTimer, _ actions: inout [TransactionAction]) {
        if deadlines.removeValue(forKey: timer) != nil { actions.append(.cancelTimer(timer)) }
    }

    /// Cancels every running timer, in the RFC's order.
    mutating func cancelAll(_ actions: inout [TransactionAction]) {
        for timer in TransactionTimer.allCases { cancel(timer, &actions) }
    }

    /// Consumes a firing: true if the timer was running (it no longer is), false for a stale one.
    mutating func fire(_ timer: TransactionTimer) -> Bool {
        deadlines.removeValue(forKey: timer) != nil
    }

    /// The earliest running timer.
    var next: (timer: TransactionTimer, deadline: SIPInstant)? {
        deadlines.min { ($0.value, $0.key.rawValue) < ($1.value, $1.key.rawValue) }.map { ($0.key, $0.value) }
    }
}
