/// Why a transaction could not be created, or a message could not be matched to one.
public enum TransactionError: Error, Sendable, Equatable {
    /// The message has no Via header.
    case missingVia
    /// The top Via has no branch parameter (a client transaction needs one, RFC 3261 §8.1.1.7).
    case missingBranch
    /// A header needed for matching (CSeq, From, Call-ID, …) is missing or malformed.
    case malformed(SIPParseError)
    /// The request's method does not fit this kind of transaction (ACK never gets one).
    case wrongMethod(SIPMethod)
    /// A transaction with this key already exists.
    case duplicate(TransactionKey)
}
