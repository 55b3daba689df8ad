#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The few POSIX socket calls an ``RTPSession`` makes itself.
///
/// SwiftNIO closes a datagram channel when a send fails with anything but `EMSGSIZE` or
/// `EHOSTUNREACH`. For a call that would be fatal: one `ENETUNREACH` while the network changes,
/// or an `EPERM` from a firewall, and the socket is gone, receiving included. So the session lets
/// NIO receive on the socket and sends on a duplicate of its descriptor with `sendto`, where a
/// failed send is just a counted, dropped packet.
enum UDPSocket {
    /// A failed socket call and its `errno` text.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A new UDP socket bound to `address`, with close-on-exec set.
    static func makeBound(to address: SocketAddress) throws(Failure) -> CInt {
        #if canImport(Darwin)
        let type = SOCK_DGRAM
        #else
        let type = CInt(SOCK_DGRAM.rawValue)
        #endif
        let descriptor = socket(address.protocol.rawValue, type, 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errorText())") }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let result = address.withSockAddr { pointer, length in
            bind(descriptor, pointer, socklen_t(length))
        }
        guard result == 0 else {
            let text = errorText()
            _ = close(descriptor)
            throw Failure(description: "bind \(address): \(text)")
        }
        return descriptor
    }

    /// The local port `descriptor` is bound to.
    static func localPort(of descriptor: CInt) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        let family = CInt(storage.ss_family)
        return withUnsafePointer(to: storage) { pointer -> Int? in
            switch family {
            case AF_INET:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                nil
            }
        }
    }

    /// A second descriptor for the same socket, with close-on-exec set.
    static func duplicate(_ descriptor: CInt) throws(Failure) -> CInt {
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw Failure(description: "dup: \(errorText())") }
        return copy
    }

    /// Sends one datagram without blocking; returns the error text if the kernel refused it.
    static func send(_ bytes: [UInt8], on descriptor: CInt, to address: SocketAddress) -> String? {
        let sent = bytes.withUnsafeBytes { buffer in
            address.withSockAddr { pointer, length in
                sendto(descriptor, buffer.baseAddress, buffer.count, CInt(MSG_DONTWAIT), pointer, socklen_t(length))
            }
        }
        return sent < 0 ? errorText() : nil
    }

    /// Closes a descriptor this type handed out.
    static func release(_ descriptor: CInt) {
        _ = close(descriptor)
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
