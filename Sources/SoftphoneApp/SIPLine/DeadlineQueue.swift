import HeapModule

/// Timers by key with one earliest deadline to wait for: starting a key again moves it,
/// cancelling forgets it. Cancelled and moved entries stay in the heap until they come
/// up and are skipped, so starting and cancelling cost O(log n) and O(1) however many
/// timers run — the line keeps thousands (every transaction has a few), and one event-loop
/// task per timer would make each cancel a search through all of them.
struct DeadlineQueue<Key: Hashable> {
    private struct Entry: Comparable {
        var deadline: UInt64
        var sequence: UInt64
        var key: Key
        static func < (a: Entry, b: Entry) -> Bool { (a.deadline, a.sequence) < (b.deadline, b.sequence) }
        static func == (a: Entry, b: Entry) -> Bool { a.deadline == b.deadline && a.sequence == b.sequence }
    }

    private var heap = Heap<Entry>()
    /// The live timers and the sequence number of their current entry.
    private var live: [Key: UInt64] = [:]
    private var sequence: UInt64 = 0

    var count: Int { live.count }

    /// Starts (or moves) the timer `key` to fire at `deadline` (nanoseconds of a monotonic clock).
    mutating func start(_ key: Key, at deadline: UInt64) {
        sequence += 1
        live[key] = sequence
        heap.insert(Entry(deadline: deadline, sequence: sequence, key: key))
        compactIfMostlyGarbage()
    }

    mutating func cancel(_ key: Key) {
        live[key] = nil
    }

    /// The earliest live deadline.
    mutating func nextDeadline() -> UInt64? {
        while let top = heap.min, live[top.key] != top.sequence { heap.removeMin() }
        return heap.min?.deadline
    }

    /// Removes and returns the timers due at `now`, earliest first.
    mutating func takeDue(at now: UInt64) -> [Key] {
        var due: [Key] = []
        while let top = heap.min, top.deadline <= now {
            heap.removeMin()
            if live[top.key] == top.sequence {
                live[top.key] = nil
                due.append(top.key)
            }
        }
        return due
    }

    /// Rebuilds the heap when dead entries outnumber live ones four to one.
    private mutating func compactIfMostlyGarbage() {
        guard heap.count > 1024, heap.count > 4 * live.count else { return }
        heap = Heap(heap.unordered.filter { live[$0.key] == $0.sequence })
    }
}
