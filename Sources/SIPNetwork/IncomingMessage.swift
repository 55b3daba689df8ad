import SIP

/// A message received by a `SIPTransport`.
public struct IncomingMessage: Sendable {
    /// The parsed message. For requests, the top Via already carries `received` and
    /// `rport` as RFC 3261 §18.2.1 and RFC 3581 require.
    public var message: SIPMessage
    /// The transport it arrived on.
    public var transport: SIPTransportKind
    /// The packet's source address.
    public var remote: SIPEndpoint
    /// The local address it arrived at.
    public var local: SIPEndpoint
    /// For TCP, the connection it arrived on (pass it back to reply on the same connection).
    public var connection: SIPConnectionID?

    /// Creates a received message record.
    public init(message: SIPMessage, transport: SIPTransportKind, remote: SIPEndpoint, local: SIPEndpoint,
                connection: SIPConnectionID? = nil) {
        self.message = message
        self.transport = transport
        self.remote = remote
        self.local = local
        self.connection = connection
    }

    /// Where it came from, as a hop to answer or send back to.
    public var source: SIPHop {
        SIPHop(transport: transport, host: remote.host, port: remote.port, connection: connection)
    }
}
