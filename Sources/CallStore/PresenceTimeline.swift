import SoftphoneCore

/// Adds up how long each presence was shown over a period, from the changes.
enum PresenceTimeline {
    /// Time per presence over [`from`, `to`).
    ///
    /// - Parameters:
    ///   - initial: the presence in force at `from` (the `to` of the last change
    ///     before `from`), or `nil` when nothing is known before `from`.
    ///   - changes: the changes at or after `from`, in the order they happened.
    /// - Returns: only presences shown for a positive time; time before the
    ///   first known change is not counted.
    static func durations(
        initial: Presence?, changes: [PresenceTransition], from: Instant, to: Instant
    ) -> [Presence: Duration] {
        guard from < to else { return [:] }
        var totals: [Presence: Duration] = [:]
        var current = initial
        var segmentStart = from

        func close(at end: Instant) {
            if let current, end > segmentStart {
                totals[current, default: .zero] += end - segmentStart
            }
        }

        for change in changes {
            let at = min(max(change.at, from), to)
            close(at: at)
            current = change.to
            segmentStart = at
        }
        close(at: to)
        return totals
    }
}
