import SIP
import Timekeeping

/// The registration of the line's contact with the registrar (RFC 3261 §10), as a machine of
/// its own (libre's `sipreg`): login and logout, responses and failures of its REGISTERs, and
/// its two timers come in; REGISTERs to send, timers and `RegistrationState` reports go out.
/// No clock: the caller fires the timers. Digest challenges are answered by the agent, which
/// hands the authenticated copy back as `resend` (the machine numbers and tracks it).
///
/// Behind a NAT (SPEC section 8): while registered it sends keep-alives to the registrar's
/// hop (RFC 5626 §4.4.1), and when a 2xx's top Via shows another address than our Contact
/// (RFC 3581 `received`/`rport`), it registers that address at once, removing the old
/// binding in the same REGISTER; later Contacts of dialogs carry it too.
struct Registration: Sendable {
    enum Phase: Sendable, Equatable {
        case idle
        case registering
        case registered
        case unregistering
        case failed
    }

    /// The machine's timers.
    enum Timer: Hashable, Sendable {
        /// Refresh the binding before it expires.
        case refresh
        /// Try again after a failure.
        case retry
        /// Send the next keep-alive.
        case keepAlive
        /// The REGISTER to one of several located servers went unanswered: try the next.
        case failover
    }

    /// What reaches the machine.
    enum Input: Sendable {
        /// The agent logs in: register (again).
        case register
        /// The agent logs out: remove the binding.
        case unregister
        /// A final or provisional response to one of our REGISTERs.
        case response(SIPResponse, TransactionKey)
        /// A REGISTER got no response: timeout or transport failure.
        case failed(TransactionKey, reason: String)
        case timerFired(Timer)
        /// The current REGISTER again, with credentials for a challenge: the next CSeq, a new branch.
        case resend(SIPRequest)
        /// The servers located for the registrar (RFC 3263), in order; empty with why when none.
        case targets([SIPHop], failure: String?)
    }

    typealias Output = MachineOutput<Timer>

    /// One Call-ID for every REGISTER of this agent (§10.2).
    var callID: String
    var sequence: UInt32 = 0
    private(set) var phase: Phase = .idle
    /// Whether the agent wants the line registered (logged in).
    private(set) var wanted = false
    /// The REGISTER whose answer counts; answers to older ones are ignored.
    private(set) var current: TransactionKey?
    /// The lifetime to ask for (raised by 423 Interval Too Brief).
    private(set) var expires: UInt32 = 600
    /// The next wait after a failure.
    private(set) var retryDelay: Duration = .zero
    /// The Contact of the REGISTER on its way, and the one the registrar last accepted (to
    /// remove when our address changes).
    private(set) var pendingContact: String?
    private(set) var boundContact: String?
    /// Registrations in a row that moved to a newly learned address (bounded, so a registrar
    /// that reports a new address every time cannot keep us registering forever).
    private var relearned = 0
    /// Waiting for the driver to locate the registrar's servers (`locate` went out).
    private(set) var locating = false

    init(callID: String) { self.callID = callID }

    /// Whether a REGISTER is on its way (on quit, the driver waits for logout's answer).
    var isPending: Bool { current != nil }

    /// Whether a response or failure of this transaction is the one that counts.
    func owns(_ key: TransactionKey) -> Bool { key == current }

    mutating func handle(_ input: Input, _ context: inout AgentContext) -> [Output] {
        var out: [Output] = []
        switch input {
        case .register: register(&context, &out)
        case .unregister: unregister(&context, &out)
        case .response(let response, let key): received(response, key: key, &context, &out)
        case .failed(let key, let reason): failed(key: key, reason: reason, failover: true, &context, &out)
        case .timerFired(let timer): timerFired(timer, &context, &out)
        case .resend(let request): resend(request, &context, &out)
        case .targets(let hops, let failure): located(hops, failure: failure, &context, &out)
        }
        return out
    }

