import SIP
import SIPAuth

/// What every machine of the user agent shares: the line's configuration, its one random
/// source (tags, branches, Call-IDs), the client nonces of digest answers, and the digest
/// authenticator (the nonce each realm gave us). A value: each machine step takes it `inout`,
/// so copying the agent copies all of it and a seed repeats every message.
struct AgentContext: Sendable {
    let configuration: LineAgentConfiguration
    var random: SIPRandom
    /// Client nonces for digest answers.
    var nonces: SIPRandom
    var authenticator: DigestAuthenticator?
    /// The address the registrar saw our REGISTER come from (RFC 3581 `received`/`rport`)
    /// when it is not the listening address: a NAT's public side. Contacts carry it.
    var learnedAddress: SIPHop?
    /// SDES master keys for encrypted calls.
    var keys: SRTPKeySource = .system
    /// The registrar's (or outbound proxy's) servers as located by the driver (RFC 3263), in
    /// the order to try them; empty: the URI's host as written.
    var targets: [SIPHop] = []
    /// The target registration is using (or succeeded at).
    var targetIndex = 0

    /// Where requests outside a dialog go: the located target registration uses, else the
    /// outbound proxy or registrar as written.
    var serverHop: SIPHop? {
        targets.indices.contains(targetIndex) ? targets[targetIndex] : configuration.outboundProxy
    }

    /// The methods the line accepts.
    static let allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER, INFO, UPDATE, PRACK"
    /// The option tags the line supports: session timers (RFC 4028) and reliable provisionals (RFC 3262).
    static let supported = "timer, 100rel"
    /// The option tags the line accepts in a Require.
    static let understood: Set<String> = ["timer", "100rel"]

    mutating func token(_ length: Int) -> String { random.token(length) }

    /// A first CSeq number for a new dialog (1…100000).
    mutating func random32() -> UInt32 { UInt32(truncatingIfNeeded: random.next() % 100_000) + 1 }

    /// A new top Via for a request we send.
    mutating func via(_ transport: SIPTransportKind) -> String {
        "SIP/2.0/\(transport.viaToken) \(configuration.local.hostPort);branch=\(TransactionKey.magicCookie)\(token(16));rport"
    }

    /// Where peers reach us: the address the registrar saw (behind a NAT), else the listening one.
    var contactAddress: SIPHop { learnedAddress ?? configuration.local }

    /// Our Contact for a transport: `<sip:user@host:port>` (with `;transport=tcp` on TCP,
    /// `;transport=tls` on TLS: the peer reaches us on the connection we opened), at the
    /// learned public address when there is one.
    func contact(_ transport: SIPTransportKind) -> String {
        let suffix = transport == .udp ? "" : ";transport=\(transport.rawValue)"
        return "<sip:\(configuration.user)@\(contactAddress.hostPort)\(suffix)>"
    }

    /// The `Route` of a request outside a dialog to `uri` (RFC 3261 §8.1.2): the configured
    /// outbound proxy as a loose route, unless it is the URI's own host and port.
    func outboundRoutes(to uri: SIPURI) -> [String] {
        guard var proxy = configuration.outboundProxyURI else { return [] }
        let defaultPort: UInt16 = proxy.scheme == "sips" ? 5061 : 5060
        if proxy.host.lowercased() == uri.host.lowercased(),
           proxy.port ?? defaultPort == uri.port ?? (uri.scheme == "sips" ? 5061 : 5060) {
            return []
        }
        proxy.user = nil
        proxy.headers = []
        if !proxy.isLooseRouting { proxy.parameters.set("lr", nil) }
        return [NameAddress(uri: proxy).description]
    }

    /// `"Name" <uri>;tag=…` for our own address with a fresh tag.
    mutating func tagged(_ uri: SIPURI) -> String {
        var address = NameAddress(displayName: configuration.displayName, uri: uri)
        address.parameters.set("tag", token(10))
        return address.description
    }

    /// A request with Via, Max-Forwards, To, From, Call-ID, CSeq and User-Agent.
    mutating func makeRequest(_ method: SIPMethod, uri: SIPURI, to: String, from: String, callID: String,
                              sequence: UInt32, transport: SIPTransportKind, routes: [String] = []) -> SIPRequest {
        var headers = SIPHeaders()
        headers.add("Via", via(transport))
        headers.add("Max-Forwards", "70")
        for route in routes { headers.add("Route", route) }
        headers.add("From", from)
        headers.add("To", to)
        headers.add("Call-ID", callID)
        headers.add("CSeq", CSeq(sequence, method).description)
        headers.add("User-Agent", configuration.product)
        return SIPRequest(method: method, uri: uri, headers: headers)
    }

