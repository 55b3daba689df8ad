import SIP

extension LineAgent {
    /// One step of the calls machine: its tracked requests start client transactions owned by
    /// their call, its answers go out on their server transactions.
    mutating func runSessions(_ input: Sessions.Input, authAttempts: Int = 0, _ now: SIPInstant,
                              _ out: inout [LineOutput]) {
        carry(sessions.handle(input, &shared), authAttempts: authAttempts, now, &out)
    }

    /// Carries out what the calls machine asked for, in order.
    mutating func carry(_ outputs: [Sessions.Output], authAttempts: Int = 0, _ now: SIPInstant,
                        _ out: inout [LineOutput]) {
        for output in outputs {
            switch output {
            case .send(let request, let hop, let tracked):
                let owner: Owner = tracked ? .call(request.headers.callID ?? "") : .none
                _ = sendRequest(request, to: hop, owner: owner, authAttempts: authAttempts, now, &out)
            case .ack(let ack, let hop):
                out.append(.send(.request(ack), to: hop, transaction: nil))
            case .respond(let response, let key):
                reply(response, on: key, now, &out)
            case .resend(let response, let origin):
                out.append(.respond(response, toRequestFrom: origin))
            case .startTimer(let timer, let after):
                out.append(.startTimer(Self.lineTimer(timer), after: after))
            case .cancelTimer(let timer):
                out.append(.cancelTimer(Self.lineTimer(timer)))
            case .report(let event):
                out.append(.report(event))
            case .media(let command):
                out.append(.media(command))
            }
        }
    }

    static func lineTimer(_ timer: Sessions.Timer) -> LineTimer {
        switch timer {
        case .okRetransmit(let callID): .okRetransmit(callID: callID)
        case .okTimeout(let callID): .okTimeout(callID: callID)
        case .reinviteRetry(let callID): .reinviteRetry(callID: callID)
        case .transferTimeout(let callID): .transferTimeout(callID: callID)
        case .sessionRefresh(let callID): .sessionRefresh(callID: callID)
        case .sessionExpiry(let callID): .sessionExpiry(callID: callID)
        case .provisionalRetransmit(let callID): .provisionalRetransmit(callID: callID)
        case .provisionalTimeout(let callID): .provisionalTimeout(callID: callID)
        }
    }
}