    private mutating func register(_ context: inout AgentContext, _ out: inout [Output]) {
        wanted = true
        guard context.configuration.registrar != nil else {
            out.append(.report(.registration(.listening)))
            return
        }
        expires = context.configuration.registerExpires
        retryDelay = context.configuration.retryDelay
        out.append(.report(.registration(.registering)))
        beginRound(&context, &out)
    }

    /// A round of attempts: locate the servers afresh (when the driver does that) and start at
    /// the first, else send to the URI's host as written.
    private mutating func beginRound(_ context: inout AgentContext, _ out: inout [Output]) {
        context.targetIndex = 0
        if context.configuration.locatesServers, let uri = context.configuration.serverURI {
            phase = .registering
            locating = true
            out.append(.locate(uri))
            return
        }
        send(expires: expires, &context, &out)
    }

    /// The driver located the servers: register at the first (or fail when there are none).
    private mutating func located(_ hops: [SIPHop], failure: String?, _ context: inout AgentContext,
                                  _ out: inout [Output]) {
        guard locating else { return }
        locating = false
        guard wanted, phase == .registering else { return }
        context.targets = hops
        context.targetIndex = 0
        guard !hops.isEmpty else {
            // The status bar says it short; the Log says what was asked and what failed.
            let uri = context.configuration.serverURI.map { "\($0)" } ?? "the registrar"
            out.append(.report(.note("no server found for \(uri): \(failure ?? "no records")")))
            failed(key: nil, reason: "no server found for \(uri)", failover: false, &context, &out)
            return
        }
        send(expires: expires, &context, &out)
    }

    private mutating func unregister(_ context: inout AgentContext, _ out: inout [Output]) {
        wanted = false
        out.append(.cancelTimer(.refresh))
        out.append(.cancelTimer(.retry))
        out.append(.cancelTimer(.keepAlive))
        out.append(.cancelTimer(.failover))
        if locating {
            // Nothing was sent this round: there is no binding to remove.
            locating = false
            current = nil
            phase = .idle
            out.append(.report(.registration(.unregistered)))
            return
        }
        switch phase {
        case .registered, .registering:
            phase = .unregistering
            send(expires: 0, &context, &out)
        case .idle, .failed, .unregistering:
            current = nil
            phase = .idle
            out.append(.report(.registration(.unregistered)))
        }
    }

    /// Sends a REGISTER for our contact with `expires` (0 removes the binding).
    private mutating func send(expires: UInt32, _ context: inout AgentContext, _ out: inout [Output]) {
        let configuration = context.configuration
        guard let registrar = configuration.registrar, let hop = context.serverHop else { return }
        if expires > 0 { phase = .registering }
        sequence += 1
        let uri = Self.requestURI(configuration, registrar: registrar)
        var request = context.makeRequest(.register, uri: uri, to: NameAddress(uri: configuration.addressOfRecord).description,
                                          from: context.tagged(configuration.addressOfRecord), callID: callID,
                                          sequence: sequence, transport: hop.transport,
                                          routes: context.outboundRoutes(to: uri))
        let contact = context.contact(hop.transport)
        request.headers.add("Contact", contact + ";expires=\(expires)")
        if expires > 0, let old = boundContact, old != contact {
            request.headers.add("Contact", old + ";expires=0")  // the binding of our old address
        }
        pendingContact = contact
        request.headers.add("Expires", String(expires))
        context.addCredentials(&request, header: "Authorization")
        current = try? TransactionKey.client(sending: request)
        out.append(.send(request, to: hop))
        armFailover(expires: expires, context, &out)
    }

    /// With another located server to try, a REGISTER may go unanswered only `failoverTimeout`
    /// (not the 32 s of Timer F) before the next is tried.
    private func armFailover(expires: UInt32, _ context: AgentContext, _ out: inout [Output]) {
        guard expires > 0, context.targetIndex + 1 < context.targets.count else { return }
        out.append(.startTimer(.failover, after: context.configuration.failoverTimeout))
    }

