/// The INVITE server transaction of RFC 3261 §17.2.1 (Figure 7).
///
/// 2xx responses follow RFC 3261, not RFC 6026: sending a 2xx terminates the transaction,
/// and the TU core retransmits the 2xx and receives its ACK (§13.3.1.4). A 300–699 response
/// is retransmitted here (Timer G) until the ACK arrives; that ACK is absorbed, not passed up.
public struct ServerInviteTransaction: Sendable {
    /// The states of Figure 7.
    public enum State: String, Sendable, Hashable {
        case proceeding, completed, confirmed, terminated
    }

    /// The INVITE that created this transaction.
    public let request: SIPRequest
    /// The key retransmissions and the ACK are matched by.
    public let key: TransactionKey
    /// Whether the transport is reliable (no retransmissions, Timer I is 0).
    public let isReliable: Bool
    /// The timer configuration.
    public let timers: SIPTimers
    /// Whether `start` sends a 100 (Trying) on the TU's behalf.
    public let sendsTrying: Bool
    /// The current state.
    public private(set) var state: State = .proceeding
    /// The most recent response sent (what a retransmitted INVITE gets again).
    public private(set) var lastResponse: SIPResponse?

    private var book = TimerBook()
    private var intervalG: Duration
    private var started = false

    /// Creates the transaction for a received INVITE. `reliable` defaults to what the top
    /// Via's transport says. With `sendsTrying` false the TU promises to answer within 200 ms.
    public init(request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers(),
                sendsTrying: Bool = true) throws(TransactionError) {
        guard request.method == .invite else { throw .wrongMethod(request.method) }
        key = try TransactionKey.server(receiving: request)
        self.request = request
        self.timers = timers
        self.sendsTrying = sendsTrying
        let transport = try TransactionKey.topVia(request.headers).transport
        isReliable = reliable ?? SIPTimers.isReliable(transport: transport)
        intervalG = timers.g
    }

    /// Running timers and when they expire.
    public var deadlines: [TransactionTimer: SIPInstant] { book.deadlines }
    /// The earliest running timer.
    public var nextDeadline: (timer: TransactionTimer, deadline: SIPInstant)? { book.next }

    /// Enters Proceeding: sends 100 (Trying) unless disabled, and passes the INVITE to the TU.
    /// Only the first call acts.
    public mutating func start(at now: SIPInstant) -> [TransactionAction] {
        guard !started, state == .proceeding else { return [] }
        started = true
        var out: [TransactionAction] = []
        if sendsTrying {
            let trying = SIPResponse(replyingTo: request, status: 100)
            lastResponse = trying
            out.append(.send(.response(trying)))
        }
        out.append(.passToTU(.request(request)))
        return out
    }

    /// Sends a response from the TU: 1xx keeps Proceeding, 2xx terminates, 300–699 moves to
    /// Completed and starts Timers G (unreliable only) and H. Ignored after a final response.
    public mutating func send(_ response: SIPResponse, at now: SIPInstant) -> [TransactionAction] {
        guard state == .proceeding else { return [] }
        var out: [TransactionAction] = [.send(.response(response))]
        lastResponse = response
        switch response.statusCode {
        case ..<200:
            break
        case 200..<300:
            terminate(&out)
        default:
            state = .completed
            if !isReliable { book.start(.G, after: intervalG, at: now, &out) }
            book.start(.H, after: timers.h, at: now, &out)
        }
        return out
    }

    /// Handles a request matched to this transaction: a retransmitted INVITE gets the last
    /// response again; the ACK of a non-2xx response moves to Confirmed; more ACKs are absorbed.
    public mutating func receive(_ request: SIPRequest, at now: SIPInstant) -> [TransactionAction] {
        var out: [TransactionAction] = []
        switch (state, request.method) {
        case (.proceeding, .invite), (.completed, .invite):
            if let lastResponse { out.append(.send(.response(lastResponse))) }
        case (.completed, .ack):
            book.cancelAll(&out)
            state = .confirmed
            let i = timers.i(reliable: isReliable)
            if i == .zero { terminate(&out) } else { book.start(.I, after: i, at: now, &out) }
        default:
            break  // ACKs absorbed in Confirmed, anything else ignored
        }
        return out
    }

    /// Handles an expired timer; stale or unknown timers are ignored.
    public mutating func timerFired(_ timer: TransactionTimer, at now: SIPInstant) -> [TransactionAction] {
        guard book.fire(timer) else { return [] }
        var out: [TransactionAction] = []
        switch (state, timer) {
        case (.completed, .G):
            if let lastResponse { out.append(.send(.response(lastResponse))) }
            intervalG = timers.backoff(intervalG)
            book.start(.G, after: intervalG, at: now, &out)
        case (.completed, .H):
            out.append(.timeout)
            terminate(&out)
        case (.confirmed, .I):
            terminate(&out)
        default:
            break
        }
        return out
    }

    /// The transport failed to send a response (Proceeding or Completed).
    public mutating func transportError(at now: SIPInstant) -> [TransactionAction] {
        guard state == .proceeding || state == .completed else { return [] }
        var out: [TransactionAction] = [.transportError]
        terminate(&out)
        return out
    }

    private mutating func terminate(_ out: inout [TransactionAction]) {
        book.cancelAll(&out)
        state = .terminated
        out.append(.terminated)
    }
}
