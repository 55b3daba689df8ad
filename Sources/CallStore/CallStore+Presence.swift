import GRDB
import SoftphoneCore

extension CallStore {
    /// Records one change of the shown presence.
    public func record(_ transition: PresenceTransition) throws {
        try write(.writePresence) { db in
            try db.cachedStatement(sql: PresenceRow.insert)
                .execute(arguments: PresenceRow.arguments(for: transition))
        }
    }

    /// The latest presence changes, newest first. Changes recorded with the
    /// same instant come back in reverse order of recording.
    public func presenceHistory(limit: Int = 200) throws -> [PresenceTransition] {
        guard limit > 0 else { return [] }
        return try read(.readPresence) { db in
            try fetchTransitions(
                db,
                sql: "SELECT \(PresenceRow.columns) FROM presence_transition ORDER BY at DESC, seq DESC LIMIT ?",
                arguments: [limit]
            )
        }
    }

    /// Time spent in each shown presence between `from` and `to`.
    ///
    /// The presence in force at `from` is the one the last change before
    /// `from` switched to; each stretch is clipped to [`from`, `to`]. Time
    /// before the first recorded change is not counted, and presences shown
    /// for no time are absent. An empty or reversed period gives `[:]`.
    public func timeInPresence(from: Instant, to: Instant) throws -> [Presence: Duration] {
        guard from < to else { return [:] }
        return try read(.readPresence) { db in
            let before = try fetchTransitions(
                db,
                sql: """
                    SELECT \(PresenceRow.columns) FROM presence_transition
                    WHERE at < ? ORDER BY at DESC, seq DESC LIMIT 1
                    """,
                arguments: [from.nanosecondsSinceEpoch]
            )
            let during = try fetchTransitions(
                db,
                sql: """
                    SELECT \(PresenceRow.columns) FROM presence_transition
                    WHERE at >= ? AND at < ? ORDER BY at, seq
                    """,
                arguments: [from.nanosecondsSinceEpoch, to.nanosecondsSinceEpoch]
            )
            return PresenceTimeline.durations(initial: before.first?.to, changes: during, from: from, to: to)
        }
    }

    private func fetchTransitions(
        _ db: Database, sql: String, arguments: StatementArguments
    ) throws -> [PresenceTransition] {
        var transitions: [PresenceTransition] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            transitions.append(try PresenceRow.decode(row))
        }
        return transitions
    }
}
