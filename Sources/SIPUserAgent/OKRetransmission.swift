import SIP

/// The retransmission of a 2xx to an INVITE until its ACK arrives (RFC 3261 §13.3.1.4), a
/// small machine of the session: the UAS core, not the transaction, sends the 2xx again at
/// T1, 2·T1, 4·T1 … capped at T2, and gives up after 64·T1 (the dialog is then broken).
/// The ACK that counts carries the CSeq number of the INVITE the 2xx answers.
struct OKRetransmission: Sendable, Equatable {
    /// The machine's timers.
    enum Timer: Hashable, Sendable {
        /// Send the 2xx again.
        case retransmit
        /// 64·T1 without an ACK.
        case timeout
    }

    enum Input: Sendable {
        case timerFired(Timer)
        /// An ACK with this CSeq number arrived in the dialog.
        case ack(sequence: UInt32?)
    }

    enum Output: Sendable, Equatable {
        /// Send the 2xx again (to where the INVITE came from).
        case resend(SIPResponse)
        case startTimer(Timer, after: Duration)
        case cancelTimer(Timer)
        /// The ACK came: the machine is done.
        case acknowledged
        /// No ACK in time: the machine is done, the dialog is broken.
        case timedOut
    }

    /// The 2xx being retransmitted.
    let response: SIPResponse
    /// The CSeq number of the INVITE it answers.
    let sequence: UInt32?
    private(set) var interval: Duration
    private let t2: Duration

    /// The 2xx has just been sent: the machine, and its first two timers.
    static func start(_ response: SIPResponse, sequence: UInt32?, timers: SIPTimers) -> (OKRetransmission, [Output]) {
        let machine = OKRetransmission(response: response, sequence: sequence, interval: timers.t1, t2: timers.t2)
        return (machine, [.startTimer(.retransmit, after: timers.t1), .startTimer(.timeout, after: timers.t1 * 64)])
    }

    mutating func handle(_ input: Input) -> [Output] {
        switch input {
        case .timerFired(.retransmit):
            interval = min(interval * 2, t2)
            return [.resend(response), .startTimer(.retransmit, after: interval)]
        case .timerFired(.timeout):
            return [.cancelTimer(.retransmit), .timedOut]
        case .ack(let number):
            guard number == sequence else { return [] }
            return [.cancelTimer(.retransmit), .cancelTimer(.timeout), .acknowledged]
        }
    }
}
