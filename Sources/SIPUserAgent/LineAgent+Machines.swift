import SIP

extension LineAgent {
    /// Carries out, in order, what the registration, publication or subscriptions machine
    /// asked for: each request starts a client transaction owned by `owner(request)` (none:
    /// not sent), an answer goes out on the server transaction `replyingOn` (none: the
    /// machine answers no requests), timers become the line's own, events are reported.
    mutating func carry<Timer>(_ outputs: [MachineOutput<Timer>], owner: (SIPRequest) -> Owner?,
                               timer: (Timer) -> LineTimer, authAttempts: Int,
                               replyingOn key: TransactionKey? = nil, _ now: SIPInstant, _ out: inout [LineOutput]) {
        for output in outputs {
            switch output {
            case .send(let request, let hop):
                guard let owner = owner(request) else { continue }
                _ = sendRequest(request, to: hop, owner: owner, authAttempts: authAttempts, now, &out)
            case .respond(let response):
                if let key { reply(response, on: key, now, &out) }
            case .startTimer(let fired, let after):
                out.append(.startTimer(timer(fired), after: after))
            case .cancelTimer(let fired):
                out.append(.cancelTimer(timer(fired)))
            case .report(let event):
                out.append(.report(event))
            case .keepAlive(let hop):
                out.append(.keepAlive(hop))
            case .locate(let uri):
                out.append(.locate(uri))
            }
        }
    }
}
