import SoftphoneCore
import Synchronization

/// Events posted from other threads (network connectors), collected by the UI loop
/// in the order they arrived, each stamped with the time it was posted. `wake` is
/// called after each post so the loop leaves its wait at once.
public final class Inbox: Sendable {
    private let queue = Mutex<[(Instant, AppEvent)]>([])
    private let wake: @Sendable () -> Void
    private let clock: @Sendable () -> Instant

    public init(clock: @escaping @Sendable () -> Instant = WallClock.now, wake: @escaping @Sendable () -> Void = {}) {
        self.clock = clock
        self.wake = wake
    }

    public func post(_ event: AppEvent) {
        let at = clock()
        queue.withLock { $0.append((at, event)) }
        AppLog.record(event)
        wake()
    }

    public func drain() -> [(Instant, AppEvent)] {
        queue.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
