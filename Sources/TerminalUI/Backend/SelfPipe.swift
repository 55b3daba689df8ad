#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-blocking, close-on-exec pipe: the plumbing under `Wakeup` and `TerminalSignals`.
/// Writing a byte makes the read end pollable; `drain` empties it.
struct SelfPipe: Sendable {
    let readFD: Int32
    let writeFD: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw TerminalError("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    /// Writes one byte; a full pipe already wakes the reader, so that is not an error.
    func post(_ byte: UInt8) {
        var byte = byte
        while write(writeFD, &byte, 1) < 0, errno == EINTR {}
    }

    /// Reads everything written so far, without blocking.
    func drain() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count > 0 {
                result.append(contentsOf: buffer[0..<count])
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return result  // EAGAIN: empty; 0: writer closed
            }
        }
    }

    func closeBoth() {
        close(readFD)
        close(writeFD)
    }
}
