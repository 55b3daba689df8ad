/// The transaction timers of RFC 3261 §17, named as in the RFC (Timer C belongs to proxies
/// and is not used by these transactions).
public enum TransactionTimer: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// INVITE request retransmission (client, unreliable transports).
    case A
    /// INVITE transaction timeout (client).
    case B
    /// Wait for response retransmissions after a non-2xx final response (client INVITE).
    case D
    /// Non-INVITE request retransmission (client, unreliable transports).
    case E
    /// Non-INVITE transaction timeout (client).
    case F
    /// INVITE final response retransmission (server, unreliable transports).
    case G
    /// Wait for the ACK (server INVITE).
    case H
    /// Wait for ACK retransmissions (server INVITE).
    case I
    /// Wait for request retransmissions (server non-INVITE).
    case J
    /// Wait for response retransmissions (client non-INVITE).
    case K

    public var description: String { "Timer " + rawValue }
}
