#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes the UI loop from another thread: connectors call `signal()` after queueing
/// their results; the loop polls `fd` (with `InputWaiter`) and calls `drain()` when
/// it is readable. Many signals before a drain wake the loop once.
public final class Wakeup: Sendable {
    private let pipe: SelfPipe

    /// The descriptor to poll; readable after `signal()` until `drain()`.
    public var fd: Int32 { pipe.readFD }

    public init() throws {
        pipe = try SelfPipe()
    }

    deinit {
        pipe.closeBoth()
    }

    /// Makes `fd` readable. Safe from any thread, never blocks.
    public func signal() {
        pipe.post(1)
    }

    /// Consumes the pending signals; returns how many there were (a full pipe caps the count).
    @discardableResult
    public func drain() -> Int {
        pipe.drain().count
    }
}
