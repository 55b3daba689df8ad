/// The non-INVITE client transaction of RFC 3261 §17.1.2 (Figure 6), for every method but
/// INVITE and ACK (CANCEL included: it is a transaction of its own).
public struct ClientNonInviteTransaction: Sendable {
    /// The states of Figure 6.
    public enum State: String, Sendable, Hashable {
        case trying, proceeding, completed, terminated
    }

    /// The request this transaction sends.
    public let request: SIPRequest
    /// The key responses are matched by.
    public let key: TransactionKey
    /// Whether the transport is reliable (no retransmissions, Timer K is 0).
    public let isReliable: Bool
    /// The timer configuration.
    public let timers: SIPTimers
    /// The current state.
    public private(set) var state: State = .trying

    private var book = TimerBook()
    private var intervalE: Duration
    private var started = false

    /// Creates the transaction for a request whose top Via carries the branch. `reliable`
    /// defaults to what the top Via's transport says.
    public init(request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers()) throws(TransactionError) {
        guard request.method != .invite, request.method != .ack else { throw .wrongMethod(request.method) }
        key = try TransactionKey.client(sending: request)
        self.request = request
        self.timers = timers
        let transport = try TransactionKey.topVia(request.headers).transport
        isReliable = reliable ?? SIPTimers.isReliable(transport: transport)
        intervalE = timers.e
    }

    /// Running timers and when they expire.
    public var deadlines: [TransactionTimer: SIPInstant] { book.deadlines }
    /// The earliest running timer.
    public var nextDeadline: (timer: TransactionTimer, deadline: SIPInstant)? { book.next }

    /// Sends the request and starts Timers E (unreliable only) and F. Only the first call acts.
    public mutating func start(at now: SIPInstant) -> [TransactionAction] {
        guard !started, state == .trying else { return [] }
        started = true
        var out: [TransactionAction] = [.send(.request(request))]
        if !isReliable { book.start(.E, after: intervalE, at: now, &out) }
        book.start(.F, after: timers.f, at: now, &out)
        return out
    }

    /// Handles a response matched to this transaction.
    public mutating func receive(_ response: SIPResponse, at now: SIPInstant) -> [TransactionAction] {
        var out: [TransactionAction] = []
        switch (state, response.statusCode) {
        case (.trying, 100..<200):
            state = .proceeding
            out.append(.passToTU(.response(response)))
        case (.proceeding, 100..<200):
            out.append(.passToTU(.response(response)))
        case (.trying, 200...), (.proceeding, 200...):
            book.cancelAll(&out)
            out.append(.passToTU(.response(response)))
            state = .completed
            let k = timers.k(reliable: isReliable)
            if k == .zero { terminate(&out) } else { book.start(.K, after: k, at: now, &out) }
        default:
            break  // retransmissions absorbed in Completed; nothing once Terminated
        }
        return out
    }

    /// Handles an expired timer; stale or unknown timers are ignored.
    public mutating func timerFired(_ timer: TransactionTimer, at now: SIPInstant) -> [TransactionAction] {
        guard book.fire(timer) else { return [] }
        var out: [TransactionAction] = []
        switch (state, timer) {
        case (.trying, .E):
            out.append(.send(.request(request)))
            intervalE = timers.backoff(intervalE)
            book.start(.E, after: intervalE, at: now, &out)
        case (.proceeding, .E):
            out.append(.send(.request(request)))
            intervalE = timers.t2
            book.start(.E, after: intervalE, at: now, &out)
        case (.trying, .F), (.proceeding, .F):
            out.append(.timeout)
            terminate(&out)
        case (.completed, .K):
            terminate(&out)
        default:
            break
        }
        return out
    }

    /// The transport failed to send the request (Trying or Proceeding).
    public mutating func transportError(at now: SIPInstant) -> [TransactionAction] {
        guard state == .trying || state == .proceeding else { return [] }
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
