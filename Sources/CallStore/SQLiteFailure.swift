/// An error SQLite reported, explained in plain words.
public struct SQLiteFailure: Sendable, Hashable, CustomStringConvertible {
    /// The extended result code (for example `SQLITE_IOERR_WRITE`, 778).
    public var extendedCode: Int32
    /// SQLite's message, when it says more than the code's standard text
    /// (for a constraint: which one; for a plain error: what went wrong).
    public var message: String?

    public init(extendedCode: Int32, message: String?) {
        self.extendedCode = extendedCode
        self.message = message
    }

    /// The primary result code: the low 8 bits of the extended code.
    public var primaryCode: Int32 { extendedCode & 0xFF }

    /// The symbolic name of the primary code: "SQLITE_FULL".
    public var codeName: String {
        Self.names[primaryCode].map { "SQLITE_\($0.name)" } ?? "SQLite error \(primaryCode)"
    }

    /// "disk full (SQLITE_FULL)", followed by ": message" when there is one.
    public var description: String {
        var text = Self.names[primaryCode].map { "\($0.words) (\(codeName))" } ?? codeName
        if let message, !message.isEmpty {
            text += ": \(message)"
        }
        return text
    }

    /// Name and plain words of the primary result codes.
    private static let names: [Int32: (name: String, words: String)] = [
        1: ("ERROR", "SQL error"),
        2: ("INTERNAL", "internal SQLite error"),
        3: ("PERM", "permission denied"),
        4: ("ABORT", "operation aborted"),
        5: ("BUSY", "the database is locked by another connection"),
        6: ("LOCKED", "a table is locked"),
        7: ("NOMEM", "out of memory"),
        8: ("READONLY", "the database is read-only"),
        9: ("INTERRUPT", "interrupted"),
        10: ("IOERR", "disk I/O error"),
        11: ("CORRUPT", "the database file is corrupt"),
        13: ("FULL", "disk full"),
        14: ("CANTOPEN", "the database file cannot be opened"),
        15: ("PROTOCOL", "database locking protocol error"),
        17: ("SCHEMA", "the database schema changed"),
        18: ("TOOBIG", "a value is too big"),
        19: ("CONSTRAINT", "a constraint was violated"),
        20: ("MISMATCH", "data type mismatch"),
        21: ("MISUSE", "SQLite was misused"),
        22: ("NOLFS", "large files are not supported"),
        23: ("AUTH", "access denied"),
        25: ("RANGE", "parameter out of range"),
        26: ("NOTADB", "the file is not a database"),
    ]
}
