import CallStore
import Dispatch
import SoftphoneCore
import Synchronization

/// Writes call records and presence transitions to the call store on a thread of its
/// own, in the order they were asked, so a slow or full disk never holds up a keypress
/// or a SIP answer. A failed write is reported (for the Log tab) and the next write
/// tries again; nothing the reducer already shows is lost from the screen.
public final class CallLogWriter: Sendable {
    private let store: CallStore
    private let queue = DispatchQueue(label: "softphone.call-log")
    private let failed: @Sendable (String) -> Void
    /// Writes asked and not yet done.
    private let backlog = Backlog()

    /// `failed` is called on the writer's thread with a sentence for the Log tab.
    public init(store: CallStore, failed: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.failed = failed
    }

    public func record(_ call: CallRecord) {
        enqueue("the call with \(call.remote.display) cannot be saved") { try $0.record(call) }
    }

    public func record(_ transition: PresenceTransition) {
        enqueue("the presence change to \(transition.to.label) cannot be saved") { try $0.record(transition) }
    }

    /// How many writes are still waiting.
    public var pending: Int { backlog.count.withLock { $0 } }

    /// Waits until every write asked so far is done, at most `timeout`. Returns whether it finished.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        let done = DispatchSemaphore(value: 0)
        queue.async { done.signal() }
        return done.wait(timeout: .now() + .nanoseconds(Int(clamping: timeout.nanoseconds))) == .success
    }

    private func enqueue(_ what: String, _ write: @escaping @Sendable (CallStore) throws -> Void) {
        backlog.count.withLock { $0 += 1 }
        let store = self.store, failed = self.failed, backlog = self.backlog
        queue.async {
            defer { backlog.count.withLock { $0 -= 1 } }
            do { try write(store) } catch { failed("\(what): \(error)") }
        }
    }
}

/// The writer's count of writes not yet done, shared with its queue.
private final class Backlog: Sendable {
    let count = Mutex(0)
}
