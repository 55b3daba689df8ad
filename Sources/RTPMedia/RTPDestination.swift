import NIOCore

/// Turns the host and port of an SDP `c=`/`m=` line into a socket address for a local socket.
enum RTPDestination {
    /// The address to send to, or `nil` when the remote asks for nothing to be sent: port 0, or
    /// the unspecified address `0.0.0.0` that RFC 2543 used for hold.
    ///
    /// An IPv4 destination for an IPv6 socket becomes a v4-mapped address. A host name is
    /// resolved with the system resolver, which blocks; SDP normally carries literals.
    static func resolve(host: String, port: Int, local: SocketAddress?) throws(RTPSessionError) -> SocketAddress? {
        guard port != 0 else { return nil }
        guard (1...65535).contains(port) else { throw .invalidRemote(host: host, port: port, reason: "port out of range") }
        var literal = host
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if literal == "0.0.0.0" || literal == "::" { return nil }

        var address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: literal, port: port)
        } catch {
            do {
                address = try SocketAddress.makeAddressResolvingHost(literal, port: port)
            } catch {
                throw .invalidRemote(host: host, port: port, reason: "cannot resolve host: \(error)")
            }
        }
        switch (local, address) {
        case (.v6?, .v4(let v4)):
            let mapped = "::ffff:" + v4.host
            guard let ipv6 = try? SocketAddress(ipAddress: mapped, port: port) else {
                throw .invalidRemote(host: host, port: port, reason: "cannot map to IPv6")
            }
            address = ipv6
        case (.v4?, .v6):
            throw .invalidRemote(host: host, port: port, reason: "IPv6 destination for an IPv4 socket")
        default:
            break
        }
        return address
    }
}
