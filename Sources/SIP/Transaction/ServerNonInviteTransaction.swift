/// The non-INVITE server transaction of RFC 3261 §17.2.2 (Figure 8), for every method but
/// INVITE and ACK (CANCEL included).
public struct ServerNonInviteTransaction: Sendable {
    /// The states of Figure 8.
    public enum State: String, Sendable, Hashable {
        case trying, proceeding, completed, terminated
    }

    /// The request that created this transaction.
    public let request: SIPRequest
    /// The key retransmissions are matched by.
    public let key: TransactionKey
    /// Whether the transport is reliable (Timer J is 0).
    public let isReliable: Bool
    /// The timer configuration.
    public let timers: SIPTimers
    /// The current state.
    public private(set) var state: State = .trying
    /// The most recent response sent (what a retransmitted request gets again).
    public private(set) var lastResponse: SIPResponse?

    private var book = TimerBook()
    private var started = false

    /// Creates the transaction for a received request. `reliable` defaults to what the top
    /// Via's transport says.
    public init(request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers()) throws(TransactionError) {
        guard request.method != .invite, request.method != .ack else { throw .wrongMethod(request.method) }
        key = try TransactionKey.server(receiving: request)
        self.request = request
        self.timers = timers
        let transport = try TransactionKey.topVia(request.headers).transport
        isReliable = reliable ?? SIPTimers.isReliable(transport: transport)
    }

    /// Running timers and when they expire.
    public var deadlines: [TransactionTimer: SIPInstant] { book.deadlines }
    /// The earliest running timer.
    public var nextDeadline: (timer: TransactionTimer, deadline: SIPInstant)? { book.next }

    /// Enters Trying and passes the request to the TU. Only the first call acts.
    public mutating func start(at now: SIPInstant) -> [TransactionAction] {
        guard !started, state == .trying else { return [] }
        started = true
        return [.passToTU(.request(request))]
    }

    /// Sends a response from the TU: 1xx moves to (or stays in) Proceeding, 200–699 moves to
    /// Completed and starts Timer J. Ignored after a final response.
    public mutating func send(_ response: SIPResponse, at now: SIPInstant) -> [TransactionAction] {
        guard state == .trying || state == .proceeding else { return [] }
        var out: [TransactionAction] = [.send(.response(response))]
        lastResponse = response
        if response.statusCode < 200 {
            state = .proceeding
        } else {
            state = .completed
            let j = timers.j(reliable: isReliable)
            if j == .zero { terminate(&out) } else { book.start(.J, after: j, at: now, &out) }
        }
        return out
    }

    /// Handles a retransmission of the request: absorbed in Trying, answered with the last
    /// response in Proceeding and Completed.
    public mutating func receive(_ request: SIPRequest, at now: SIPInstant) -> [TransactionAction] {
        guard state == .proceeding || state == .completed, let lastResponse else { return [] }
        return [.send(.response(lastResponse))]
    }

    /// Handles an expired timer; stale or unknown timers are ignored.
    public mutating func timerFired(_ timer: TransactionTimer, at now: SIPInstant) -> [TransactionAction] {
        guard book.fire(timer) else { return [] }
        var out: [TransactionAction] = []
        if state == .completed, timer == .J { terminate(&out) }
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