    /// The REGISTER at the current target failed (`reason`): try the next located server at
    /// once. False when there is none left (the round has failed).
    private mutating func failOver(_ reason: String, _ context: inout AgentContext, _ out: inout [Output]) -> Bool {
        guard wanted, phase != .unregistering, context.targetIndex + 1 < context.targets.count else { return false }
        let from = context.targets[context.targetIndex]
        context.targetIndex += 1
        let to = context.targets[context.targetIndex]
        out.append(.report(.note("registration at \(from) failed: \(reason); trying \(to) "
            + "(server \(context.targetIndex + 1) of \(context.targets.count))")))
        current = nil
        send(expires: expires, &context, &out)
        return true
    }

    private mutating func resend(_ request: SIPRequest, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let hop = context.serverHop else { return }
        var request = request
        sequence += 1
        request.headers.set("CSeq", CSeq(sequence, request.method).description)
        request.headers.set("Via", context.via(hop.transport))
        current = try? TransactionKey.client(sending: request)
        out.append(.send(request, to: hop))
        if phase == .registering { armFailover(expires: expires, context, &out) }
    }

    private mutating func received(_ response: SIPResponse, key: TransactionKey, _ context: inout AgentContext,
                                   _ out: inout [Output]) {
        guard key == current, response.statusCode >= 200 else { return }
        current = nil
        out.append(.cancelTimer(.failover))
        let removing = phase == .unregistering
        let configuration = context.configuration
        switch response.statusCode {
        case 200..<300:
            context.authenticator?.succeeded()
            if removing || !wanted {
                phase = .idle
                boundContact = nil
                out.append(.cancelTimer(.keepAlive))
                out.append(.report(.registration(.unregistered)))
                if wanted { register(&context, &out) }
                return
            }
            boundContact = pendingContact
            if let hop = context.serverHop, relearned < 2,
               let seen = Self.observedAddress(response, hop: hop, local: configuration.local),
               seen != context.learnedAddress {
                // The registrar reaches us elsewhere (a NAT): register that address now.
                relearned += 1
                context.learnedAddress = seen
                let address = (seen ?? configuration.local).hostPort
                out.append(.report(.note("the registrar sees the line at \(address): registering that address")))
                send(expires: expires, &context, &out)
                return
            }
            relearned = 0
            let granted = grantedExpiry(response, context) ?? expires
            phase = .registered
            retryDelay = configuration.retryDelay
            if context.targets.count > 1 {
                out.append(.report(.note("registered at \(context.targets[context.targetIndex])")))
            }
            out.append(.report(.registration(.registered)))
            out.append(.startTimer(.refresh, after: Self.refreshDelay(granted)))
            if let interval = configuration.keepAliveInterval {
                out.append(.startTimer(.keepAlive, after: interval))
            }
        case 423 where !removing:
            let minimum = response.headers.first(HeaderName("Min-Expires")).flatMap { UInt32($0.trimmed) }
            if let minimum, minimum > expires {
                expires = minimum
                send(expires: minimum, &context, &out)
            } else {
                failed(key: nil, reason: "423 Interval Too Brief without a usable Min-Expires", failover: false,
                       &context, &out)
            }
        default:
            var reason = "\(response.statusCode) \(response.reasonPhrase)"
            if response.statusCode == 401 || response.statusCode == 407 || response.statusCode == 403 {
                reason += configuration.credentials == nil ? " (no password configured)" : " (wrong user name or password?)"
            }
            if removing {
                phase = .idle
                out.append(.report(.note("de-registration answered \(reason)")))
                out.append(.report(.registration(.unregistered)))
            } else {
                // 503: this server is out of service; another located one may not be (RFC 3263 §4.3).
                failed(key: nil, reason: reason, failover: response.statusCode == 503, &context, &out)
            }
        }
    }

