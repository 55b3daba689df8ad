/// Any of the four transaction kinds, for storing them together (see `TransactionTable`).
public enum Transaction: Sendable {
    case clientInvite(ClientInviteTransaction)
    case clientNonInvite(ClientNonInviteTransaction)
    case serverInvite(ServerInviteTransaction)
    case serverNonInvite(ServerNonInviteTransaction)

    /// A new client transaction for a request this UA sends (INVITE or non-INVITE).
    public init(sending request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers()) throws(TransactionError) {
        if request.method == .invite {
            self = .clientInvite(try ClientInviteTransaction(request: request, reliable: reliable, timers: timers))
        } else {
            self = .clientNonInvite(try ClientNonInviteTransaction(request: request, reliable: reliable, timers: timers))
        }
    }

    /// A new server transaction for a received request (not an ACK).
    public init(receiving request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers()) throws(TransactionError) {
        if request.method == .invite {
            self = .serverInvite(try ServerInviteTransaction(request: request, reliable: reliable, timers: timers))
        } else {
            self = .serverNonInvite(try ServerNonInviteTransaction(request: request, reliable: reliable, timers: timers))
        }
    }

    /// The transaction's key.
    public var key: TransactionKey {
        switch self {
        case .clientInvite(let t): t.key
        case .clientNonInvite(let t): t.key
        case .serverInvite(let t): t.key
        case .serverNonInvite(let t): t.key
        }
    }

    /// The request that created the transaction.
    public var request: SIPRequest {
        switch self {
        case .clientInvite(let t): t.request
        case .clientNonInvite(let t): t.request
        case .serverInvite(let t): t.request
        case .serverNonInvite(let t): t.request
        }
    }

    /// Whether the transaction reached Terminated.
    public var isTerminated: Bool {
        switch self {
        case .clientInvite(let t): t.state == .terminated
        case .clientNonInvite(let t): t.state == .terminated
        case .serverInvite(let t): t.state == .terminated
        case .serverNonInvite(let t): t.state == .terminated
        }
    }

    /// The current state's RFC name, lowercased (`calling`, `trying`, …).
    public var stateName: String {
        switch self {
        case .clientInvite(let t): t.state.rawValue
        case .clientNonInvite(let t): t.state.rawValue
        case .serverInvite(let t): t.state.rawValue
        case .serverNonInvite(let t): t.state.rawValue
        }
    }

    /// The earliest running timer.
    public var nextDeadline: (timer: TransactionTimer, deadline: SIPInstant)? {
        switch self {
        case .clientInvite(let t): t.nextDeadline
        case .clientNonInvite(let t): t.nextDeadline
        case .serverInvite(let t): t.nextDeadline
        case .serverNonInvite(let t): t.nextDeadline
        }
    }

    /// Starts the transaction (sends the request, or passes it to the TU).
    public mutating func start(at now: SIPInstant) -> [TransactionAction] {
        switch self {
        case .clientInvite(var t): defer { self = .clientInvite(t) }; return t.start(at: now)
        case .clientNonInvite(var t): defer { self = .clientNonInvite(t) }; return t.start(at: now)
        case .serverInvite(var t): defer { self = .serverInvite(t) }; return t.start(at: now)
        case .serverNonInvite(var t): defer { self = .serverNonInvite(t) }; return t.start(at: now)
        }
    }

    /// Delivers a matched message: responses to client transactions, requests to server ones.
    /// A message of the wrong kind is ignored.
    public mutating func receive(_ message: SIPMessage, at now: SIPInstant) -> [TransactionAction] {
        switch (self, message) {
        case (.clientInvite(var t), .response(let r)): defer { self = .clientInvite(t) }; return t.receive(r, at: now)
        case (.clientNonInvite(var t), .response(let r)): defer { self = .clientNonInvite(t) }; return t.receive(r, at: now)
        case (.serverInvite(var t), .request(let r)): defer { self = .serverInvite(t) }; return t.receive(r, at: now)
        case (.serverNonInvite(var t), .request(let r)): defer { self = .serverNonInvite(t) }; return t.receive(r, at: now)
        default: return []
        }
    }

    /// Sends a response from the TU (server transactions only; ignored on client ones).
    public mutating func send(_ response: SIPResponse, at now: SIPInstant) -> [TransactionAction] {
        switch self {
        case .serverInvite(var t): defer { self = .serverInvite(t) }; return t.send(response, at: now)
        case .serverNonInvite(var t): defer { self = .serverNonInvite(t) }; return t.send(response, at: now)
        case .clientInvite, .clientNonInvite: return []
        }
    }

    /// Handles an expired timer.
    public mutating func timerFired(_ timer: TransactionTimer, at now: SIPInstant) -> [TransactionAction] {
        switch self {
        case .clientInvite(var t): defer { self = .clientInvite(t) }; return t.timerFired(timer, at: now)
        case .clientNonInvite(var t): defer { self = .clientNonInvite(t) }; return t.timerFired(timer, at: now)
        case .serverInvite(var t): defer { self = .serverInvite(t) }; return t.timerFired(timer, at: now)
        case .serverNonInvite(var t): defer { self = .serverNonInvite(t) }; return t.timerFired(timer, at: now)
        }
    }

    /// Reports a transport failure.
    public mutating func transportError(at now: SIPInstant) -> [TransactionAction] {
        switch self {
        case .clientInvite(var t): defer { self = .clientInvite(t) }; return t.transportError(at: now)
        case .clientNonInvite(var t): defer { self = .clientNonInvite(t) }; return t.transportError(at: now)
        case .serverInvite(var t): defer { self = .serverInvite(t) }; return t.transportError(at: now)
        case .serverNonInvite(var t): defer { self = .serverNonInvite(t) }; return t.transportError(at: now)
        }
    }
}
