/// Commands for the SIP line.
public enum LineCommand: Hashable, Sendable {
    case register
    case unregister
    /// `100 Trying`, `180 Ringing`: the call is signalled.
    case ring(CallID)
    /// A final answer without ringing or after it: 302 (with `contact`), 480, 486, 603.
    case respond(CallID, status: Int, contact: String?)
    /// `200 OK` with an SDP answer.
    case answer(CallID)
    case hangUp(CallID)
    case hold(CallID)
    case resume(CallID)
    /// Blind transfer (REFER) to `target`.
    case transfer(CallID, target: String)
    case dial(CallID, target: String)
    case cancelDial(CallID)
    /// Send a DTMF digit on a connected call (RFC 4733, or SIP INFO without telephone-event).
    case sendDTMF(CallID, Character)
    /// Mute (true) or unmute the microphone of a call.
    case mute(CallID, Bool)
    /// The shown presence changed: publish it to the phone system's presence server
    /// (SIP PUBLISH; Logout removes the publication). Ignored when SIP presence is off.
    case publish(Presence)
}

/// Commands for the Teams connector.
public enum TeamsCommand: Hashable, Sendable {
    /// Make Teams hold this state; report `teamsDelivered(revision:)` when done.
    case push(TeamsDesired, revision: Int)
    /// Full resynchronization: pull the remote state, then push `desired` (when
    /// syncing to Teams); report `teamsDelivered(revision:)` when done.
    case resync(TeamsDesired?, revision: Int)
}

/// What the reducer asks the outside world to do. Plain values; connectors carry them out.
public enum Effect: Hashable, Sendable {
    case line(LineCommand)
    case teams(TeamsCommand)
    case recordCall(CallRecord)
    case recordPresence(PresenceTransition)
    /// Fire `timerFired(id)` at `at`; starting a running timer moves it.
    case startTimer(TimerID, at: Instant)
    case cancelTimer(TimerID)
}
