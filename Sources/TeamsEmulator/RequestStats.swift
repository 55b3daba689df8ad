import Synchronization

/// Counters for `GET /_emulator/stats`: Graph and token requests per endpoint and per
/// status, and the emulator's own outgoing requests (validations, notifications).
/// The control API is not counted.
final class RequestStats: Sendable {
    struct Counts: Sendable {
        var endpoints: [String: Int] = [:]
        var statuses: [Int: Int] = [:]
        var total = 0
        var validations = 0
        var notificationsSent = 0
        var notificationsFailed = 0
    }

    private let counts = Mutex(Counts())

    /// Counts a request to `endpoint` (e.g. `POST /v1.0/users/{id}/presence/setPresence`).
    func request(_ endpoint: String) {
        counts.withLock {
            $0.total += 1
            $0.endpoints[endpoint, default: 0] += 1
        }
    }

    func status(_ code: Int) { counts.withLock { $0.statuses[code, default: 0] += 1 } }
    func validation() { counts.withLock { $0.validations += 1 } }
    func notification(delivered: Bool) {
        counts.withLock {
            if delivered { $0.notificationsSent += 1 } else { $0.notificationsFailed += 1 }
        }
    }

    func reset() { counts.withLock { $0 = Counts() } }
    func snapshot() -> Counts { counts.withLock { $0 } }

    /// `{"total":N,"endpoints":{…},"statuses":{"200":N,…},"notifications":{"sent":N,"failed":N},"validations":N}`
    var json: [String: Any] {
        let c = snapshot()
        return [
            "total": c.total,
            "endpoints": c.endpoints,
            "statuses": Dictionary(uniqueKeysWithValues: c.statuses.map { (String($0.key), $0.value) }),
            "notifications": ["sent": c.notificationsSent, "failed": c.notificationsFailed],
            "validations": c.validations,
        ]
    }
}
