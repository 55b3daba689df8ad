/// Identifies a call across the core, the SIP line and the call store
/// (for SIP calls: the Call-ID).
public struct CallID: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

/// The other end of a call.
public struct Party: Hashable, Sendable, Codable {
    public var number: String
    public var name: String?
    public init(number: String, name: String? = nil) {
        self.number = number
        self.name = name
    }

    /// "Name <number>" or just the number.
    public var display: String { name.map { "\($0) <\(number)>" } ?? number }
}

/// A call queue of the contact center (SPEC section 6, `[[queues]]`).
public struct Queue: Hashable, Sendable, Codable {
    public var name: String
    public var number: String
    /// Presence-based routing (R6) when on, the recommended setting; R7 when off.
    public var presenceBasedRouting: Bool
    public init(name: String, number: String, presenceBasedRouting: Bool) {
        self.name = name
        self.number = number
        self.presenceBasedRouting = presenceBasedRouting
    }
}

/// How an inbound call reached the agent.
public enum CallKind: Hashable, Sendable, Codable {
    /// Dialled to the agent's own extension.
    case direct
    /// Delivered by a call queue.
    case queue(Queue)

    public var queue: Queue? {
        if case .queue(let q) = self { return q }
        return nil
    }

    public var label: String { queue.map { "queue \($0.name)" } ?? "direct" }
}

public enum CallDirection: String, Sendable, Codable, Hashable {
    case inbound, outbound
}

/// An inbound call as the line reports it, before any decision.
public struct IncomingCall: Hashable, Sendable, Codable {
    public var id: CallID
    public var from: Party
    public var kind: CallKind
    public init(id: CallID, from: Party, kind: CallKind) {
        self.id = id
        self.from = from
        self.kind = kind
    }
}

/// What the agent configured for calls that are not signalled or not answered (R9).
public enum AnsweringRule: Hashable, Sendable, Codable {
    /// 486 Busy Here for direct calls, 480 Temporarily Unavailable for queue calls.
    case reject
    /// 302 to a colleague.
    case forward(target: String)
    /// 302 to the voicemail URI.
    case voicemail(target: String)

    public var kind: AnsweringRuleKind {
        switch self {
        case .reject: .reject
        case .forward: .forward
        case .voicemail: .voicemail
        }
    }

    public var target: String? {
        switch self {
        case .reject: nil
        case .forward(let t), .voicemail(let t): t
        }
    }
}

public enum AnsweringRuleKind: String, Sendable, Codable, Hashable, CaseIterable {
    case reject, forward, voicemail
}

/// The answering configuration: the rule and the no-answer time.
public struct AnsweringConfig: Hashable, Sendable, Codable {
    public var rule: AnsweringRule
    public var noAnswerSeconds: Int
    public init(rule: AnsweringRule = .reject, noAnswerSeconds: Int = 20) {
        self.rule = rule
        self.noAnswerSeconds = noAnswerSeconds
    }
}

/// A call that is ringing, active, on hold, or being dialled.
public struct CallInProgress: Hashable, Sendable, Codable {
    public enum Phase: String, Hashable, Sendable, Codable {
        /// Inbound, signalled, not yet answered.
        case ringing
        /// Outbound, not yet answered by the remote party.
        case dialing
        case active
        case held
    }

    public var id: CallID
    public var direction: CallDirection
    public var remote: Party
    public var kind: CallKind
    public var phase: Phase
    public var startedAt: Instant
    public var answeredAt: Instant?
    /// The remote party holds the call.
    public var remoteHold = false
    /// The audio so far; nil until the media layer reports.
    public var media: MediaStats?
    /// The agent's microphone is muted (the media sends silence); survives hold and resume.
    public var muted = false
    /// Outbound: the far side's early media (183 with SDP) is playing, so no local ringback.
    public var earlyMedia = false
    /// Outbound: the far side rings (a 180 or 183 came).
    public var remoteRinging = false
    /// The call's audio is encrypted (SRTP keyed by SDES); the Calls tab shows a lock.
    public var encrypted = false
    /// The DTMF digits the agent sent, the last `digitsKept`.
    public var digitsSent = ""
    /// The DTMF digits received (INFO or RFC 4733), the last `digitsKept`.
    public var digitsReceived = ""

    /// How many DTMF digits each way the call keeps for the Calls tab.
    public static let digitsKept = 24

