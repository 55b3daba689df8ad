import SIP

/// Where a response goes, from its top Via (RFC 3261 §18.2.2, RFC 3581 §4).
enum ResponseRoute {
    /// The destination of a response whose top Via is `via`:
    /// - unreliable transport with `maddr`: the maddr, at the sent-by port (default 5060);
    /// - with `received`: that address, at `rport` for unreliable transports when it has a
    ///   value, else at the sent-by port;
    /// - otherwise the sent-by host and port (the host may be a name).
    static func destination(for via: Via) -> SIPEndpoint {
        let token = via.transport.uppercased()
        let reliable = token != "UDP"
        let sentByPort = Int(via.port ?? (token == "TLS" ? 5061 : 5060))
        if !reliable, let maddr = via.maddr {
            return SIPEndpoint(host: maddr, port: sentByPort)
        }
        if let received = via.received {
            if !reliable, let rport = via.rport { return SIPEndpoint(host: received, port: Int(rport)) }
            return SIPEndpoint(host: received, port: sentByPort)
        }
        return SIPEndpoint(host: via.host, port: sentByPort)
    }

    /// The destination of a response, from its headers; nil without a readable top Via.
    static func destination(for headers: SIPHeaders) -> SIPEndpoint? {
        guard let via = try? headers.topVia else { return nil }
        return destination(for: via)
    }
}
