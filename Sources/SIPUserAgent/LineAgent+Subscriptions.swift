import SIP

extension LineAgent {
    /// One step of the subscriptions machine: its SUBSCRIBEs start client transactions owned by
    /// the watched URI they are for; its answers to a NOTIFY go out on `key`.
    mutating func runSubscriptions(_ input: Subscriptions.Input, authAttempts: Int = 0,
                                   replyingOn key: TransactionKey? = nil, _ now: SIPInstant, _ out: inout [LineOutput]) {
        for output in subscriptions.handle(input, &shared) {
            switch output {
            case .send(let request, let hop):
                guard let uri = subscriptions.uri(ofCallID: request.headers.callID) else { continue }
                _ = sendRequest(request, to: hop, owner: .subscription(uri), authAttempts: authAttempts, now, &out)
            case .respond(let response):
                if let key { reply(response, on: key, now, &out) }
            case .startTimer(.refresh(let uri), let after):
                out.append(.startTimer(.subscription(uri: uri), after: after))
            case .cancelTimer(.refresh(let uri)):
                out.append(.cancelTimer(.subscription(uri: uri)))
            case .report(let event):
                out.append(.report(event))
            }
        }
    }
}
