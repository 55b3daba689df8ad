/// What a transaction asks its driver to do after an event, in order.
public enum TransactionAction: Sendable, Equatable {
    /// Pass this message to the transport layer.
    case send(SIPMessage)
    /// (Re)start a timer; the driver calls `timerFired(_:at:)` when it expires.
    case startTimer(TransactionTimer, after: Duration)
    /// Stop a running timer (a late firing is ignored anyway).
    case cancelTimer(TransactionTimer)
    /// Deliver a response (client side) or request (server side) to the transaction user.
    case passToTU(SIPMessage)
    /// Tell the TU the transaction timed out (Timer B, F or H).
    case timeout
    /// Tell the TU the transport failed to send a message of this transaction.
    case transportError
    /// The transaction reached Terminated; the driver can forget it.
    case terminated
}
