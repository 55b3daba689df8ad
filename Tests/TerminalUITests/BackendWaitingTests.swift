#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import TerminalUI

@Suite("Backend: waiting for input and wake-ups")
struct BackendWaitingTests {
    @Test("InputWaiter returns the pipe that has a byte, and nothing on timeout")
    func waiter() throws {
        let quiet = try SelfPipe(), busy = try SelfPipe()
        defer { quiet.closeBoth(); busy.closeBoth() }
        #expect(InputWaiter.wait(for: [quiet.readFD, busy.readFD], timeoutMilliseconds: 5).isEmpty)
        busy.post(7)
        #expect(InputWaiter.wait(for: [quiet.readFD, busy.readFD], timeoutMilliseconds: 1000) == [busy.readFD])
        #expect(busy.drain() == [7])
        #expect(InputWaiter.wait(for: [quiet.readFD, busy.readFD], timeoutMilliseconds: 0).isEmpty)
    }

    @Test("InputWaiter reports a closed writer (end of file) instead of waiting on it")
    func hangUp() throws {
        let pipe = try SelfPipe()
        close(pipe.writeFD)
        defer { close(pipe.readFD) }
        #expect(InputWaiter.wait(for: [pipe.readFD], timeoutMilliseconds: 1000) == [pipe.readFD])
    }

    @Test("InputWaiter ignores negative descriptors and accepts none at all")
    func nothingToWaitFor() {
        #expect(InputWaiter.wait(for: [-1], timeoutMilliseconds: 1).isEmpty)
        #expect(InputWaiter.wait(for: [], timeoutMilliseconds: 1).isEmpty)
    }

    @Test("Wakeup: signal makes fd readable, drain empties it")
    func wakeupRoundTrip() throws {
        let wakeup = try Wakeup()
        #expect(InputWaiter.wait(for: [wakeup.fd], timeoutMilliseconds: 0).isEmpty)
        wakeup.signal()
        wakeup.signal()
        #expect(InputWaiter.wait(for: [wakeup.fd], timeoutMilliseconds: 1000) == [wakeup.fd])
        #expect(wakeup.drain() == 2)
        #expect(InputWaiter.wait(for: [wakeup.fd], timeoutMilliseconds: 0).isEmpty)
        #expect(wakeup.drain() == 0)
    }

    @Test("Wakeup can be signalled from many tasks, even past the pipe's capacity")
    func wakeupFromTasks() async throws {
        let wakeup = try Wakeup()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<20_000 { wakeup.signal() } }
            }
        }
        #expect(InputWaiter.wait(for: [wakeup.fd], timeoutMilliseconds: 1000) == [wakeup.fd])
        #expect(wakeup.drain() > 0)
        #expect(InputWaiter.wait(for: [wakeup.fd], timeoutMilliseconds: 0).isEmpty)
    }
}
