import SoftphoneCore
import Synchronization

/// Graph's presence limit: at most `budget` presence requests per application per tenant
/// in any 30 s (a sliding window, real time). Requests answered 429 still count, as Graph
/// says ("Graph keeps counting usage during throttling"). The control API can also force
/// every Graph request to be throttled until an instant.
final class PresenceThrottle: Sendable {
    static let window: Duration = .seconds(30)

    private struct State {
        var budget: Int
        var requests: [String: [ContinuousClock.Instant]] = [:]
        var forcedUntil: ContinuousClock.Instant?
    }

    private let state: Mutex<State>

    init(budget: Int) { state = Mutex(State(budget: max(1, budget))) }

    var budget: Int { state.withLock { $0.budget } }

    func setBudget(_ budget: Int) { state.withLock { $0.budget = max(1, budget) } }

    /// Counts one presence request of `clientID` at `now`; returns the `Retry-After` seconds
    /// when it is over the budget (the time until enough of the window has passed for the
    /// next request to fit, at least 1), `nil` when it may proceed.
    func admit(_ clientID: String, now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            var times = state.requests[clientID, default: []].filter { now - $0 < Self.window }
            times.append(now)
            state.requests[clientID] = times
            guard times.count > state.budget else { return nil }
            // The next request fits once all but `budget - 1` of these have left the window.
            let freeing = times[times.count - state.budget]
            return Self.seconds(freeing + Self.window - now)
        }
    }

    /// Forces every Graph request to be answered 429 until `seconds` from now (0 ends it).
    func force(seconds: Int, now: ContinuousClock.Instant = .now) {
        state.withLock { $0.forcedUntil = seconds > 0 ? now + .seconds(seconds) : nil }
    }

    /// The `Retry-After` of a forced throttle in effect, else `nil`.
    func forced(now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            guard let until = state.forcedUntil, until > now else { return nil }
            return Self.seconds(until - now)
        }
    }

    /// Presence requests per client id in the last 30 s.
    func counts(now: ContinuousClock.Instant = .now) -> [String: Int] {
        state.withLock { state in
            state.requests = state.requests.mapValues { $0.filter { now - $0 < Self.window } }.filter { !$0.value.isEmpty }
            return state.requests.mapValues(\.count)
        }
    }

    func reset() { state.withLock { $0.requests = [:] } }

    /// Whole seconds, rounded up, at least 1.
    static func seconds(_ d: Duration) -> Int {
        Int(max(1, min(Int64(Int32.max), (d.milliseconds + 999) / 1000)))
    }
}
