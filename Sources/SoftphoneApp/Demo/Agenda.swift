import SoftphoneCore

/// Events waiting for their time, optionally tagged (by call) so they can be cancelled.
struct Agenda {
    private struct Entry {
        var at: Instant
        var order: Int
        var tag: String?
        var event: Action
    }

    private var entries: [Entry] = []
    private var counter = 0

    mutating func schedule(_ event: Action, at: Instant, tag: String? = nil) {
        counter += 1
        entries.append(Entry(at: at, order: counter, tag: tag, event: event))
    }

    mutating func cancel(tag: String) {
        entries.removeAll { $0.tag == tag }
    }

    var nextDeadline: Instant? { entries.map(\.at).min() }

    /// Removes and returns the events due by `now`, in time order.
    mutating func takeDue(until now: Instant) -> [Action] {
        let due = entries.filter { $0.at <= now }.sorted { ($0.at, $0.order) < ($1.at, $1.order) }
        entries.removeAll { $0.at <= now }
        return due.map(\.event)
    }
}
