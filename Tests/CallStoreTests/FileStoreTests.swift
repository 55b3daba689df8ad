@testable import CallStore
import Foundation
import SoftphoneCore
import Testing

@Suite("Store files, migrations and errors")
struct FileStoreTests {
    @Test("a fresh file gets every migration, its parent directories, and WAL mode")
    func freshFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("nested/deeper/calls.sqlite").path
            let store = try CallStore(path: path)
            #expect(store.path == path)
            #expect(try store.appliedMigrations() == ["v1-calls", "v1-presence"])
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(try store.integrityCheck() == "ok")
        }
    }

    @Test("re-opening an existing file keeps its data and applies nothing twice")
    func reopen() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("calls.sqlite").path
            let call = sampleCall("kept", outcome: .missed)
            let transition = PresenceTransition(
                from: Presence(.available), to: Presence(.busy), setBy: .user, at: instant(1))
            do {
                let store = try CallStore(path: path)
                try store.record(call)
                try store.record(transition)
            }
            for _ in 0..<2 {
                let store = try CallStore(path: path)
                #expect(try store.appliedMigrations() == ["v1-calls", "v1-presence"])
                #expect(try store.history() == [call])
                #expect(try store.presenceHistory() == [transition])
            }
        }
    }

    @Test("an unknown outcome in a stored call is a clear error, not a crash")
    func unknownOutcome() throws {
        let store = try CallStore.inMemory()
        try store.record(sampleCall("good"))
        try store.executeUnchecked(sql: """
            INSERT INTO call (id, direction, remote_number, ring_started_at, ended_at, outcome, reason)
            VALUES ('from-the-future', 'inbound', '+1', 10, 20, 'teleported', '')
            """)

        let error = try #require(throws: CallStoreError.self) { try store.history() }
        #expect(error.operation == .readCalls)
        #expect(error.cause == .invalidRow("call \"from-the-future\" has an unknown outcome \"teleported\""))
        #expect(error.description == """
            cannot read the call log in memory: unreadable row: \
            call "from-the-future" has an unknown outcome "teleported"
            """)
        // Queries that do not touch the bad row still work.
        #expect(try store.missed(since: .epoch).isEmpty)
        #expect(try store.history(limit: 1).map(\.id) == ["good"])
        #expect(try store.call("good") != nil)
        #expect(try store.callCount() == 2)
    }

    @Test("unknown direction and diversion rule values are clear errors", arguments: [
        ("direction", "sideways"),
        ("diversion_rule", "teleport"),
    ])
    func unknownCallEnums(column: String, value: String) throws {
        let store = try CallStore.inMemory()
        var call = sampleCall("odd")
        call.diversion = DiversionRecord(rule: .voicemail, sipStatus: 302, target: "sip:vm@example.com")
        try store.record(call)
        try store.executeUnchecked(sql: "UPDATE call SET \(column) = '\(value)'")

        let error = try #require(throws: CallStoreError.self) { try store.call("odd") }
        guard case .invalidRow(let detail) = error.cause else {
            Issue.record("expected an invalid row, got \(error)")
            return
        }
        #expect(detail.contains("\"\(value)\""))
    }

    @Test("unknown presence states and sources are clear errors", arguments: [
        "from_state", "to_state", "set_by",
    ])
    func unknownPresenceEnums(column: String) throws {
        let store = try CallStore.inMemory()
        try store.record(PresenceTransition(
            from: Presence(.available), to: Presence(.busy), setBy: .user, at: instant(1)))
        try store.executeUnchecked(sql: "UPDATE presence_transition SET \(column) = 'martian'")

        let history = try #require(throws: CallStoreError.self) { try store.presenceHistory() }
        #expect(history.operation == .readPresence)
        #expect(history.description.contains("unknown"))
        #expect(history.description.contains("\"martian\""))
        #expect(throws: CallStoreError.self) { try store.timeInPresence(from: instant(0), to: instant(10)) }
    }

    @Test("a file that is not a database fails to open with a plain-words error")
    func notADatabase() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("garbage.sqlite").path
            let garbage = Data(String(repeating: "this is not an SQLite file. ", count: 200).utf8)
            try garbage.write(to: URL(fileURLWithPath: path))

            let error = try #require(throws: CallStoreError.self) { try CallStore(path: path) }
            #expect(error.sqliteResultCode == 26)
            #expect(error.description.hasPrefix("cannot open the call store at \(path): "))
            // SQLite's standard "file is not a database" adds nothing, so it is left out.
            #expect(error.description.hasSuffix(": the file is not a database (SQLITE_NOTADB)"))
        }
    }

    @Test("a parent path that is a file fails to open with a file-system error")
    func parentIsAFile() throws {
        try withTemporaryDirectory { directory in
            let blocker = directory.appendingPathComponent("blocker")
            try Data("x".utf8).write(to: blocker)
            let path = blocker.appendingPathComponent("calls.sqlite").path

            let error = try #require(throws: CallStoreError.self) { try CallStore(path: path) }
            #expect(error.operation == .open)
            guard case .fileSystem = error.cause else {
                Issue.record("expected a file-system error, got \(error)")
                return
            }
            #expect(error.description.hasPrefix("cannot open the call store at \(path): cannot create the directory"))
        }
    }

    @Test("SQLite failures read in plain words, with the code's name")
    func sqliteFailureWording() {
        let full = CallStoreError(
            operation: .writeCalls, path: "/data/calls.sqlite",
            cause: .sqlite(SQLiteFailure(extendedCode: 13, message: nil)))
        #expect(full.description == "cannot write the call log at /data/calls.sqlite: disk full (SQLITE_FULL)")

        let ioWrite = SQLiteFailure(extendedCode: 10 | (3 << 8), message: nil)
        #expect(ioWrite.primaryCode == 10)
        #expect(ioWrite.description == "disk I/O error (SQLITE_IOERR)")

        let constraint = SQLiteFailure(extendedCode: 19, message: "NOT NULL constraint failed: call.reason")
        #expect(constraint.description == "a constraint was violated (SQLITE_CONSTRAINT): NOT NULL constraint failed: call.reason")

        let strange = SQLiteFailure(extendedCode: 99, message: nil)
        #expect(strange.description == "SQLite error 99")
    }
}
