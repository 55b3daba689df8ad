import NIOCore

/// A transport address: an IP address (or, for sending, a host name) and a port.
///
/// IP literals are normalised (IPv6 brackets removed, canonical text form), so endpoints
/// built from strings and from received packets compare equal.
public struct SIPEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The IP address (IPv6 without brackets) or a host name.
    public var host: String
    /// The port.
    public var port: Int

    /// Creates an endpoint; `[v6]` brackets are removed and IP literals normalised.
    public init(host: String, port: Int) {
        var h = host
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if let address = try? SocketAddress(ipAddress: h, port: 0), let ip = address.ipAddress { h = ip }
        self.host = h
        self.port = port
    }

    /// The endpoint of an IPv4 or IPv6 socket address; nil for Unix-domain addresses.
    init?(_ address: SocketAddress?) {
        guard let address, let ip = address.ipAddress, let port = address.port else { return nil }
        self.host = ip
        self.port = port
    }

    /// Whether `host` is an IP literal rather than a name.
    public var isIPAddress: Bool { (try? SocketAddress(ipAddress: host, port: 0)) != nil }

    /// `host:port`, with brackets around IPv6 addresses.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The socket address; host names are resolved with the system resolver (blocking).
    func socketAddress() throws -> SocketAddress {
        if let address = try? SocketAddress(ipAddress: host, port: port) { return address }
        do {
            return try SocketAddress.makeAddressResolvingHost(host, port: port)
        } catch {
            throw SIPTransportError.invalidAddress("\(self): \(error)")
        }
    }
}
