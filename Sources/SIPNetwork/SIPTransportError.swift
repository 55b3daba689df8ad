/// Why a transport operation failed.
public enum SIPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The transport has been closed.
    case closed
    /// The listening sockets could not be bound.
    case bindFailed(String)
    /// A destination could not be turned into a socket address.
    case invalidAddress(String)
    /// A TCP connection could not be established (refused, unreachable, timed out).
    case connectFailed(SIPEndpoint, String)
    /// Writing to the network failed.
    case sendFailed(String)
    /// A response has no usable top Via to route it by.
    case noRoute(String)
    /// A TLS connection to `host` failed: the reason in words ("certificate for
    /// pbx.example.com not trusted (self-signed)", "… does not match host name …").
    case tls(host: String, reason: String)

    public var description: String {
        switch self {
        case .closed: "transport closed"
        case .bindFailed(let why): "bind failed: \(why)"
        case .invalidAddress(let why): "invalid address: \(why)"
        case .connectFailed(let to, let why): "cannot connect to \(to): \(why)"
        case .sendFailed(let why): "send failed: \(why)"
        case .noRoute(let why): "no route for response: \(why)"
        case .tls(_, let reason): "TLS: \(reason)"
        }
    }
}
