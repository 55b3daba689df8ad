/// Timers the reducer starts; a connector fires them back as `Action.timerFired`.
public enum TimerID: Hashable, Sendable, Codable {
    /// A signalled call rang for the no-answer time (R9).
    case noAnswer(CallID)
    /// Wrap-up is over (R11).
    case wrapUpEnd
}

/// Everything that can happen to the softphone: keys, the line, Teams, timers.
/// The time comes with the action (`reduce(_:_:at:)`), never from a clock inside.
public enum Action: Hashable, Sendable {
    // The agent
    case login
    case logout
    case choosePresence(UserChoice)
    case resyncRequested
    case prolongWrapUp
    case accept(CallID)
    case decline(CallID)
    case hangUp(CallID)
    case hold(CallID)
    case resume(CallID)
    /// Blind transfer of a connected call (REFER).
    case transfer(CallID, to: String)
    /// Place a call; the id is chosen by the caller of the reducer.
    case dial(CallID, to: String)

    // Teams
    /// What Teams reports for the agent (notification, poll or resync pull). `asOf` is the
    /// newest revision the connector had delivered when it read this presence: a report
    /// older than the reducer's latest desired change is stale and ignored.
    case teamsPresence(GraphPresence, asOf: Int)
    case teamsConnected
    case teamsDisconnected(reason: String)
    /// The connector delivered the desired state of this revision.
    case teamsDelivered(revision: Int)

    // The line
    case lineStateChanged(LineState)
    case incomingCall(IncomingCall)
    /// The caller gave up before the call was answered (CANCEL).
    case callerCancelled(CallID)
    /// The remote party ended a connected call (BYE).
    case remoteHangUp(CallID)
    /// The remote party answered an outbound call.
    case remoteAnswered(CallID)
    /// An outbound call failed with this final status.
    case outboundFailed(CallID, status: Int, reason: String)
    /// The remote party put a connected call on hold (true) or took it off hold (false).
    case remoteHold(CallID, Bool)
    /// The call's audio so far (sent by the media layer about once a second).
    case mediaStats(CallID, MediaStats)

    // Time
    case timerFired(TimerID)

    /// A connector reports something for the Log tab (an error, a notice).
    case note(LogEvent.Kind, String)
}
