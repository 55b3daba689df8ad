#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import TerminalUI

/// Counts calls of `countResize`, the stand-in for ncurses' SIGWINCH handler.
nonisolated(unsafe) private var resizeHandlerCalls = 0
private func countResize(_: Int32) { resizeHandlerCalls += 1 }

/// The raw bits of a signal's current handler, to compare before and after.
private func handlerBits(_ number: Int32) -> Int {
    var current = sigaction()
    sigaction(number, nil, &current)
    return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
}

/// Raises `number` in this thread with it unblocked for the moment: test worker threads
/// block most signals, which would leave a raised signal pending instead of delivered.
private func deliver(_ number: Int32) {
    var only = sigset_t(), saved = sigset_t()
    sigemptyset(&only)
    sigaddset(&only, number)
    pthread_sigmask(SIG_UNBLOCK, &only, &saved)
    raise(number)
    pthread_sigmask(SIG_SETMASK, &saved, nil)
}

extension BackendProcessWideTests {
    @Suite("Backend: signals through the self-pipe")
    struct Signals {
        @Test("a raised SIGHUP arrives through the pipe, and uninstall restores the old handler")
        func hangUpThroughPipe() throws {
            let before = handlerBits(SIGHUP)
            let fd = try TerminalSignals.install()
            defer { TerminalSignals.uninstall() }
            #expect(handlerBits(SIGHUP) != before)
            deliver(SIGHUP)
            #expect(InputWaiter.wait(for: [fd], timeoutMilliseconds: 1000) == [fd])
            #expect(TerminalSignals.drain() == [SIGHUP])
            #expect(TerminalSignals.drain() == [])
            #expect(InputWaiter.wait(for: [fd], timeoutMilliseconds: 0).isEmpty)
            TerminalSignals.uninstall()
            #expect(handlerBits(SIGHUP) == before)
            #expect(TerminalSignals.fd == nil)
        }

        @Test("SIGINT and SIGTERM are reported in order and count as termination; SIGPIPE is ignored")
        func terminationSignals() throws {
            try TerminalSignals.install()
            defer { TerminalSignals.uninstall() }
            deliver(SIGTERM)
            deliver(SIGINT)
            deliver(SIGPIPE)  // would kill the test process if it were not ignored
            #expect(TerminalSignals.drain() == [SIGTERM, SIGINT])
            #expect(TerminalSignals.isTermination(SIGINT))
            #expect(TerminalSignals.isTermination(SIGTERM))
            #expect(TerminalSignals.isTermination(SIGHUP))
            #expect(!TerminalSignals.isTermination(SIGWINCH))
        }

        @Test("SIGWINCH wakes the pipe without counting as a signal to end, and reaches the handler installed before")
        func resizeIsChained() throws {
            var mine = sigaction()
            sigemptyset(&mine.sa_mask)
            mine.__sigaction_handler.sa_handler = countResize
            var original = sigaction()
            sigaction(SIGWINCH, &mine, &original)
            defer { sigaction(SIGWINCH, &original, nil) }

            let fd = try TerminalSignals.install()
            defer { TerminalSignals.uninstall() }
            resizeHandlerCalls = 0
            deliver(SIGWINCH)
            #expect(InputWaiter.wait(for: [fd], timeoutMilliseconds: 1000) == [fd])
            #expect(TerminalSignals.drain() == [])
            #expect(resizeHandlerCalls == 1)
            #expect(InputWaiter.wait(for: [fd], timeoutMilliseconds: 0).isEmpty)
            TerminalSignals.uninstall()
            #expect(handlerBits(SIGWINCH) == unsafeBitCast(countResize as @convention(c) (Int32) -> Void, to: Int.self))
        }

        @Test("installing twice keeps one pipe; after uninstall a new install works")
        func installIsIdempotent() throws {
            let first = try TerminalSignals.install()
            #expect(try TerminalSignals.install() == first)
            #expect(TerminalSignals.fd == first)
            TerminalSignals.uninstall()
            TerminalSignals.uninstall()
            #expect(TerminalSignals.drain() == [])
            let second = try TerminalSignals.install()
            deliver(SIGTERM)
            #expect(TerminalSignals.drain() == [SIGTERM])
            TerminalSignals.uninstall()
            _ = second
        }
    }
}