    /// A response to `request` with our To tag; dialog-creating INVITE responses copy
    /// Record-Route (§12.1.1) and carry our Contact; `capabilities` adds Allow/Accept/Supported.
    func makeResponse(_ request: SIPRequest, status: Int, reason: String? = nil, tag: String?,
                      contactFor transport: SIPTransportKind? = nil, capabilities: Bool = false) -> SIPResponse {
        var response = SIPResponse(replyingTo: request, status: status, reason: reason, toTag: status == 100 ? nil : tag)
        if request.method == .invite, (101..<300).contains(status) {
            for field in request.headers.fields where field.key == .recordRoute { response.headers.fields.append(field) }
        }
        if let transport { response.headers.add("Contact", contact(transport)) }
        if capabilities || status == 405 {
            response.headers.add("Allow", Self.allowed)
            response.headers.add("Accept", "application/sdp")
            response.headers.add("Supported", Self.supported)
        }
        response.headers.add("Server", configuration.product)
        return response
    }

    /// Credentials for a request before any challenge, reusing the nonce the realm gave us
    /// (so a PUBLISH or SUBSCRIBE costs no extra round trip, and logout's removals go out at once).
    mutating func addCredentials(_ request: inout SIPRequest, header: String = "Proxy-Authorization") {
        guard var authenticator,
              let value = authenticator.authorization(method: request.method.rawValue, uri: request.uri.description)
        else { return }
        request.headers.add(header, value)
        self.authenticator = authenticator
    }

    /// Sets an SDP body.
    static func withSDP<M>(_ message: inout M, _ text: String) where M: SDPCarrier {
        message.headers.set("Content-Type", "application/sdp")
        message.body = Array(text.utf8)
    }
}

/// What a machine of the agent (registration, publication, subscriptions) asks for.
enum MachineOutput<Timer: Hashable & Sendable>: Sendable, Equatable {
    /// Send a request in a new client transaction (its key is the request's top Via branch).
    case send(SIPRequest, to: SIPHop)
    case startTimer(Timer, after: Duration)
    case cancelTimer(Timer)
    /// Answer the request that came in (the agent replies on its server transaction).
    case respond(SIPResponse)
    /// Report to the app.
    case report(LineEvent)
    /// Send a keep-alive (RFC 5626 §4.4.1 CRLF) to the hop.
    case keepAlive(SIPHop)
    /// Ask the driver for the servers of this URI (RFC 3263); it answers with `LineInput.targets`.
    case locate(SIPURI)
}

extension LineAgent {
    static var allowed: String { AgentContext.allowed }
    mutating func via(_ transport: SIPTransportKind) -> String { shared.via(transport) }
    func contact(_ transport: SIPTransportKind) -> String { shared.contact(transport) }
    mutating func tagged(_ uri: SIPURI) -> String { shared.tagged(uri) }

    mutating func makeRequest(_ method: SIPMethod, uri: SIPURI, to: String, from: String, callID: String,
                              sequence: UInt32, transport: SIPTransportKind, routes: [String] = []) -> SIPRequest {
        shared.makeRequest(method, uri: uri, to: to, from: from, callID: callID, sequence: sequence,
                            transport: transport, routes: routes)
    }

    func makeResponse(_ request: SIPRequest, status: Int, reason: String? = nil, tag: String?,
                      contactFor transport: SIPTransportKind? = nil, capabilities: Bool = false) -> SIPResponse {
        shared.makeResponse(request, status: status, reason: reason, tag: tag, contactFor: transport,
                             capabilities: capabilities)
    }

    static func withSDP<M>(_ message: inout M, _ text: String) where M: SDPCarrier { AgentContext.withSDP(&message, text) }
}

/// Requests and responses both carry headers and a body.
protocol SDPCarrier {
    var headers: SIPHeaders { get set }
    var body: [UInt8] { get set }
}

extension SIPRequest: SDPCarrier {}
extension SIPResponse: SDPCarrier {}
