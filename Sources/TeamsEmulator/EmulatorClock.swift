import Foundation
import SoftphoneCore

/// The emulator's two clocks, both derived from one monotonic reading so they never jump.
///
/// - wall time: real time, for tokens, subscriptions and mailbox schedules;
/// - emulator time: real time since start × `timeScale`, for presence (idle stages,
///   session and preferred-presence expiry), as the core's `Instant`.
///
/// Both start at the wall-clock time the emulator started.
struct EmulatorClock: Sendable {
    let timeScale: Double
    let originWall: Instant
    let originTick: ContinuousClock.Instant

    init(timeScale: Double) {
        precondition(timeScale > 0 && timeScale.isFinite, "timeScale must be positive")
        self.timeScale = timeScale
        self.originTick = .now
        self.originWall = Instant(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
    }

    private var elapsed: Duration { ContinuousClock.now - originTick }

    /// Real time now.
    func wallNow() -> Instant { originWall + elapsed }

    /// Emulator time now.
    func now() -> Instant { originWall + .nanoseconds(Int64(Double(elapsed.nanoseconds) * timeScale)) }

    /// The monotonic instant at which emulator time reaches `instant`.
    func tick(atEmulator instant: Instant) -> ContinuousClock.Instant {
        let span = Double((instant - originWall).nanoseconds) / timeScale
        return originTick + .nanoseconds(Int64(span.rounded(.up)))
    }

    /// The monotonic instant at which wall time reaches `instant`.
    func tick(atWall instant: Instant) -> ContinuousClock.Instant {
        originTick + (instant - originWall)
    }
}
