import Dispatch
import Foundation
import Logging
import SoftphoneLogging
import Synchronization
import Testing

/// A sink that keeps what it is given; optionally holds the first write until released
/// (a stalled disk), or fails the first `failures` writes (a full disk).
final class MemorySink: LogSink, Sendable {
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    private let state: Mutex<(batches: [[String]], stallFirst: Bool, failures: Int)>

    init(stallFirst: Bool = false, failures: Int = 0) {
        state = Mutex((batches: [], stallFirst: stallFirst, failures: failures))
    }

    var batches: [[String]] { state.withLock { $0.batches } }
    var lines: [String] { batches.flatMap { $0 } }

    func write(_ records: [String]) throws {
        let stall: Bool = state.withLock { s in
            defer { s.stallFirst = false }
            return s.stallFirst
        }
        if stall {
            entered.signal()
            release.wait()
        }
        try state.withLock { s in
            if s.failures > 0 {
                s.failures -= 1
                throw LogFileError(description: "disk full")
            }
            s.batches.append(records)
        }
    }
}

/// 2026-01-02T00:04:05.625Z (a fraction exact in binary)
private let fixedDate = Date(timeIntervalSince1970: 1_767_312_245.625)

private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "softphone-log-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("The log file: format, rotation, a background writer that never stalls or crashes the app")
struct LogFileTests {
    @Test("A record is one line: UTC ISO 8601 time with milliseconds, level, label, message, sorted metadata")
    func format() {
        let record = LogRecord(date: fixedDate, level: .info, label: "softphone.line", message: "registered",
                               metadata: ["registrar": "sip:pbx.example", "expires": "600"])
        #expect(LogFormat.line(record)
            == "2026-01-02T00:04:05.625Z info softphone.line: registered [expires=600 registrar=sip:pbx.example]\n")
    }

    @Test("A message of several lines continues indented; CRLF becomes LF; control characters are escaped")
    func multiline() {
        let message = "received UDP\r\nOPTIONS sip:a@b SIP/2.0\r\nSubject: \u{1B}[2Jhi\r\n\r\n"
        let record = LogRecord(date: fixedDate, level: .trace, label: "softphone.sip.trace", message: message)
        #expect(LogFormat.line(record) == """
            2026-01-02T00:04:05.625Z trace softphone.sip.trace: received UDP
                OPTIONS sip:a@b SIP/2.0
                Subject: \\u{1B}[2Jhi
            \("    ")

            """)
    }

    @Test("The handler logs at its level and above, with its own, the provider's and the call's metadata")
    func handler() {
        let sink = MemorySink()
        let writer = LogWriter(sink: sink, now: { fixedDate })
        var logger = Logger(label: "softphone.app") { FileLogHandler(label: $0, writer: writer, logLevel: .info) }
        logger[metadataKey: "run"] = "1"
        logger.debug("not written")
        logger.info("started", metadata: ["mode": "demo"])
        logger.error("failed", error: LogFileError(description: "boom"))
        #expect(writer.flush())
        #expect(sink.lines == [
            "2026-01-02T00:04:05.625Z info softphone.app: started [mode=demo run=1]\n",
            "2026-01-02T00:04:05.625Z error softphone.app: failed [error=boom run=1]\n",
        ])
    }

    @Test("With the writer stalled, a full queue drops records, counts them, and says so once it drains")
    func boundedQueue() throws {
        let sink = MemorySink(stallFirst: true)
        let writer = LogWriter(sink: sink, capacity: 4, now: { fixedDate })
        func record(_ n: Int) -> LogRecord { LogRecord(date: fixedDate, level: .info, label: "t", message: "r\(n)") }
        writer.enqueue(record(0))
        // The writer has taken r0 and is stuck in the sink (a bounded wait, not a timing assertion).
        try #require(sink.entered.wait(timeout: .now() + 30) == .success)
        for n in 1...7 { writer.enqueue(record(n)) }   // r1…r4 fit, r5…r7 are dropped; none of this waits
        sink.release.signal()
        #expect(writer.flush(timeout: .seconds(30)))
        let messages = sink.lines.map { $0.components(separatedBy: ": ").dropFirst().joined(separator: ": ") }
        #expect(messages == ["r0\n", "r1\n", "r2\n", "r3\n", "r4\n",
                             "3 records dropped (the log writer fell behind)\n"])
        #expect(sink.lines.last?.contains(" warning softphone.log: ") == true)
        #expect(writer.problem == nil)
    }

    @Test("A write error is reported once, the program goes on, and the log says what was lost when it recovers")
    func writeErrorThenRecovery() {
        let sink = MemorySink(failures: 2)
        let writer = LogWriter(sink: sink, now: { fixedDate })
        let reports = Mutex<[String]>([])
        writer.onProblem { text in reports.withLock { $0.append(text) } }
        writer.enqueue(LogRecord(date: fixedDate, level: .info, label: "t", message: "a"))
        #expect(writer.flush())
        writer.enqueue(LogRecord(date: fixedDate, level: .info, label: "t", message: "b"))
        #expect(writer.flush())
        writer.enqueue(LogRecord(date: fixedDate, level: .info, label: "t", message: "c"))
        #expect(writer.flush())
        #expect(reports.withLock { $0 } == ["disk full"])
        #expect(writer.problem == "disk full")
        #expect(sink.lines == [
            "2026-01-02T00:04:05.625Z warning softphone.log: 2 records could not be written (disk full)\n",
            "2026-01-02T00:04:05.625Z info t: c\n",
        ])
    }

    @Test("A log directory that cannot be created is reported (also to a handler set later), never a crash")
    func unwritableDirectory() throws {
        let base = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        // A regular file where the directory should be: mkdir fails even for root.
        _ = FileManager.default.createFile(atPath: base + "/state", contents: Data("x".utf8))
        let writer = LogWriter(sink: RotatingFileSink(path: base + "/state/softphone/softphone.log"))
        var logger = Logger(label: "softphone.app") { FileLogHandler(label: $0, writer: writer) }
        logger.logLevel = .info
        logger.info("hello")
        logger.info("again")
        #expect(writer.flush())
        let problem = try #require(writer.problem)
        #expect(problem.contains("cannot create \(base)/state/softphone"))
        let reports = Mutex<[String]>([])
        writer.onProblem { text in reports.withLock { $0.append(text) } }
        logger.info("and again")
        #expect(writer.flush())
        #expect(reports.withLock { $0 } == [problem])
    }

    @Test("The file rotates at its size limit into .1 … .3; directory 0700, files 0600")
    func rotation() throws {
        let base = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let path = base + "/state/softphone/softphone.log"
        let sink = RotatingFileSink(path: path, maxBytes: 100, keep: 3)
        // Each record is 30 bytes: three fit in a file, the fourth starts a new one.
        for batch in 0..<5 {
            try sink.write((0..<3).map { String(format: "record %02d-%d ..................\n", batch, $0) })
        }
        try sink.write(["last record .................\n"])
        let files = try FileManager.default.contentsOfDirectory(atPath: base + "/state/softphone").sorted()
        #expect(files == ["softphone.log", "softphone.log.1", "softphone.log.2", "softphone.log.3"])
        for name in files {
            let size = try #require(FileManager.default.attributesOfItem(atPath: base + "/state/softphone/" + name)[.size] as? Int)
            #expect(size <= 100)
            let mode = try #require(FileManager.default.attributesOfItem(atPath: base + "/state/softphone/" + name)[.posixPermissions] as? Int)
            #expect(mode == 0o600)
        }
        let dirMode = try #require(FileManager.default.attributesOfItem(atPath: base + "/state/softphone")[.posixPermissions] as? Int)
        #expect(dirMode == 0o700)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "last record .................\n")
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8).hasPrefix("record 04-0"))
        #expect(try String(contentsOfFile: path + ".3", encoding: .utf8).hasPrefix("record 02-0"))
    }

    @Test("The log lives in $XDG_STATE_HOME/softphone, else ~/.local/state/softphone")
    func paths() {
        #expect(SoftphoneLog.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/softphone/softphone.log")
        #expect(SoftphoneLog.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"])
            == "/h/.local/state/softphone/softphone.log")
        #expect(SoftphoneLog.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/softphone/softphone.log")
    }
}
