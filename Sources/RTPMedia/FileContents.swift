#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files with POSIX calls, reporting failures by `errno`.
enum FileContents {
    /// A failed system call and its `errno` text.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The largest file read: ten minutes of 48 kHz stereo 32-bit PCM is about 230 MB.
    static let maximumSize = 256 * 1024 * 1024

    /// The contents of the regular file at `path`.
    static func contents(ofFile path: String) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Failure(description: errorText()) }
        defer { _ = close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Failure(description: errorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Failure(description: "not a regular file") }
        guard Int(info.st_size) <= maximumSize else {
            throw Failure(description: "larger than \(maximumSize / 1024 / 1024) MB")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(description: errorText())
            }
            guard bytes.count + count <= maximumSize else {
                throw Failure(description: "larger than \(maximumSize / 1024 / 1024) MB")
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