    /// The registrar did not answer, refused, or could not be reached: with `failover`, try
    /// the next located server at once; else (or after the last) say why, try again later.
    /// `key` nil: already known to be the current one (a response), or no transaction at all
    /// (the servers could not be located).
    private mutating func failed(key: TransactionKey?, reason: String, failover: Bool, _ context: inout AgentContext,
                                 _ out: inout [Output]) {
        if let key { guard key == current else { return } }
        current = nil
        out.append(.cancelTimer(.failover))
        if failover, failOver(reason, &context, &out) { return }
        if phase == .unregistering || !wanted {
            phase = .idle
            out.append(.report(.registration(.unregistered)))
            return
        }
        phase = .failed
        relearned = 0
        out.append(.cancelTimer(.keepAlive))
        out.append(.report(.registration(.failed(reason: reason))))
        let delay = retryDelay
        out.append(.report(.note("registration failed: \(reason); trying again in \(delay.wholeSeconds) s")))
        out.append(.startTimer(.retry, after: delay))
        retryDelay = min(delay * 2, context.configuration.maximumRetryDelay)
    }

    private mutating func timerFired(_ timer: Timer, _ context: inout AgentContext, _ out: inout [Output]) {
        switch timer {
        case .keepAlive:
            // While the registrar holds our binding (a refresh on its way included).
            guard wanted, boundContact != nil, phase == .registered || phase == .registering,
                  let hop = context.serverHop,
                  let interval = context.configuration.keepAliveInterval else { return }
            out.append(.keepAlive(hop))
            out.append(.startTimer(.keepAlive, after: interval))
        case .refresh:
            guard wanted, current == nil, !locating else { return }
            send(expires: expires, &context, &out)
        case .retry:
            guard wanted, current == nil, !locating else { return }
            beginRound(&context, &out)
        case .failover:
            guard let key = current, phase == .registering else { return }
            let hop = context.targets.indices.contains(context.targetIndex) ? "\(context.targets[context.targetIndex])" : "the server"
            // The abandoned transaction runs out on its own; its answer no longer counts.
            failed(key: key, reason: "no answer from \(hop) in \(context.configuration.failoverTimeout.wholeSeconds) s",
                   failover: true, &context, &out)
        }
    }

    /// The lifetime the registrar granted our contact: its `expires` parameter, else Expires.
    private func grantedExpiry(_ response: SIPResponse, _ context: AgentContext) -> UInt32? {
        let ours = (try? response.headers.contacts) ?? []
        let address = context.contactAddress
        if let mine = ours.first(where: { $0.uri.user == context.configuration.user && $0.uri.host == address.host
                                             && Int($0.uri.port ?? 5060) == address.port }),
           let expires = mine.expires {
            return expires
        }
        return (try? response.headers.expires) ?? nil
    }

    /// The REGISTER's Request-URI: the domain of the address of record (`sip.domain`), else
    /// the registrar's URI, without user and parameters (RFC 3261 §10.2).
    static func requestURI(_ configuration: LineAgentConfiguration, registrar: SIPURI) -> SIPURI {
        var uri = registrar
        uri.parameters = SIPParameters()
        uri.user = nil
        if let domain = configuration.domainOverride, let named = SIPURI(string: "\(registrar.scheme):\(domain)") {
            uri = named
        }
        return uri
    }

    /// The address a 2xx's top Via says the registrar saw (RFC 3581): `received` (else the
    /// sent-by host) and `rport`. Nil when it is the listening address, or on a connection
    /// without NAT on the way (no `received`): the connection itself carries calls then.
    /// `.some(nil)`: we are reached at the listening address (a NAT that went away).
    static func observedAddress(_ response: SIPResponse, hop: SIPHop, local: SIPHop) -> SIPHop?? {
        guard let via = try? response.headers.topVia, via.received != nil || via.rport != nil else { return nil }
        if hop.transport != .udp, via.received == nil { return .some(nil) }
        let seen = SIPHop(transport: hop.transport, host: via.received ?? via.host,
                          port: Int(via.rport ?? via.port ?? UInt16(local.port)))
        if seen.host == local.host, seen.port == local.port { return .some(nil) }
        return .some(seen)
    }

    /// Refresh well before expiry: halfway for short lifetimes, a minute early for long ones.
    static func refreshDelay(_ expires: UInt32) -> Duration {
        let early = min(60, Int(expires) / 2)
        return .seconds(max(1, Int(expires) - early))
    }
}
