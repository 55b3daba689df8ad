import SIP

/// Tunables of a `SIPTransport`.
public struct SIPTransportConfiguration: Sendable {
    /// How long a TCP connect may take before it fails.
    public var connectTimeout: Duration
    /// TCP and TLS connections with no traffic in either direction for this long are closed;
    /// nil keeps them open until the peer or `close()` ends them.
    public var idleTimeout: Duration?
    /// The largest message accepted on a TCP connection (head plus body).
    public var maximumMessageSize: Int
    /// When port 0 is asked, how many times to look for a port free for both UDP and TCP.
    public var portAttempts: Int
    /// The UDP socket's receive buffer (`SO_RCVBUF`; the kernel may cap it at `net.core.rmem_max`).
    public var receiveBufferBytes: Int
    /// Sees every message sent and received, whole (`--trace-sip`); nil: no tracing, no cost.
    public var trace: SIPTracer?
    /// Whom TLS connections trust (the system's store by default).
    public var tls: SIPTLSConfiguration

    /// Creates a configuration.
    public init(connectTimeout: Duration = .seconds(5), idleTimeout: Duration? = .seconds(300),
                maximumMessageSize: Int = SIPParser.defaultMaximumMessageSize, portAttempts: Int = 10,
                receiveBufferBytes: Int = 1 << 20, trace: SIPTracer? = nil,
                tls: SIPTLSConfiguration = SIPTLSConfiguration()) {
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maximumMessageSize = maximumMessageSize
        self.portAttempts = max(1, portAttempts)
        self.receiveBufferBytes = receiveBufferBytes
        self.trace = trace
    }
}
