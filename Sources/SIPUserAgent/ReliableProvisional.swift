import SIP

/// A reliable provisional response of ours (RFC 3262 §3), a small machine of an inbound call:
/// the 18x carries `Require: 100rel` and an `RSeq`, and the UAS core hands it to the INVITE
/// transaction again at T1, 2·T1, 4·T1 … until a PRACK with a matching `RAck` arrives; after
/// 64·T1 without one, the INVITE is refused.
struct ReliableProvisional: Sendable, Equatable {
    enum Timer: Hashable, Sendable {
        /// Send the provisional response again.
        case retransmit
        /// 64·T1 without a PRACK.
        case timeout
    }

    enum Input: Sendable {
        case timerFired(Timer)
        /// A PRACK with this `RAck` arrived in the dialog.
        case prack(ReliableAck)
    }

    enum Output: Sendable, Equatable {
        /// Send the provisional response again (on the INVITE's transaction).
        case resend(SIPResponse)
        case startTimer(Timer, after: Duration)
        case cancelTimer(Timer)
        /// The PRACK came: the machine is done.
        case acknowledged
        /// No PRACK in time: the machine is done.
        case timedOut
    }

    let response: SIPResponse
    let rseq: UInt32
    /// The CSeq number of the INVITE it answers.
    let sequence: UInt32
    private(set) var interval: Duration

    /// The response has just been sent: the machine and its timers.
    static func start(_ response: SIPResponse, rseq: UInt32, sequence: UInt32, timers: SIPTimers)
        -> (ReliableProvisional, [Output]) {
        (ReliableProvisional(response: response, rseq: rseq, sequence: sequence, interval: timers.t1),
         [.startTimer(.retransmit, after: timers.t1), .startTimer(.timeout, after: timers.t1 * 64)])
    }

    /// Whether a PRACK's `RAck` names this response.
    func matches(_ ack: ReliableAck) -> Bool {
        ack.rseq == rseq && ack.sequence == sequence && ack.method == "INVITE"
    }

    mutating func handle(_ input: Input) -> [Output] {
        switch input {
        case .timerFired(.retransmit):
            interval = interval * 2  // no T2 cap: RFC 3262 §3 doubles the interval each time
            return [.resend(response), .startTimer(.retransmit, after: interval)]
        case .timerFired(.timeout):
            return [.cancelTimer(.retransmit), .timedOut]
        case .prack(let ack):
            guard matches(ack) else { return [] }
            return [.cancelTimer(.retransmit), .cancelTimer(.timeout), .acknowledged]
        }
    }

    /// The outputs that stop the machine without a PRACK (a final response went out).
    static let stopped: [Output] = [.cancelTimer(.retransmit), .cancelTimer(.timeout)]
}
