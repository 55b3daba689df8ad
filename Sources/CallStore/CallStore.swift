import Foundation
import GRDB
import SoftphoneCore

/// The durable call log and presence history, in an SQLite file.
///
/// Open one per database file and share it: it is `Sendable`, writes are
/// serialized, and reads run concurrently with writes (WAL mode). Every method
/// is synchronous and may block briefly on disk I/O, so call it off latency-
/// sensitive threads. Every failure is a `CallStoreError`.
///
/// The store keeps what it is given: deciding *which* calls and presence
/// changes are recorded (for example, only while logged in) is the reducer's job.
public final class CallStore: Sendable {
    /// The GRDB connection (a `DatabasePool` for files, a `DatabaseQueue` in memory).
    let writer: any DatabaseWriter
    /// The database file, or `nil` for an in-memory store.
    public let path: String?

    /// Opens (creating if needed) the store at `path` in WAL mode, creating the
    /// parent directory if it is missing, and applies any pending migrations.
    ///
    /// - Throws: `CallStoreError` with operation `.open` or `.migrate`.
    public convenience init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CallStoreError(operation: .open, path: path, cause: .fileSystem(
                "cannot create the directory \(directory.path): \(error.localizedDescription)"))
        }
        var configuration = Configuration()
        configuration.label = "CallStore"
        // Another process (a second instance, a history command) may hold the
        // write lock for a moment: wait rather than fail at once.
        configuration.busyMode = .timeout(5)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw CallStoreError(operation: .open, path: path, underlying: error)
        }
        try self.init(writer: pool, path: path)
    }

    /// A store that lives in memory only, for tests and previews.
    public static func inMemory() throws -> CallStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: Configuration())
        } catch {
            throw CallStoreError(operation: .open, path: nil, underlying: error)
        }
        return try CallStore(writer: queue, path: nil)
    }

    /// Wraps an open connection and brings its schema up to date.
    init(writer: any DatabaseWriter, path: String?) throws {
        self.writer = writer
        self.path = path
        do {
            try Schema.migrator.migrate(writer)
        } catch {
            throw CallStoreError(operation: .migrate, path: path, underlying: error)
        }
    }

    /// Runs `body` in one write transaction; any error becomes a `CallStoreError` for `operation`.
    func write<T>(_ operation: CallStoreError.Operation, _ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.write(body)
        } catch {
            throw CallStoreError(operation: operation, path: path, underlying: error)
        }
    }

    /// Runs `body` in one read transaction; any error becomes a `CallStoreError` for `operation`.
    func read<T>(_ operation: CallStoreError.Operation, _ body: (Database) throws -> T) throws -> T {
        do {
            return try writer.read(body)
        } catch {
            throw CallStoreError(operation: operation, path: path, underlying: error)
        }
    }
}
