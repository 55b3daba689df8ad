/// The transport protocol a message travels on.
public enum SIPTransportKind: String, Sendable, Hashable, CaseIterable {
    /// Datagrams (RFC 3261 §18.1.1 / §18.2.1).
    case udp
    /// A byte stream framed by Content-Length (RFC 3261 §18.3).
    case tcp
    /// The same byte stream inside TLS (RFC 3261 §26.2; the line opens client connections only).
    case tls

    /// The transport token used in Via headers: `UDP`, `TCP` or `TLS`.
    public var viaToken: String { rawValue.uppercased() }

    /// Whether messages travel on a connection (TCP, TLS): responses go back on the
    /// connection the request came on (RFC 3261 §18.2.2).
    public var isReliable: Bool { self != .udp }

    /// The port a URI without one means: 5061 for TLS, else 5060 (RFC 3261 §19.1.2).
    public var defaultPort: Int { self == .tls ? 5061 : 5060 }

    /// The transport a Via token or a `transport=` URI parameter names; nil for others (SCTP, WS).
    public init?(token: String) {
        switch token.lowercased() {
        case "udp": self = .udp
        case "tcp": self = .tcp
        case "tls": self = .tls
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
    /// host, the `transport` parameter (UDP by default; TLS for `sips:`), the port (5061 for
    /// TLS, else 5060, by default). Nil for URIs that are not SIP, for unknown transports, and
    /// for a `sips:` URI over UDP (RFC 3261 §26.2.2 wants TLS all the way; `sips:…;transport=tcp`
    /// is TLS).
    public init?(uri: SIPURI) {
        guard uri.isSIP else { return nil }
        var transport: SIPTransportKind
        if let name = uri.transport {
            guard let named = SIPTransportKind(token: name) else { return nil }
            transport = named
        } else {
            transport = uri.scheme == "sips" ? .tls : .udp
        }
        // `sips:…;transport=tcp` is RFC 3261's own way to write TLS over TCP (§19.1.2).
        if uri.scheme == "sips", transport == .tcp { transport = .tls }
        if uri.scheme == "sips", transport != .tls { return nil }
        self.init(transport: transport, host: uri.maddr ?? uri.host, port: Int(uri.port ?? UInt16(transport.defaultPort)))
    }
}

extension SIPTransportKind {
    /// Whether messages travel on a connection (TCP, TLS), not as datagrams.
    public var isStream: Bool { self != .udp }
}
