import SIP

/// The open internet (SPEC section 8): requests that need no state are answered without any.
/// A refused INVITE (403 from a stranger while registered, 486 beyond `max_calls`) gets its
/// final answer before a transaction or a call leg exists — it never rings, never reaches
/// the core, and its retransmissions get the same answer (same To tag) the same way; its ACK
/// matches nothing and is dropped. Requests outside any known dialog other than INVITE and a
/// CANCEL of a live INVITE (OPTIONS, REGISTER, MESSAGE, SUBSCRIBE, a BYE or NOTIFY for a
/// dialog we do not have) are answered alike: a flood of them costs no transactions, no
/// timers and no Log lines. RFC 3261 §8.2.7 allows a stateless UAS; the peer's client
/// transaction retransmits until it hears the answer, so a lost answer is answered again.
extension LineAgent {
    /// The addresses INVITEs are taken from while registered with `accept_from = "registrar"`:
    /// where the registrar's 2xx to our REGISTERs came from (which works for a registrar or
    /// proxy given by host name, whatever it resolves to), the registrar's and outbound
    /// proxy's hosts when they are IP addresses…
    var trustedHosts: [String] {
        // …and every server DNS located for the registrar (RFC 3263): after a failover the
        // first one may come back and send calls, and a cluster's servers call from each.
        learnedRegistrarHosts + registrarLiterals + shared.targets.map(\.host).filter(InboundPolicy.isAddressLiteral)
    }

    /// The registrar's and outbound proxy's hosts that are IP addresses (worked out once).
    static func addressLiterals(_ configuration: LineAgentConfiguration) -> [String] {
        [configuration.registrar, configuration.outboundProxyURI].compactMap { $0 }
            .map { $0.maddr ?? $0.host }.filter(InboundPolicy.isAddressLiteral)
    }

    /// Remembers an address the registrar answered from (bounded: the newest few).
    mutating func learnRegistrar(_ host: String) {
        if let index = learnedRegistrarHosts.firstIndex(of: host) { learnedRegistrarHosts.remove(at: index) }
        learnedRegistrarHosts.append(host)
        if learnedRegistrarHosts.count > Self.trustedLimit { learnedRegistrarHosts.removeFirst() }
    }

    /// The policy's answer to an INVITE outside any dialog from `source`, or nil to take it.
    func inboundRefusal(from source: SIPHop) -> InboundRefusalReason? {
        InboundPolicy.refusal(source: source.host, registered: loggedInToRegistrar, acceptFrom: configuration.acceptFrom,
                              trusted: trustedHosts, callsInProgress: sessions.calls.count,
                              maxCalls: configuration.maxCalls)
    }

    /// Answers a new request without a transaction when it needs no state; false when it
    /// is for a server transaction (an INVITE the policy takes, a request in a known dialog,
    /// a CANCEL of a live INVITE).
    mutating func answerStatelessly(_ request: SIPRequest, from source: SIPHop, _ now: SIPInstant,
                                    _ out: inout [LineOutput]) -> Bool {
        let status: Int
        var capabilities = false
        if let toTag = try? request.headers.to.tag, !toTag.isEmpty {
            guard !knowsDialog(request) else { return false }
            status = 481
        } else {
            switch request.method {
            case .invite:
                guard let refusal = inboundRefusal(from: source) else { return false }
                status = refusal.status
                if refusals.count(source: source.host, reason: refusal) {
                    out.append(.startTimer(.refusalSummary, after: RefusalTally.window))
                }
            case .cancel:
                if let key = try? TransactionKey.server(receiving: request), transactions[key.cancelledInvite] != nil {
                    return false
                }
                status = 481
            case .options: status = 200; capabilities = true
            case .bye, .refer, .notify, .info, .update, .prack: status = 481
            case .other: status = 501; capabilities = true
            default: status = 405; capabilities = true
            }
        }
        let response = makeResponse(request, status: status, tag: InboundPolicy.statelessTag(request, salt: statelessSalt),
                                    capabilities: capabilities)
        out.append(.respond(response, toRequestFrom: source))
        return true
    }

    /// Whether a request with a To tag belongs to a call or a presence subscription we have.
    func knowsDialog(_ request: SIPRequest) -> Bool {
        if let callID = request.headers.callID, sessions.calls[callID] != nil { return true }
        return request.method == .notify && subscriptions.uri(for: request) != nil
    }
}
