/// Where `TransactionTable.receive` sent an incoming message.
public enum TransactionRoute: Sendable, Equatable {
    /// It matched this transaction, which asks for these actions.
    case delivered(TransactionKey, [TransactionAction])
    /// A request matching no server transaction: the TU should open one with `startServer`.
    case newRequest(SIPRequest)
    /// An ACK matching no transaction (an ACK to a 2xx): it goes straight to the TU core.
    case unmatchedACK(SIPRequest)
    /// A response matching no client transaction: a 2xx to INVITE goes to the TU core
    /// (§13.2.2.4), anything else may be dropped (§17.1.3).
    case unmatchedResponse(SIPResponse)
    /// The message lacks what matching needs (Via, branch, CSeq): drop it.
    case unroutable(TransactionError)
}

/// The live transactions by key. Routes incoming messages (RFC 3261 §17.1.3, §17.2.3) and
/// forgets transactions as soon as they terminate.
public struct TransactionTable: Sendable {
    /// The live transactions.
    public private(set) var transactions: [TransactionKey: Transaction] = [:]

    /// An empty table.
    public init() {}

    /// The number of live transactions.
    public var count: Int { transactions.count }

    /// The transaction with this key, if live.
    public subscript(key: TransactionKey) -> Transaction? { transactions[key] }

    /// Creates and starts a client transaction for `request`.
    public mutating func startClient(_ request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers(),
                                     at now: SIPInstant) throws(TransactionError) -> (key: TransactionKey, actions: [TransactionAction]) {
        try insertAndStart(Transaction(sending: request, reliable: reliable, timers: timers), at: now)
    }

    /// Creates and starts a server transaction for a received `request` (after `.newRequest`).
    public mutating func startServer(_ request: SIPRequest, reliable: Bool? = nil, timers: SIPTimers = SIPTimers(),
                                     at now: SIPInstant) throws(TransactionError) -> (key: TransactionKey, actions: [TransactionAction]) {
        try insertAndStart(Transaction(receiving: request, reliable: reliable, timers: timers), at: now)
    }

    /// Adds and starts a transaction built by the caller (e.g. a server INVITE without 100).
    public mutating func insertAndStart(_ transaction: Transaction, at now: SIPInstant) throws(TransactionError)
        -> (key: TransactionKey, actions: [TransactionAction]) {
        let key = transaction.key
        guard transactions[key] == nil else { throw .duplicate(key) }
        transactions[key] = transaction
        return (key, apply(key, at: now) { $0.start(at: now) })
    }

    /// Routes a message from the transport to its transaction, or says why none took it.
    public mutating func receive(_ message: SIPMessage, at now: SIPInstant) -> TransactionRoute {
        let key: TransactionKey
        do {
            switch message {
            case .request(let r): key = try TransactionKey.server(receiving: r)
            case .response(let r): key = try TransactionKey.client(receiving: r)
            }
        } catch {
            return .unroutable(error)
        }
        guard transactions[key] != nil else {
            switch message {
            case .request(let r): return r.method == .ack ? .unmatchedACK(r) : .newRequest(r)
            case .response(let r): return .unmatchedResponse(r)
            }
        }
        return .delivered(key, apply(key, at: now) { $0.receive(message, at: now) })
    }

    /// Sends a TU response on the server transaction `key` (nothing if it is gone).
    public mutating func send(_ response: SIPResponse, on key: TransactionKey, at now: SIPInstant) -> [TransactionAction] {
        apply(key, at: now) { $0.send(response, at: now) }
    }

    /// Delivers an expired timer (nothing if the transaction is gone).
    public mutating func timerFired(_ timer: TransactionTimer, for key: TransactionKey, at now: SIPInstant) -> [TransactionAction] {
        apply(key, at: now) { $0.timerFired(timer, at: now) }
    }

    /// Reports a transport failure (nothing if the transaction is gone).
    public mutating func transportError(for key: TransactionKey, at now: SIPInstant) -> [TransactionAction] {
        apply(key, at: now) { $0.transportError(at: now) }
    }

    private mutating func apply(_ key: TransactionKey, at now: SIPInstant,
                                _ body: (inout Transaction) -> [TransactionAction]) -> [TransactionAction] {
        guard var transaction = transactions[key] else { return [] }
        let actions = body(&transaction)
        transactions[key] = transaction.isTerminated ? nil : transaction
        return actions
    }
}
