import GRDB
import SoftphoneCore

extension CallStore {
    /// Records one finished call. Recording the same Call-ID again replaces the
    /// row, so a retried write never duplicates.
    public func record(_ call: CallRecord) throws {
        try upsert(CollectionOfOne(call))
    }

    /// Records many calls in one transaction: all of them land, or none.
    /// Calls sharing a Call-ID keep the last one.
    public func record(_ calls: [CallRecord]) throws {
        try upsert(calls)
    }

    /// Writes `calls` in one transaction with one cached prepared statement.
    private func upsert(_ calls: some Collection<CallRecord>) throws {
        guard !calls.isEmpty else { return }
        try write(.writeCalls) { db in
            let statement = try db.cachedStatement(sql: CallRow.upsert)
            for call in calls {
                try statement.execute(arguments: CallRow.arguments(for: call))
            }
        }
    }

    /// The call log, newest first (by ring start, then end), one page at a time.
    public func history(limit: Int = 200, offset: Int = 0) throws -> [CallRecord] {
        guard limit > 0 else { return [] }
        return try fetchCalls(
            where: nil,
            arguments: [],
            limit: limit,
            offset: max(0, offset)
        )
    }

    /// Missed calls that started ringing at or after `since`, newest first.
    public func missed(since: Instant) throws -> [CallRecord] {
        try fetchCalls(
            where: "outcome = ? AND ring_started_at >= ?",
            arguments: [CallOutcome.missed.rawValue, since.nanosecondsSinceEpoch],
            limit: nil,
            offset: 0
        )
    }

    /// How many calls were missed since `since` (ring start at or after it).
    public func missedCount(since: Instant) throws -> Int {
        try read(.readCalls) { db in
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM call WHERE outcome = ? AND ring_started_at >= ?",
                arguments: [CallOutcome.missed.rawValue, since.nanosecondsSinceEpoch]
            ) ?? 0
        }
    }

    /// The call with this Call-ID, if recorded.
    public func call(_ id: CallID) throws -> CallRecord? {
        try fetchCalls(where: "id = ?", arguments: [id.rawValue], limit: 1, offset: 0).first
    }

    /// How many calls the log holds.
    public func callCount() throws -> Int {
        try read(.readCalls) { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM call") ?? 0
        }
    }

    /// Selects calls newest first; `limit` nil means all.
    private func fetchCalls(
        where condition: String?, arguments: StatementArguments, limit: Int?, offset: Int
    ) throws -> [CallRecord] {
        var sql = "SELECT \(CallRow.columns) FROM call"
        if let condition { sql += " WHERE \(condition)" }
        sql += " ORDER BY ring_started_at DESC, ended_at DESC, id DESC"
        var arguments = arguments
        if let limit {
            sql += " LIMIT ? OFFSET ?"
            arguments += [limit, offset]
        }
        return try read(.readCalls) { db in
            var calls: [CallRecord] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                calls.append(try CallRow.decode(row))
            }
            return calls
        }
    }
}
