import GRDB

extension CallStoreError {
    /// Wraps whatever a GRDB call threw: SQLite errors keep their result code,
    /// undecodable rows become `.invalidRow`, anything else keeps its description.
    init(operation: Operation, path: String?, underlying error: any Error) {
        let cause: Cause
        switch error {
        case let error as CallStoreError:
            cause = error.cause
        case let error as DatabaseError:
            cause = .sqlite(SQLiteFailure(error))
        case let error as UnreadableRow:
            cause = .invalidRow(error.detail)
        case let error as RowDecodingError:
            cause = .invalidRow(String(describing: error))
        default:
            cause = .other(String(describing: error))
        }
        self.init(operation: operation, path: path, cause: cause)
    }
}

extension SQLiteFailure {
    /// Keeps GRDB's message only when it differs from SQLite's standard text
    /// for the code ("database or disk is full" says nothing "disk full" does not).
    init(_ error: DatabaseError) {
        let code = error.extendedResultCode
        let standard: Set<String?> = [
            DatabaseError(resultCode: code).message,
            DatabaseError(resultCode: code.primaryResultCode).message,
        ]
        self.init(
            extendedCode: code.rawValue,
            message: standard.contains(error.message) ? nil : error.message
        )
    }
}
