import SoftphoneCore

/// Events waiting for their time, optionally tagged (by call) so they can be cancelled.
struct Agenda {
    private struct Entry {
        var at: Instant
        var order: Int
        var tag: String?
        var event: AppEvent
    }

    private var entries: [Entry] = []
    private var counter = 0

    mutating func schedule(_ event: AppEvent, at: Instant, tag: String? = nil) {
        counter += 1
        entries.append(Entry(at: at, order: counter, tag: tag, event: event))
    }

    mutating func cancel(tag: String) {
        entries.removeAll { $0.tag == tag }
    }

    var nextDeadline: Instant? { entries.map(\.at).min() }

    /// Removes and returns the events due by `now`, in time order.
    mutating func takeDue(until now: Instant) -> [AppEvent] {
        let due = entries.filter { $0.at <= now }.sorted { ($0.at, $0.order) < ($1.at, $1.order) }
        entries.removeAll { $0.at <= now }
        return due.map(\.event)
    }
}

/// A small deterministic random number generator (SplitMix64), so the demo is the same every run.
struct DemoRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
