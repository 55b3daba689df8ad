/// The timer values of RFC 3261 §17 (Table 4), derived from T1, T2 and T4.
///
/// Retransmission timers (A, E, G) exist only on unreliable transports; the wait timers
/// D, I, J and K are zero on reliable transports (TCP, TLS, SCTP, WebSocket).
public struct SIPTimers: Sendable, Hashable {
    /// RTT estimate: the first retransmission interval (default 500 ms).
    public var t1: Duration
    /// The maximum retransmission interval for non-INVITE requests and INVITE responses (default 4 s).
    public var t2: Duration
    /// The longest time a message can stay in the network (default 5 s).
    public var t4: Duration

    /// Creates a configuration; the defaults are those recommended by RFC 3261.
    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// Timer A: the initial INVITE retransmission interval, T1 (unreliable transports only).
    public var a: Duration { t1 }
    /// Timer B: the INVITE transaction timeout, 64·T1.
    public var b: Duration { t1 * 64 }
    /// Timer C: the proxy INVITE transaction timeout; the RFC asks for more than 3 minutes,
    /// this gives 181 s (proxies only, not used by the transactions here).
    public var c: Duration { .seconds(181) }
    /// Timer D: the wait for response retransmissions, 32 s on unreliable transports, 0 on reliable ones.
    public func d(reliable: Bool) -> Duration { reliable ? .zero : .seconds(32) }
    /// Timer E: the initial non-INVITE retransmission interval, T1 (unreliable transports only).
    public var e: Duration { t1 }
    /// Timer F: the non-INVITE transaction timeout, 64·T1.
    public var f: Duration { t1 * 64 }
    /// Timer G: the initial INVITE response retransmission interval, T1 (unreliable transports only).
    public var g: Duration { t1 }
    /// Timer H: the wait for the ACK, 64·T1.
    public var h: Duration { t1 * 64 }
    /// Timer I: the wait for ACK retransmissions, T4 on unreliable transports, 0 on reliable ones.
    public func i(reliable: Bool) -> Duration { reliable ? .zero : t4 }
    /// Timer J: the wait for non-INVITE request retransmissions, 64·T1 on unreliable transports, 0 on reliable ones.
    public func j(reliable: Bool) -> Duration { reliable ? .zero : t1 * 64 }
    /// Timer K: the wait for response retransmissions, T4 on unreliable transports, 0 on reliable ones.
    public func k(reliable: Bool) -> Duration { reliable ? .zero : t4 }

    /// The next Timer E or G interval: double the last one, capped at T2.
    public func backoff(_ interval: Duration) -> Duration { min(interval * 2, t2) }

    /// Whether a Via transport (`UDP`, `TCP`, `TLS`, …) is reliable. Unknown transports count
    /// as unreliable, so that requests and responses are retransmitted on them.
    public static func isReliable(transport: String) -> Bool {
        switch transport.uppercased() {
        case "TCP", "TLS", "SCTP", "TLS-SCTP", "WS", "WSS": true
        default: false
        }
    }
}
