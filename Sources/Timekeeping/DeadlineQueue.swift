import HeapModule

/// Timers by key with one earliest deadline to wait for: starting a key again moves it,
/// cancelling forgets it. Cancelled and moved entries stay in the heap until they come
/// up and are skipped, so starting and cancelling cost O(log n) and O(1) however many
/// timers run — the SIP line keeps thousands (every transaction has a few), and one
/// event-loop task per timer would make each cancel a search through all of them.
///
/// The one deadline queue of the program: the SIP line's timers (deadlines in nanoseconds
/// of a monotonic clock), the core reducer's timers and the demo's agenda (`Instant`s)
/// all wait in one of these. Equal deadlines come due in the order they were started.
public struct DeadlineQueue<Key: Hashable, Deadline: Comparable> {
    private struct Entry: Comparable {
        var deadline: Deadline
        var sequence: UInt64
        var key: Key
        static func < (a: Entry, b: Entry) -> Bool {
            a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
        }
        static func == (a: Entry, b: Entry) -> Bool { a.deadline == b.deadline && a.sequence == b.sequence }
    }

    private var heap = Heap<Entry>()
    /// The live timers: the sequence number of their current entry and its deadline.
    private var live: [Key: (sequence: UInt64, deadline: Deadline)] = [:]
    private var sequence: UInt64 = 0

    public init() {}

    /// How many timers are running.
    public var count: Int { live.count }

    /// Starts (or moves) the timer `key` to come due at `deadline`.
    public mutating func start(_ key: Key, at deadline: Deadline) {
        sequence += 1
        live[key] = (sequence, deadline)
        heap.insert(Entry(deadline: deadline, sequence: sequence, key: key))
        compactIfMostlyGarbage()
    }

    /// Stops the timer `key`, if it runs.
    public mutating func cancel(_ key: Key) {
        live[key] = nil
    }

    /// Stops every timer.
    public mutating func removeAll() {
        heap = Heap()
        live.removeAll()
    }

    /// When the timer `key` comes due, if it runs.
    public func deadline(of key: Key) -> Deadline? { live[key]?.deadline }

    /// The earliest live deadline.
    public mutating func nextDeadline() -> Deadline? {
        while let top = heap.min, live[top.key]?.sequence != top.sequence { heap.removeMin() }
        return heap.min?.deadline
    }

    /// Removes and returns the timers due at `now`, earliest first, with their deadlines.
    public mutating func takeDueWithDeadlines(at now: Deadline) -> [(key: Key, deadline: Deadline)] {
        var due: [(key: Key, deadline: Deadline)] = []
        while let top = heap.min, top.deadline <= now {
            heap.removeMin()
            if live[top.key]?.sequence == top.sequence {
                live[top.key] = nil
                due.append((top.key, top.deadline))
            }
        }
        return due
    }

    /// Removes and returns the timers due at `now`, earliest first.
    public mutating func takeDue(at now: Deadline) -> [Key] {
        takeDueWithDeadlines(at: now).map(\.key)
    }

    /// Rebuilds the heap when dead entries outnumber live ones four to one.
    private mutating func compactIfMostlyGarbage() {
        guard heap.count > 1024, heap.count > 4 * live.count else { return }
        heap = Heap(heap.unordered.filter { live[$0.key]?.sequence == $0.sequence })
    }
}
