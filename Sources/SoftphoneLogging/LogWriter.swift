import Dispatch
import Foundation
import Logging
import Synchronization
import Timekeeping

/// Writes log records to a `LogSink` off the caller's thread.
///
/// Callers only append to a bounded queue (a lock and an array append); a background
/// queue formats and writes. A slow or full disk therefore never stalls the UI or the SIP
/// event loop: when `capacity` records are waiting, further records are dropped and
/// counted, and once the writer catches up it writes "N records dropped". A write that
/// fails (a full disk, a directory that cannot be written) never crashes: the first
/// failure is reported once to the problem handler (the app shows it in the Log tab),
/// later batches are tried again, and once writing works again the log says how many
/// records were lost.
///
/// No package available to this project provides a file `LogHandler` (swift-log ships
/// only stream and no-op handlers), so this small one is written here.
public final class LogWriter: Sendable {
    private struct Pending {
        var records: [LogRecord] = []
        var dropped = 0
        var draining = false
        var lost = 0
        var problem: String?
        var problemReported = false
        var problemHandler: (@Sendable (String) -> Void)?
    }

    /// How many records may wait for the writer before new ones are dropped.
    public let capacity: Int
    /// The clock records are stamped with (the wall clock; tests inject their own).
    public let now: @Sendable () -> Date
    private let pending = Mutex(Pending())
    private let sink: Mutex<any LogSink>
    private let queue = DispatchQueue(label: "softphone.log-writer", qos: .utility)

    public init(sink: sending any LogSink, capacity: Int = 10_000, now: @escaping @Sendable () -> Date = { Date() }) {
        self.sink = Mutex(sink)
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// Queues a record; never blocks on the sink.
    public func enqueue(_ record: LogRecord) {
        let start: Bool = pending.withLock { state in
            guard state.records.count < capacity else {
                state.dropped += 1
                return false
            }
            state.records.append(record)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// Waits until every record queued before this call has been written (or has failed),
    /// at most `timeout`; returns whether it finished in time. For tests and for exit.
    @discardableResult
    public func flush(timeout: Duration = .seconds(2)) -> Bool {
        let done = DispatchSemaphore(value: 0)
        queue.async { done.signal() }
        return done.wait(timeout: .now() + .nanoseconds(Int(clamping: max(0, timeout.nanoseconds)))) == .success
    }

    /// The first write problem, if any (nil while the log is written fine).
    public var problem: String? { pending.withLock { $0.problem } }

    /// Calls `handler` once, on the writer's thread, with the first write problem — at once
    /// if one has already happened. Later problems are not reported again.
    public func onProblem(_ handler: @escaping @Sendable (String) -> Void) {
        let report: String? = pending.withLock { state in
            state.problemHandler = handler
            guard let problem = state.problem, !state.problemReported else { return nil }
            state.problemReported = true
            return problem
        }
        if let report { queue.async { handler(report) } }
    }

    private func drain() {
        while true {
            let taken: (records: [LogRecord], dropped: Int, lost: Int)? = pending.withLock { state in
                if state.records.isEmpty && state.dropped == 0 {
                    state.draining = false
                    return nil
                }
                defer {
                    state.records.removeAll(keepingCapacity: true)
                    state.dropped = 0
                }
                return (state.records, state.dropped, state.lost)
            }
            guard let taken else { return }
            var lines: [String] = []
            lines.reserveCapacity(taken.records.count + 2)
            if taken.lost > 0 {
                lines.append(notice("\(taken.lost) records could not be written (\(problem ?? "write error"))"))
            }
            for record in taken.records { lines.append(LogFormat.line(record)) }
            if taken.dropped > 0 {
                lines.append(notice("\(taken.dropped) records dropped (the log writer fell behind)"))
            }
            do {
                try sink.withLock { try $0.write(lines) }
                if taken.lost > 0 { pending.withLock { $0.lost -= taken.lost } }
            } catch {
                failed("\(error)", records: taken.records.count + taken.dropped)
            }
        }
    }

    private func notice(_ text: String) -> String {
        LogFormat.line(LogRecord(date: now(), level: .warning, label: "softphone.log", message: text))
    }

    private func failed(_ why: String, records: Int) {
        let report: (@Sendable (String) -> Void)? = pending.withLock { state in
            state.lost += records
            guard state.problem == nil else { return nil }
            state.problem = why
            guard let handler = state.problemHandler else { return nil }
            state.problemReported = true
            return handler
        }
        report?(why)
    }
}
