/// Timers the reducer starts; a connector fires them back as `Action.timerFired`.
public enum TimerID: Hashable, Sendable, Codable {
    /// A signalled call rang for the no-answer time (R9).
    case noAnswer(CallID)
    /// Wrap-up is over (R11).
    case wrapUpEnd
}

/// Everything that can happen to the softphone, by the domain that handles it. Each
/// domain's reducer switches over its own enum, so the compiler checks that every
/// action is handled. The time comes with the action (`reduce(_:_:at:)`), never from a
/// clock inside.
public enum Action: Hashable, Sendable {
    /// Login, presence choices, Teams and the line's registration.
    case presence(PresenceAction)
    /// Calls in and out, their timers, and wrap-up.
    case call(CallAction)
    /// A colleague's presence for the Team tab (from Teams or SIP presence).
    case colleague(id: String, name: String, presence: Presence)
    /// The call log as stored, newest first (at start, for the History tab).
    case historyLoaded([CallRecord])
    /// A connector reports something for the Log tab (an error, a notice).
    case note(LogEvent.Kind, String)
}

/// Login, presence choices, Teams and the line's registration.
public enum PresenceAction: Hashable, Sendable {
    // The agent
    case login
    case logout
    case choosePresence(UserChoice)
    case resyncRequested

    // Teams
    /// What Teams reports for the agent (notification, poll or resync pull). `asOf` is the
    /// newest revision the connector had delivered when it read this presence: a report
    /// older than the reducer's latest desired change is stale and ignored.
    case teamsPresence(GraphPresence, asOf: Int)
    case teamsConnected
    case teamsDisconnected(reason: String)
    /// The connector delivered the desired state of this revision.
    case teamsDelivered(revision: Int)
    /// Graph answered 429/503 with `Retry-After`: nothing goes to Teams before `until`
    /// (`asked` is the wait it asked for). Slow, not disconnected: never ❎.
    case teamsAskedToWait(Duration, until: Instant)
    /// Polling runs less often than configured to stay within `budget` requests per 30 s;
    /// `nil`: back to the configured interval.
    case teamsPollingSlowed(budget: Int?)

    // The line
    case lineStateChanged(LineState)
}

/// Calls in and out, their timers, and wrap-up.
public enum CallAction: Hashable, Sendable {
    // The agent
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
    /// Send a DTMF digit (`0`–`9`, `*`, `#`, `A`–`D`) on the active connected call.
    case sendDTMF(CallID, Character)
    /// Mute or unmute the microphone of a connected call.
    case toggleMute(CallID)

    // The line
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
    /// A DTMF digit arrived from the other party (SIP INFO, or RFC 4733 events the media detected).
    case dtmfReceived(CallID, Character)
    /// The far side's early media (183 with SDP) plays for an outbound call.
    case earlyMedia(CallID)
    /// The far side of an outbound call rings (180 or 183): local ringback may play.
    case remoteRinging(CallID)
    /// The call's media is SRTP (true) or plain RTP (false), as its offer/answer settled.
    case mediaEncrypted(CallID, Bool)

    // Time
    case timerFired(TimerID)
}

/// Shorthands, so that connectors and tests name an action by what happened
/// (`.incomingCall(call)`) rather than by the domain that handles it.
extension Action {
    public static var login: Action { .presence(.login) }
    public static var logout: Action { .presence(.logout) }
    public static func choosePresence(_ choice: UserChoice) -> Action { .presence(.choosePresence(choice)) }
    public static var resyncRequested: Action { .presence(.resyncRequested) }
    public static func teamsPresence(_ presence: GraphPresence, asOf: Int) -> Action {
        .presence(.teamsPresence(presence, asOf: asOf))
    }
    public static var teamsConnected: Action { .presence(.teamsConnected) }
    public static func teamsDisconnected(reason: String) -> Action { .presence(.teamsDisconnected(reason: reason)) }
    public static func teamsDelivered(revision: Int) -> Action { .presence(.teamsDelivered(revision: revision)) }
    public static func teamsAskedToWait(_ asked: Duration, until: Instant) -> Action {
        .presence(.teamsAskedToWait(asked, until: until))
    }
    public static func teamsPollingSlowed(budget: Int?) -> Action { .presence(.teamsPollingSlowed(budget: budget)) }
    public static func lineStateChanged(_ line: LineState) -> Action { .presence(.lineStateChanged(line)) }

    public static var prolongWrapUp: Action { .call(.prolongWrapUp) }
    public static func accept(_ id: CallID) -> Action { .call(.accept(id)) }
    public static func decline(_ id: CallID) -> Action { .call(.decline(id)) }
    public static func hangUp(_ id: CallID) -> Action { .call(.hangUp(id)) }
    public static func hold(_ id: CallID) -> Action { .call(.hold(id)) }
    public static func resume(_ id: CallID) -> Action { .call(.resume(id)) }
    public static func transfer(_ id: CallID, to target: String) -> Action { .call(.transfer(id, to: target)) }
    public static func dial(_ id: CallID, to target: String) -> Action { .call(.dial(id, to: target)) }
    public static func incomingCall(_ call: IncomingCall) -> Action { .call(.incomingCall(call)) }
    public static func callerCancelled(_ id: CallID) -> Action { .call(.callerCancelled(id)) }
    public static func remoteHangUp(_ id: CallID) -> Action { .call(.remoteHangUp(id)) }
    public static func remoteAnswered(_ id: CallID) -> Action { .call(.remoteAnswered(id)) }
    public static func outboundFailed(_ id: CallID, status: Int, reason: String) -> Action {
        .call(.outboundFailed(id, status: status, reason: reason))
    }
    public static func remoteHold(_ id: CallID, _ held: Bool) -> Action { .call(.remoteHold(id, held)) }
    public static func mediaStats(_ id: CallID, _ stats: MediaStats) -> Action { .call(.mediaStats(id, stats)) }
    public static func sendDTMF(_ id: CallID, _ digit: Character) -> Action { .call(.sendDTMF(id, digit)) }
    public static func toggleMute(_ id: CallID) -> Action { .call(.toggleMute(id)) }
    public static func dtmfReceived(_ id: CallID, _ digit: Character) -> Action { .call(.dtmfReceived(id, digit)) }
    public static func earlyMedia(_ id: CallID) -> Action { .call(.earlyMedia(id)) }
    public static func remoteRinging(_ id: CallID) -> Action { .call(.remoteRinging(id)) }
    public static func mediaEncrypted(_ id: CallID, _ encrypted: Bool) -> Action { .call(.mediaEncrypted(id, encrypted)) }
    public static func timerFired(_ id: TimerID) -> Action { .call(.timerFired(id)) }
}
