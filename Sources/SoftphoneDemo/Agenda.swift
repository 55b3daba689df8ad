import SoftphoneApp
import SoftphoneCore

/// Actions waiting for their time, optionally tagged (by call) so they can be cancelled:
/// the program's one `DeadlineQueue` with the actions beside it. Equal times come due in
/// the order they were scheduled.
struct Agenda {
    private var queue = DeadlineQueue<Int, Instant>()
    private var entries: [Int: (action: Action, tag: String?)] = [:]
    private var tagged: [String: Set<Int>] = [:]
    private var counter = 0

    mutating func schedule(_ action: Action, at: Instant, tag: String? = nil) {
        counter += 1
        queue.start(counter, at: at)
        entries[counter] = (action, tag)
        if let tag { tagged[tag, default: []].insert(counter) }
    }

    mutating func cancel(tag: String) {
        for key in tagged.removeValue(forKey: tag) ?? [] {
            queue.cancel(key)
            entries[key] = nil
        }
    }

    var nextDeadline: Instant? {
        mutating get { queue.nextDeadline() }
    }

    /// Removes and returns the actions due by `now`, in time order.
    mutating func takeDue(until now: Instant) -> [Action] {
        queue.takeDue(at: now).compactMap { key in
            guard let entry = entries.removeValue(forKey: key) else { return nil }
            if let tag = entry.tag {
                tagged[tag]?.remove(key)
                if tagged[tag]?.isEmpty == true { tagged[tag] = nil }
            }
            return entry.action
        }
    }
}
