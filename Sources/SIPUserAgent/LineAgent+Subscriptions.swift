import SIP

extension LineAgent {
    /// One step of the subscriptions machine: its SUBSCRIBEs start client transactions owned by
    /// the watched URI they are for; its answers to a NOTIFY go out on `key`.
    mutating func runSubscriptions(_ input: Subscriptions.Input, authAttempts: Int = 0,
                                   replyingOn key: TransactionKey? = nil, _ now: SIPInstant, _ out: inout [LineOutput]) {
        let outputs = subscriptions.handle(input, &shared)
        let watched = subscriptions  // who each SUBSCRIBE is for, as the machine now knows it
        carry(outputs, owner: { watched.uri(ofCallID: $0.headers.callID).map(Owner.subscription) },
              timer: Self.lineTimer, authAttempts: authAttempts, replyingOn: key, now, &out)
    }

    static func lineTimer(_ timer: Subscriptions.Timer) -> LineTimer {
        switch timer {
        case .refresh(let uri): .subscription(uri: uri)
        }
    }
}
