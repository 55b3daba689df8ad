import SIP

/// A response of ours that the UAS core, not the transaction, sends again until it is
/// acknowledged — a small machine of a call, in two kinds:
/// - a 2xx to an INVITE until its ACK (RFC 3261 §13.3.1.4): at T1, 2·T1, 4·T1 … capped at
///   T2; after 64·T1 the dialog is broken;
/// - a reliable provisional response (`Require: 100rel`, an `RSeq`) until its PRACK
///   (RFC 3262 §3): the interval doubles without a cap; after 64·T1 the INVITE is refused.
/// The acknowledgement that counts carries the CSeq number of the INVITE answered (and, for a
/// PRACK, the response's RSeq in its `RAck`).
struct ResponseRetransmission: Sendable, Equatable {
    /// The machine's timers.
    enum Timer: Hashable, Sendable {
        /// Send the response again.
        case retransmit
        /// 64·T1 without an acknowledgement.
        case timeout
    }

    enum Input: Sendable {
        case timerFired(Timer)
        /// An ACK with this CSeq number arrived in the dialog (a 2xx's acknowledgement).
        case ack(sequence: UInt32?)
        /// A PRACK with this `RAck` arrived in the dialog (a reliable provisional's).
        case prack(ReliableAck)
    }

    enum Output: Sendable, Equatable {
        /// Send the response again.
        case resend(SIPResponse)
        case startTimer(Timer, after: Duration)
        case cancelTimer(Timer)
        /// The acknowledgement came: the machine is done.
        case acknowledged
        /// None in time: the machine is done.
        case timedOut
    }

    /// The response being retransmitted.
    let response: SIPResponse
    /// The CSeq number of the INVITE it answers.
    let sequence: UInt32?
    /// For a reliable provisional response, its RSeq; nil for a 2xx.
    let rseq: UInt32?
    private(set) var interval: Duration
    /// The longest interval (T2 for a 2xx); nil: none.
    private let cap: Duration?

    /// Whether this is a reliable provisional response (resent on the INVITE's transaction).
    var isProvisional: Bool { rseq != nil }

    /// A 2xx has just been sent: the machine, and its first two timers.
    static func start(_ response: SIPResponse, sequence: UInt32?, timers: SIPTimers) -> (Self, [Output]) {
        started(Self(response: response, sequence: sequence, rseq: nil, interval: timers.t1, cap: timers.t2), timers)
    }

    /// A reliable provisional response numbered `rseq` has just been sent.
    static func start(_ response: SIPResponse, rseq: UInt32, sequence: UInt32, timers: SIPTimers) -> (Self, [Output]) {
        started(Self(response: response, sequence: sequence, rseq: rseq, interval: timers.t1, cap: nil), timers)
    }

    private static func started(_ machine: Self, _ timers: SIPTimers) -> (Self, [Output]) {
        (machine, [.startTimer(.retransmit, after: timers.t1), .startTimer(.timeout, after: timers.t1 * 64)])
    }

    /// Whether a PRACK's `RAck` names this (reliable provisional) response.
    func matches(_ ack: ReliableAck) -> Bool {
        rseq != nil && ack.rseq == rseq && ack.sequence == sequence && ack.method == "INVITE"
    }

    mutating func handle(_ input: Input) -> [Output] {
        switch input {
        case .timerFired(.retransmit):
            interval = cap.map { min(interval * 2, $0) } ?? interval * 2
            return [.resend(response), .startTimer(.retransmit, after: interval)]
        case .timerFired(.timeout):
            return [.cancelTimer(.retransmit), .timedOut]
        case .ack(let number):
            guard rseq == nil, number == sequence else { return [] }
            return Self.stopped + [.acknowledged]
        case .prack(let ack):
            guard matches(ack) else { return [] }
            return Self.stopped + [.acknowledged]
        }
    }

    /// The outputs that stop the machine without an acknowledgement (for a reliable provisional
    /// response: a final response went out).
    static let stopped: [Output] = [.cancelTimer(.retransmit), .cancelTimer(.timeout)]
}
