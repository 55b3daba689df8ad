import Foundation

/// Reads the crash writer's stdout on a background thread: one committed
/// number per line. Lets the test wait, with a deadline, for a number of commits.
final class CommitReader: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var lastCommitted = 0
    private var finished = false
    private var protocolError: String?

    /// Starts reading `handle` until end of file.
    init(_ handle: FileHandle) {
        let thread = Thread { [self] in readAll(handle) }
        thread.name = "crash-writer stdout"
        thread.start()
    }

    /// The highest number reported so far.
    var committed: Int { condition.withLock { lastCommitted } }

    /// A malformed or out-of-sequence line, if one was seen.
    var problem: String? { condition.withLock { protocolError } }

    /// Waits until at least `count` commits were reported, the stream ended, or the deadline passed.
    /// Returns whether `count` was reached.
    func wait(forAtLeast count: Int, until deadline: Date) -> Bool {
        condition.withLock {
            while lastCommitted < count && !finished && protocolError == nil {
                if !condition.wait(until: deadline) { break }
            }
            return lastCommitted >= count
        }
    }

    /// Waits until the stream ended or the deadline passed. Returns whether it ended.
    func waitForEnd(until deadline: Date) -> Bool {
        condition.withLock {
            while !finished {
                if !condition.wait(until: deadline) { break }
            }
            return finished
        }
    }

    private func readAll(_ handle: FileHandle) {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            // Only complete lines count; a torn last line is ignored.
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                accept(line)
            }
        }
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    private func accept(_ line: String) {
        condition.withLock {
            if let number = Int(line), number == lastCommitted + 1 {
                lastCommitted = number
            } else if protocolError == nil {
                protocolError = "after commit \(lastCommitted) the writer printed \"\(line)\""
            }
            condition.broadcast()
        }
    }
}
