import SoftphoneCore
import Synchronization

/// Actions posted from other threads (network connectors), collected by the runtime
/// in the order they arrived, each stamped with the time it was posted. `wake` is
/// called after each post so the runtime's thread handles it at once.
public final class Inbox: Sendable {
    private let queue = Mutex<[(Instant, Action)]>([])
    private let wake: Mutex<@Sendable () -> Void>
    private let clock: @Sendable () -> Instant

    public init(clock: @escaping @Sendable () -> Instant = WallClock.now, wake: @escaping @Sendable () -> Void = {}) {
        self.clock = clock
        self.wake = Mutex(wake)
    }

    public func post(_ action: Action) {
        let at = clock()
        queue.withLock { $0.append((at, action)) }
        wake.withLock { $0 }()
    }

    /// Replaces what is called after each post (the runtime host sets it once it runs).
    public func onPost(_ wake: @escaping @Sendable () -> Void) {
        self.wake.withLock { $0 = wake }
    }

    public func drain() -> [(Instant, Action)] {
        queue.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
