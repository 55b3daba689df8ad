import PIDF
import SIP

/// A call as the user agent names it: the SIP Call-ID of an inbound call, or the id the
/// caller of `LineRequest.dial` chose for an outbound one.
public struct LineCallID: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
}

/// Who calls (or who we call as): a number (the user part of a URI, or the whole URI) and
/// a display name, both free of control characters.
public struct LineCaller: Hashable, Sendable {
    public var number: String
    public var name: String?
    public init(number: String, name: String? = nil) {
        self.number = number
        self.name = name
    }

    /// "Name <number>" or just the number.
    public var display: String { name.map { "\($0) <\(number)>" } ?? number }
}

/// What an INVITE says about how the call reached the line (SPEC section 6): the To user,
/// the users of Diversion and History-Info entries (and the Request-URI user when it is
/// not the To user), and an X-Queue header. The app decides from these which queue rang.
public struct LineCallHints: Hashable, Sendable {
    public var toUser: String?
    public var redirectingUsers: [String]
    public var xQueue: String?
    public init(toUser: String?, redirectingUsers: [String], xQueue: String?) {
        self.toUser = toUser
        self.redirectingUsers = redirectingUsers
        self.xQueue = xQueue
    }
}

/// An inbound call offered to the line, waiting for `ring` or `respond`.
public struct LineIncomingCall: Hashable, Sendable {
    public var id: LineCallID
    public var caller: LineCaller
    public var hints: LineCallHints
    public init(id: LineCallID, caller: LineCaller, hints: LineCallHints) {
        self.id = id
        self.caller = caller
        self.hints = hints
    }
}

/// The registration as the user agent sees it.
public enum RegistrationState: Hashable, Sendable {
    /// No registrar configured: the line only listens.
    case listening
    case registering
    case registered
    case unregistered
    case failed(reason: String)
}

/// What the user agent is asked to do (by the app, on behalf of the agent or its policy).
public enum LineRequest: Hashable, Sendable {
    /// Log in: register, subscribe to watched colleagues.
    case register
    /// Log out: de-register, end subscriptions.
    case unregister
    /// Ring the offered call (180 Ringing) and ready its media.
    case ring(LineCallID)
    /// A final answer without (or after) ringing: 3xx with `contact`, 480, 486, 603…
    case respond(LineCallID, status: Int, contact: String?)
    /// Answer (200 OK with our SDP once media is ready).
    case answer(LineCallID)
    case hangUp(LineCallID)
    case hold(LineCallID)
    case resume(LineCallID)
    /// Blind transfer (REFER) to a number or SIP address.
    case transfer(LineCallID, target: String)
    /// Call a number or SIP address.
    case dial(LineCallID, target: String)
    case cancelDial(LineCallID)
    /// Send a DTMF digit (`0`–`9`, `*`, `#`, `A`–`D`) on a confirmed call: RFC 4733 through the
    /// media when the call negotiated telephone-event, else SIP INFO (`application/dtmf-relay`).
    case sendDTMF(LineCallID, Character)
    /// Mute (true) or unmute the microphone of a call: the media sends silence meanwhile.
    case mute(LineCallID, Bool)
    /// Publish this presence document (RFC 3903); nil removes the publication.
    case publish(PIDFDocument?)
}

/// What the user agent reports (the app maps these to its own actions).
public enum LineEvent: Hashable, Sendable {
    case registration(RegistrationState)
    case incomingCall(LineIncomingCall)
    /// The caller gave up before the call was answered (CANCEL, BYE, or our answer failed).
    case callerCancelled(LineCallID)
    /// The other side ended an answered call (or the dialog broke).
    case remoteHangUp(LineCallID)
    /// Our outbound call was answered.
    case remoteAnswered(LineCallID)
    case outboundFailed(LineCallID, status: Int, reason: String)
    /// The other side put the call on hold (true) or resumed it (false).
    case remoteHold(LineCallID, Bool)
    /// The other side sent a DTMF digit by SIP INFO (`application/dtmf-relay` or `application/dtmf`).
    case dtmfReceived(LineCallID, Character)
    /// A provisional answer to our INVITE carried SDP: the far side's early media (ringback,
    /// announcements) is being received. Reported once per call.
    case earlyMedia(LineCallID)
    /// The call's media is (true) or is not (false) SRTP, as its latest offer/answer settled.
    case mediaEncrypted(LineCallID, Bool)
    /// The far side rings: the first 180 or 183 to our INVITE.
    case remoteRinging(LineCallID)
    /// A NOTIFY of a watched colleague (by SIP URI) carried this presence document.
    case watched(uri: String, PIDFDocument)
    /// INVITEs the inbound policy refused (403 or 486, statelessly, without ringing) in one
    /// window, from one source or from the sources beyond those listed: one Log line each.
    case refused(InboundRefusals)
    /// Something worth a line in the Log.
    case note(String)
}
