import SDP
import SIP

/// The timers the line's user agent runs; the driver fires them back as `LineInput.timerFired`.
public enum LineTimer: Hashable, Sendable {
    /// A transaction timer (A–K) of one transaction.
    case transaction(TransactionKey, TransactionTimer)
    /// Time to refresh the registration.
    case registrationRefresh
    /// Time to try registering again after a failure.
    case registrationRetry
    /// Time for the next keep-alive to the registrar's hop (while registered).
    case keepAlive
    /// A REGISTER to one of several located servers went unanswered this long: try the next.
    case registrationFailover
    /// Retransmit the 2xx to an INVITE of this call (RFC 3261 §13.3.1.4) until the ACK.
    case okRetransmit(callID: String)
    /// No ACK for the 2xx after 64·T1: the call is broken.
    case okTimeout(callID: String)
    /// Send the wanted hold/resume re-INVITE again after a 491 (RFC 3261 §14.1).
    case reinviteRetry(callID: String)
    /// A blind transfer got no final NOTIFY in time: end the call anyway.
    case transferTimeout(callID: String)
    /// We refresh this call's session (RFC 4028): half its interval has passed.
    case sessionRefresh(callID: String)
    /// No refresh of this call's session came in time (RFC 4028 §10): the call is ended.
    case sessionExpiry(callID: String)
    /// Send this call's reliable provisional response again until its PRACK (RFC 3262 §3).
    case provisionalRetransmit(callID: String)
    /// No PRACK for this call's reliable provisional response after 64·T1.
    case provisionalTimeout(callID: String)
    /// Refresh our presence publication, or try publishing again after a failure.
    case publication
    /// Refresh a subscription to a colleague's presence, or subscribe again after a failure.
    case subscription(uri: String)
    /// The end of a window of INVITEs refused by the inbound policy: time for their summary.
    case refusalSummary
}

/// Where and how to send RTP for a call.
public struct MediaPlan: Hashable, Sendable {
    public var remoteHost: String
    public var remotePort: UInt16
    public var payloadType: UInt8
    /// The rtpmap encoding name: `opus`, `G722`, `PCMU` or `PCMA` (`Codec(named:)` takes it).
    public var codec: String
    /// The codec's RTP clock rate (48000 for Opus, 8000 for G.722 and G.711).
    public var clockRate: UInt32
    /// The RFC 4733 telephone-event payload type agreed for the call; nil when the other side
    /// offered none (DTMF then goes by SIP INFO).
    public var telephoneEventPayloadType: UInt8?
    /// The telephone-event's clock rate when it is not the codec's (a peer pairing Opus with
    /// telephone-event/8000): RFC 4733 durations count in it. nil when they agree.
    public var telephoneEventClockRate: UInt32?
    /// Whether we send (false on hold when the agreed direction excludes it, and for early media).
    public var sending: Bool
    /// The SRTP master keys when the call is encrypted (SDES); nil for plain RTP.
    public var srtp: SRTPMasterKeys?

    public init(remoteHost: String, remotePort: UInt16, payloadType: UInt8, codec: String, clockRate: UInt32 = 8000,
                telephoneEventPayloadType: UInt8? = nil, telephoneEventClockRate: UInt32? = nil, sending: Bool,
                srtp: SRTPMasterKeys? = nil) {
        self.srtp = srtp
        self.telephoneEventClockRate = telephoneEventClockRate
        self.remoteHost = remoteHost
        self.remotePort = remotePort
        self.payloadType = payloadType
        self.codec = codec
        self.clockRate = clockRate
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.sending = sending
    }
}

/// What the user agent asks of the media layer.
public enum MediaCommand: Hashable, Sendable {
    /// Allocate an RTP port for the call; answer with `mediaOpened` or `mediaFailed`.
    case open(LineCallID)
    /// Send and receive as planned (again after a re-INVITE changed something).
    case start(LineCallID, MediaPlan)
    /// Stop and release the port.
    case close(LineCallID)
    /// Send this DTMF digit as RFC 4733 events on the plan's telephone-event payload type.
    case dtmf(LineCallID, Character)
    /// Send silence instead of the microphone (true), or the microphone again (false).
    case mute(LineCallID, Bool)
}

/// Everything that reaches the user agent.
public enum LineInput: Sendable {
    /// A message from the transport (requests already Via-stamped) and where it came from.
    case received(SIPMessage, from: SIPHop)
    /// A request from the app (on behalf of the agent or its policy).
    case command(LineRequest)
    /// Place a call as `caller` (our own identity when nil) with extra headers (`X-Queue`,
    /// `Diversion`, …): what a switchboard or a test caller does with this agent.
    case place(LineCallID, to: String, caller: LineCaller?, headers: [SIPHeader])
    case timerFired(LineTimer)
    case mediaOpened(LineCallID, port: UInt16)
    case mediaFailed(LineCallID, reason: String)
    /// The transport could not send a request of this transaction.
    case sendFailed(TransactionKey, reason: String)
    /// The servers located for the registrar (or outbound proxy) after `LineOutput.locate`,
    /// in the order to try them (RFC 3263); empty with `failure` (what was asked and what
    /// failed, for the Log) when none was found.
    case targets([SIPHop], failure: String? = nil)
}

/// Everything the user agent asks its driver to do, in order.
public enum LineOutput: Sendable, Equatable {
    /// Send a request (or an ACK) to a hop; report failures with `sendFailed` when `transaction` is set.
    case send(SIPMessage, to: SIPHop, transaction: TransactionKey?)
    /// Send a response to a request that came from `origin` (RFC 3261 §18.2.2 routing).
    case respond(SIPResponse, toRequestFrom: SIPHop)
    /// Start (or restart) a timer.
    case startTimer(LineTimer, after: Duration)
    case cancelTimer(LineTimer)
    /// Report an event to the app.
    case report(LineEvent)
    case media(MediaCommand)
    /// Send a keep-alive to the hop the line registers through (RFC 5626 §4.4.1): a CRLF
    /// datagram on UDP, a double CRLF on a stream connection, which it also keeps open.
    case keepAlive(SIPHop)
    /// Locate the servers of this URI (RFC 3263, off the event loop) and answer with
    /// `LineInput.targets`. Only when `LineAgentConfiguration.locatesServers` is set.
    case locate(SIPURI)
}
