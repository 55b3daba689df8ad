import Synchronization

/// Events posted from other threads (network connectors), collected by the UI loop.
/// `wake` is called after each post so the loop leaves its wait at once.
public final class Inbox: Sendable {
    private let queue = Mutex<[AppEvent]>([])
    private let wake: @Sendable () -> Void

    public init(wake: @escaping @Sendable () -> Void = {}) {
        self.wake = wake
    }

    public func post(_ event: AppEvent) {
        queue.withLock { $0.append(event) }
        wake()
    }

    public func drain() -> [AppEvent] {
        queue.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