    /// Whether `c` is a DTMF digit: `0`–`9`, `*`, `#`, `A`–`D`.
    public static func isDTMFDigit(_ c: Character) -> Bool { "0123456789*#ABCD".contains(c) }

    /// `c` as a DTMF digit (`a`–`d` upper-cased), or nil when it is none.
    public static func dtmfDigit(_ c: Character) -> Character? {
        let upper = c.uppercased()
        guard upper.count == 1, let digit = upper.first, isDTMFDigit(digit) else { return nil }
        return digit
    }

    /// `digits` with `c` appended, keeping the last `digitsKept`.
    static func appending(_ c: Character, to digits: String) -> String {
        String((digits + String(c)).suffix(digitsKept))
    }

    public init(id: CallID, direction: CallDirection, remote: Party, kind: CallKind,
                phase: Phase, startedAt: Instant, answeredAt: Instant? = nil) {
        self.id = id
        self.direction = direction
        self.remote = remote
        self.kind = kind
        self.phase = phase
        self.startedAt = startedAt
        self.answeredAt = answeredAt
    }

    /// Answered and not yet ended (active or held).
    public var isConnected: Bool { phase == .active || phase == .held }

    /// Whether a connected call has carried no audio from the other side for `grace` —
    /// none at all, or none lately — while the other side does not hold it.
    public func noAudioReceived(at now: Instant, grace: Duration = .seconds(3)) -> Bool {
        guard phase == .active, !remoteHold, let answeredAt, now - answeredAt >= grace else { return false }
        guard let media, let last = media.lastReceivedAt else { return true }
        return now - last >= grace
    }
}

/// RTP counters of one call.
public struct MediaStats: Hashable, Sendable, Codable {
    public var packetsSent: Int
    public var packetsReceived: Int
    /// When the last packet arrived; nil when none has.
    public var lastReceivedAt: Instant?
    /// The codec's name as SDP writes it: `opus`, `G722`, `PCMU`, `PCMA`.
    public var codec: String?

    public init(packetsSent: Int, packetsReceived: Int, lastReceivedAt: Instant?, codec: String? = nil) {
        self.packetsSent = packetsSent
        self.packetsReceived = packetsReceived
        self.lastReceivedAt = lastReceivedAt
        self.codec = codec
    }
}

/// How a call ended, for the call log (R10).
public enum CallOutcome: String, Sendable, Codable, Hashable, CaseIterable {
    /// Answered by the agent (or, outbound, by the remote party).
    case answered
    /// Rang and was not answered: the caller gave up, or the no-answer time passed.
    case missed
    /// Never signalled: it went straight to the answering rule.
    case diverted
    /// Declined by hand (603).
    case declined
    /// Outbound, and the remote party never answered.
    case unanswered
}

/// Where an unsignalled or unanswered call was sent.
public struct DiversionRecord: Hashable, Sendable, Codable {
    public var rule: AnsweringRuleKind
    public var sipStatus: Int
    public var target: String?
    public init(rule: AnsweringRuleKind, sipStatus: Int, target: String?) {
        self.rule = rule
        self.sipStatus = sipStatus
        self.target = target
    }
}

/// One finished call, as the call log keeps it.
public struct CallRecord: Hashable, Sendable, Codable {
    public var id: CallID
    public var direction: CallDirection
    public var remote: Party
    /// The queue's name for queue calls.
    public var queue: String?
    public var ringStartedAt: Instant
    public var answeredAt: Instant?
    public var endedAt: Instant
    public var outcome: CallOutcome
    public var diversion: DiversionRecord?
    /// Why it ended this way, for a person ("not signalled: Do not disturb").
    public var reason: String

    public init(id: CallID, direction: CallDirection, remote: Party, queue: String?,
                ringStartedAt: Instant, answeredAt: Instant?, endedAt: Instant,
                outcome: CallOutcome, diversion: DiversionRecord? = nil, reason: String) {
        self.id = id
        self.direction = direction
        self.remote = remote
        self.queue = queue
        self.ringStartedAt = ringStartedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.diversion = diversion
        self.reason = reason
    }
}

/// One change of the shown presence, as the presence history keeps it.
public struct PresenceTransition: Hashable, Sendable, Codable {
    public var from: Presence
    public var to: Presence
    public var setBy: PresenceSource
    public var at: Instant
    public init(from: Presence, to: Presence, setBy: PresenceSource, at: Instant) {
        self.from = from
        self.to = to
        self.setBy = setBy
        self.at = at
    }
}
