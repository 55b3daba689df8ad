/// The transport protocol a message travels on.
public enum SIPTransportKind: String, Sendable, Hashable, CaseIterable {
    /// Datagrams (RFC 3261 §18.1.1 / §18.2.1).
    case udp
    /// A byte stream framed by Content-Length (RFC 3261 §18.3).
    case tcp

    /// The transport token used in Via headers: `UDP` or `TCP`.
    public var viaToken: String { rawValue.uppercased() }

    /// The transport a Via token or a `transport=` URI parameter names; nil for others (TLS, SCTP, WS).
    public init?(token: String) {
        switch token.lowercased() {
        case "udp": self = .udp
        case "tcp": self = .tcp
        default: return nil
        }
    }
}

/// Identifies one TCP connection of a transport, for replying on the connection a request
/// arrived on. Opaque; unique for the lifetime of the transport.
public struct SIPConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "conn#\(rawValue)" }
}

/// Where a message goes or came from: transport, host (an IP literal or a name) and port,
/// and for TCP the connection to prefer.
public struct SIPHop: Hashable, Sendable, CustomStringConvertible {
    public var transport: SIPTransportKind
    /// An IP address (IPv6 without brackets) or a host name.
    public var host: String
    public var port: Int
    /// For TCP: the connection to use when it is still open.
    public var connection: SIPConnectionID?

    public init(transport: SIPTransportKind, host: String, port: Int, connection: SIPConnectionID? = nil) {
        self.transport = transport
        var h = host
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        self.host = h
        self.port = port
        self.connection = connection
    }

    /// `host:port` (IPv6 in brackets) and the transport.
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    public var description: String { "\(transport.viaToken) \(hostPort)" }

    /// The next hop for a request to `uri` (RFC 3263 without DNS records): the `maddr` or
    /// host, the port (5060 by default), the `transport` parameter (UDP by default).
    /// Nil for URIs that are not `sip:` (a `sips:` URI needs TLS, which is not supported).
    public init?(uri: SIPURI) {
        guard uri.isSIP, uri.scheme == "sip" else { return nil }
        let transport = uri.transport.map { SIPTransportKind(token: $0) } ?? .udp
        guard let transport else { return nil }
        self.init(transport: transport, host: uri.maddr ?? uri.host, port: Int(uri.port ?? 5060))
    }
}

extension SIPTransportKind {
    /// Whether messages travel on a connection (TCP, TLS), not as datagrams.
    public var isStream: Bool { self != .udp }
}
