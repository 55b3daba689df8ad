import GRDB

/// The store's tables, built by named migrations. Applied migrations are
/// remembered in the file (GRDB's `grdb_migrations` table), so opening an
/// existing file only applies what is missing.
///
/// Instants are INTEGER nanoseconds since the Unix epoch; enumerations are
/// their `rawValue` as TEXT. Enumerations are deliberately not constrained by
/// CHECK, so a file written by a newer version with a new value still opens;
/// reading such a row fails with a clear `CallStoreError` instead.
enum Schema {
    static let callTable = "call"
    static let presenceTable = "presence_transition"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-calls") { db in
            try db.execute(sql: """
                CREATE TABLE call (
                    id TEXT PRIMARY KEY NOT NULL,           -- the SIP Call-ID
                    direction TEXT NOT NULL,                -- CallDirection.rawValue
                    remote_number TEXT NOT NULL,
                    remote_name TEXT,
                    queue TEXT,
                    ring_started_at INTEGER NOT NULL,       -- ns since epoch
                    answered_at INTEGER,                    -- ns since epoch
                    ended_at INTEGER NOT NULL,              -- ns since epoch
                    outcome TEXT NOT NULL,                  -- CallOutcome.rawValue
                    diversion_rule TEXT,                    -- AnsweringRuleKind.rawValue
                    diversion_sip_status INTEGER,
                    diversion_target TEXT,
                    reason TEXT NOT NULL,
                    CHECK ((diversion_rule IS NULL) = (diversion_sip_status IS NULL))
                );
                CREATE INDEX call_newest_first ON call (ring_started_at, ended_at);
                CREATE INDEX call_by_outcome ON call (outcome, ring_started_at);
                """)
        }

        migrator.registerMigration("v1-presence") { db in
            try db.execute(sql: """
                CREATE TABLE presence_transition (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- order among equal instants
                    at INTEGER NOT NULL,                    -- ns since epoch
                    from_state TEXT NOT NULL,               -- PresenceState.rawValue
                    from_out_of_office INTEGER NOT NULL,    -- 0 or 1
                    to_state TEXT NOT NULL,
                    to_out_of_office INTEGER NOT NULL,
                    set_by TEXT NOT NULL                    -- PresenceSource.rawValue
                );
                CREATE INDEX presence_by_time ON presence_transition (at, seq);
                """)
        }

        return migrator
    }
}
