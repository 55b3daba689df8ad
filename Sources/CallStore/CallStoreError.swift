/// A failure of the call store, described in plain words.
///
/// Every error that leaves `CallStore` is a `CallStoreError`: SQLite and GRDB
/// errors are wrapped, and rows that cannot be read (an unknown outcome written
/// by a newer version, a value of the wrong type) are reported rather than
/// crashing. The `description` reads like
/// "cannot write the call log at /var/lib/softphone/calls.sqlite: disk full (SQLITE_FULL)".
public struct CallStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the store was doing when it failed.
    public enum Operation: String, Sendable, Hashable {
        case open
        case migrate
        case writeCalls
        case readCalls
        case writePresence
        case readPresence
        case checkIntegrity

        /// "cannot … " phrase, without the location.
        var phrase: String {
            switch self {
            case .open: "cannot open the call store"
            case .migrate: "cannot upgrade the call store's tables"
            case .writeCalls: "cannot write the call log"
            case .readCalls: "cannot read the call log"
            case .writePresence: "cannot write the presence history"
            case .readPresence: "cannot read the presence history"
            case .checkIntegrity: "cannot check the integrity of the call store"
            }
        }
    }

    /// Why it failed.
    public enum Cause: Sendable, Hashable {
        /// SQLite reported an error: its extended result code and message.
        case sqlite(SQLiteFailure)
        /// A stored row could not be turned back into a value.
        case invalidRow(String)
        /// The file system refused (for example: the parent directory cannot be created).
        case fileSystem(String)
        /// Anything else, with its description.
        case other(String)
    }

    public var operation: Operation
    /// The database file's path, or `nil` for an in-memory store.
    public var path: String?
    public var cause: Cause

    public init(operation: Operation, path: String?, cause: Cause) {
        self.operation = operation
        self.path = path
        self.cause = cause
    }

    /// The SQLite primary result code (`SQLITE_FULL` is 13), when SQLite reported the failure.
    public var sqliteResultCode: Int32? {
        if case .sqlite(let failure) = cause { return failure.primaryCode }
        return nil
    }

    public var description: String {
        let location = path.map { "at \($0)" } ?? "in memory"
        let reason: String
        switch cause {
        case .sqlite(let failure): reason = failure.description
        case .invalidRow(let detail): reason = "unreadable row: \(detail)"
        case .fileSystem(let detail): reason = detail
        case .other(let detail): reason = detail
        }
        return "\(operation.phrase) \(location): \(reason)"
    }
}
