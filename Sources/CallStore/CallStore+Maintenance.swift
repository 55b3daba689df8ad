import GRDB

extension CallStore {
    /// Runs SQLite's `PRAGMA integrity_check`: returns "ok" when the file is
    /// intact, otherwise SQLite's report, one problem per line.
    public func integrityCheck() throws -> String {
        try read(.checkIntegrity) { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n")
        }
    }

    /// The identifiers of the migrations applied to the file, in order.
    func appliedMigrations() throws -> [String] {
        try read(.migrate) { db in try Schema.migrator.completedMigrations(db) }
    }

    /// Executes raw SQL in a write transaction, bypassing the store's mapping.
    /// For tests that need rows the public API cannot produce.
    func executeUnchecked(sql: String) throws {
        try write(.writeCalls) { db in try db.execute(sql: sql) }
    }
}
