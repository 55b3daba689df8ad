import Foundation
import SoftphoneCore

/// The clock the sync driver (and the token cache) waits on: production uses
/// `SystemSyncClock`, tests a virtual clock.
public protocol SyncClock: Sendable {
    /// Now, as wall-clock time that never goes backwards.
    var now: Instant { get }
    /// Returns at `deadline`, or throws when the task is cancelled.
    func sleep(until deadline: Instant) async throws
}

/// The real clock: wall time read once at creation, advanced by the monotonic clock, so
/// timers do not jump with the system time and expiration dates are still dates.
public struct SystemSyncClock: SyncClock {
    private let originWall: Instant
    private let originTick: ContinuousClock.Instant

    public init() {
        // The edge: the one reading of the wall clock.
        originWall = Instant(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        originTick = ContinuousClock.now
    }

    public var now: Instant { originWall + (ContinuousClock.now - originTick) }

    public func sleep(until deadline: Instant) async throws {
        try await Task.sleep(until: originTick + (deadline - originWall), clock: .continuous)
    }
}
