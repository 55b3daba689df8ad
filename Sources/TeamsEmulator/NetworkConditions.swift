import Synchronization

/// Added latency and injected faults for Graph and token requests (`/_emulator/latency`,
/// `/_emulator/faults`). Faults form a queue; each request takes the first fault aimed at it.
final class NetworkConditions: Sendable {
    enum Target: String, Sendable, CaseIterable {
        /// Requests under `/v1.0`.
        case graph
        /// The token endpoint.
        case token
        /// Both.
        case all
    }

    enum Fault: Sendable, Hashable {
        /// Answer with this status and a Graph (or identity-platform) error body.
        case status(Int, retryAfterSeconds: Int?)
        /// Close the connection without answering.
        case dropConnection
    }

    struct Pending: Sendable, Hashable {
        var fault: Fault
        var target: Target
    }

    private let latencyValue: Mutex<Duration>
    private let queue = Mutex<[Pending]>([])

    init(latency: Duration) { latencyValue = Mutex(latency) }

    var latency: Duration {
        get { latencyValue.withLock { $0 } }
    }

    func setLatency(_ value: Duration) { latencyValue.withLock { $0 = value } }

    /// Sleeps for the configured latency.
    func delay() async {
        let value = latency
        if value > .zero { try? await Task.sleep(for: value) }
    }

    func enqueue(_ fault: Fault, target: Target, count: Int) {
        queue.withLock { $0.append(contentsOf: repeatElement(Pending(fault: fault, target: target), count: count)) }
    }

    func clear() { queue.withLock { $0.removeAll() } }
    func pending() -> [Pending] { queue.withLock { $0 } }

    /// Takes the first fault aimed at a request of kind `target` (`.graph` or `.token`).
    func take(for target: Target) -> Fault? {
        queue.withLock { queue in
            guard let i = queue.firstIndex(where: { $0.target == target || $0.target == .all }) else { return nil }
            return queue.remove(at: i).fault
        }
    }
}
