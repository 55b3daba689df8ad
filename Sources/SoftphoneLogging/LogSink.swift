#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags, mode)
    #else
    Darwin.open(path, flags, mode)
    #endif
}

/// Where a `LogWriter` puts formatted records. Called on the writer's thread only, one
/// call at a time; a call may block (a slow disk) — the callers of the log never wait for it.
public protocol LogSink: AnyObject {
    /// Appends the records (each one formatted line or more, ending in a newline).
    func write(_ records: [String]) throws
}

/// Why the log file could not be written.
public struct LogFileError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(description: String) { self.description = description }
}

/// The log file, rotated by size: when the next record would take `softphone.log` past
/// `maxBytes`, it becomes `softphone.log.1` (`.1` becomes `.2`, … up to `.keep`, the
/// oldest is removed) and a new file starts. The directory is created `0700`, the file `0600`.
/// When the file cannot be opened or written, `write` throws and the next call tries again,
/// so logging resumes by itself once space is freed.
public final class RotatingFileSink: LogSink {
    public let path: String
    public let maxBytes: Int
    public let keep: Int
    private var fd: Int32 = -1
    private var size = 0

    public init(path: String, maxBytes: Int = 5 << 20, keep: Int = 3) {
        self.path = path
        self.maxBytes = max(1, maxBytes)
        self.keep = max(0, keep)
    }

    deinit { if fd >= 0 { close(fd) } }

    public func write(_ records: [String]) throws {
        if fd < 0 { try openFile() }
        var chunk: [UInt8] = []
        for record in records {
            let bytes = record.utf8
            if size + chunk.count > 0, size + chunk.count + bytes.count > maxBytes {
                try flush(&chunk)
                try rotate()
            }
            chunk.append(contentsOf: bytes)
        }
        try flush(&chunk)
    }

    private func flush(_ chunk: inout [UInt8]) throws {
        guard !chunk.isEmpty else { return }
        var offset = 0
        try chunk.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let why = String(cString: strerror(errno))
                    // Drop the descriptor: the next write reopens (the file may have been removed).
                    close(fd)
                    fd = -1
                    throw LogFileError(description: "cannot write \(path): \(why)")
                }
                offset += n
            }
        }
        size += chunk.count
        chunk.removeAll(keepingCapacity: true)
    }

    private func openFile() throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw LogFileError(description: "cannot create \(directory): \(Self.reason(error))")
            }
        }
        let opened = systemOpen(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard opened >= 0 else {
            throw LogFileError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        _ = fchmod(opened, 0o600)
        var info = stat()
        size = fstat(opened, &info) == 0 ? Int(info.st_size) : 0
        fd = opened
    }

    private func rotate() throws {
        close(fd)
        fd = -1
        if keep == 0 {
            unlink(path)
        } else {
            unlink("\(path).\(keep)")
            for index in stride(from: keep - 1, through: 1, by: -1) {
                rename("\(path).\(index)", "\(path).\(index + 1)")
            }
            rename(path, "\(path).1")
        }
        try openFile()
    }

    private static func reason(_ error: Error) -> String {
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}
