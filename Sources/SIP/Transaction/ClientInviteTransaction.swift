/// The INVITE client transaction of RFC 3261 §17.1.1 (Figure 5).
///
/// 2xx responses follow RFC 3261, not RFC 6026: the first 2xx is passed to the TU and the
/// transaction terminates at once; later 2xx retransmissions match no transaction and go to
/// the TU core, which ACKs them (§13.2.2.4). For a 300–699 response the transaction builds
/// and sends the ACK itself (§17.1.1.3).
public struct ClientInviteTransaction: Sendable {
    /// The states of Figure 5.
    public enum State: String, Sendable, Hashable {
        case calling, proceeding, completed, terminated
    }

    /// The INVITE this transaction sends.
    public let request: SIPRequest
    /// The key responses are matched by.
    public let key: TransactionKey
    /// Whether the transport is reliable (no retransmissions, Timer D is 0).
    public let isReliable: Bool
    /// The timer configuration.
    public let timers: SIPTimers
    /// The current state.
    public private(set) var state: State = .calling
    /// The ACK sent for the final non-2xx response, once there is one.
    public private(set) var ack: SIPRequest?

    private var book = TimerBook()
    private var intervalA: Duration
    private var started = false

    /// Creates the transaction for an INVITE whose top Via carries the branch. `reliable`
    /// defaults to what the top Via's transport says.
    public init(request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers()) throws(TransactionError) {
        guard request.method == .invite else { throw .wrongMethod(request.method) }
        key = try TransactionKey.client(sending: request)
        self.request = request
        self.timers = timers
        let transport = try TransactionKey.topVia(request.headers).transport
        isReliable = reliable ?? SIPTimers.isReliable(transport: transport)
        intervalA = timers.a
    }

    /// Running timers and when they expire.
    public var deadlines: [TransactionTimer: SIPInstant] { book.deadlines }
    /// The earliest running timer.
    public var nextDeadline: (timer: TransactionTimer, deadline: SIPInstant)? { book.next }

    /// Sends the INVITE and starts Timers A (unreliable only) and B. Only the first call acts.
    public mutating func start(at now: SIPInstant) -> [TransactionAction] {
        guard !started, state == .calling else { return [] }
        started = true
        var out: [TransactionAction] = [.send(.request(request))]
        if !isReliable { book.start(.A, after: intervalA, at: now, &out) }
        book.start(.B, after: timers.b, at: now, &out)
        return out
    }

    /// Handles a response matched to this transaction.
    public mutating func receive(_ response: SIPResponse, at now: SIPInstant) -> [TransactionAction] {
        var out: [TransactionAction] = []
        switch (state, response.statusCode) {
        case (.calling, 100..<200):
            book.cancelAll(&out)
            state = .proceeding
            out.append(.passToTU(.response(response)))
        case (.proceeding, 100..<200):
            out.append(.passToTU(.response(response)))
        case (.calling, 200..<300), (.proceeding, 200..<300):
            out.append(.passToTU(.response(response)))
            terminate(&out)
        case (.calling, 300...), (.proceeding, 300...):
            book.cancelAll(&out)
            out.append(.passToTU(.response(response)))
            let ack = ClientInviteTransaction.makeACK(for: request, response: response)
            self.ack = ack
            out.append(.send(.request(ack)))
            enterCompleted(at: now, &out)
        case (.completed, 300...):
            // A retransmitted final response: ACK again, do not bother the TU.
            if let ack { out.append(.send(.request(ack))) }
        default:
            break  // stray 1xx/2xx in Completed, anything once Terminated
        }
        return out
    }

    /// Handles an expired timer; stale or unknown timers are ignored.
    public mutating func timerFired(_ timer: TransactionTimer, at now: SIPInstant) -> [TransactionAction] {
        guard book.fire(timer) else { return [] }
        var out: [TransactionAction] = []
        switch (state, timer) {
        case (.calling, .A):
            out.append(.send(.request(request)))
            intervalA = intervalA * 2  // Timer A doubles without the T2 cap (§17.1.1.2)
            book.start(.A, after: intervalA, at: now, &out)
        case (.calling, .B):
            out.append(.timeout)
            terminate(&out)
        case (.completed, .D):
            terminate(&out)
        default:
            break
        }
        return out
    }

    /// The transport failed to send the INVITE (Calling) or the ACK (Completed).
    public mutating func transportError(at now: SIPInstant) -> [TransactionAction] {
        guard state == .calling || state == .completed else { return [] }
        var out: [TransactionAction] = [.transportError]
        terminate(&out)
        return out
    }

    private mutating func enterCompleted(at now: SIPInstant, _ out: inout [TransactionAction]) {
        state = .completed
        let d = timers.d(reliable: isReliable)
        if d == .zero { terminate(&out) } else { book.start(.D, after: d, at: now, &out) }
    }

    private mutating func terminate(_ out: inout [TransactionAction]) {
        book.cancelAll(&out)
        state = .terminated
        out.append(.terminated)
    }
}
