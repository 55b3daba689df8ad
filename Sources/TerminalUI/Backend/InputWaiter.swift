#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sleeps until one of several file descriptors is ready, or a timeout: the UI loop's
/// only wait (keyboard, signal pipe, `Wakeup`), so it never busy-waits.
public enum InputWaiter {
    /// Waits with `poll(2)` until at least one of `fds` is readable or `timeoutMilliseconds`
    /// pass (a negative timeout waits indefinitely; 0 only checks). Retries after a signal
    /// interrupts the wait, with the time that is left.
    ///
    /// Returns the descriptors that are ready, empty on timeout. "Ready" means a read will
    /// not block: data, but also end of file, an error or an invalid descriptor, so a
    /// closed input is seen rather than waited on. Negative descriptors are ignored.
    public static func wait(for fds: [Int32], timeoutMilliseconds: Int) -> Set<Int32> {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let deadline = timeoutMilliseconds > 0 ? monotonicMilliseconds() + timeoutMilliseconds : nil
        var timeout = timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds
        while true {
            let result = entries.withUnsafeMutableBufferPointer {
                poll($0.baseAddress, nfds_t($0.count), Int32(clamping: timeout))
            }
            if result >= 0 { break }
            guard errno == EINTR else { return [] }
            if let deadline { timeout = max(0, deadline - monotonicMilliseconds()) }
        }
        return Set(entries.filter { $0.revents != 0 }.map(\.fd))
    }

    private static func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }
}
