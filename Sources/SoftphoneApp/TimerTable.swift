import SoftphoneCore

/// The reducer's timers: started and cancelled by effects, fired by the loop.
public struct TimerTable: Sendable {
    private var deadlines: [TimerID: Instant] = [:]

    public init() {}

    public mutating func apply(_ effect: Effect) {
        switch effect {
        case .startTimer(let id, let at): deadlines[id] = at
        case .cancelTimer(let id): deadlines[id] = nil
        default: break
        }
    }

    public var nextDeadline: Instant? { deadlines.values.min() }

    /// Removes and returns the timers due at `now`, earliest first.
    public mutating func takeDue(at now: Instant) -> [(TimerID, Instant)] {
        let due = deadlines.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (id, _) in due { deadlines[id] = nil }
        return due.map { ($0.key, $0.value) }
    }

    public var count: Int { deadlines.count }
}
