/// The rules of SPEC section 3, by name, so every decision can cite one.
public enum SpecRule: String, Sendable, Codable, Hashable, CaseIterable {
    case r1 = "R1", r2 = "R2", r3 = "R3", r4 = "R4", r5 = "R5", r6 = "R6", r7 = "R7"
    case r8 = "R8", r9 = "R9", r10 = "R10", r11 = "R11", r12 = "R12", r13 = "R13"
}

/// What the policy needs to know about the agent when a call arrives.
public struct PolicyContext: Hashable, Sendable {
    /// The agent's presence for the decision: the chosen or Teams presence, or
    /// Wrap-up while wrap-up runs. Never Ring or On a call: calls in progress are
    /// counted in `callsInProgress` instead.
    public var presence: Presence
    public var loggedIn: Bool
    /// Calls ringing, being dialled, active or held.
    public var callsInProgress: Int
    public var answering: AnsweringConfig

    public init(presence: Presence, loggedIn: Bool, callsInProgress: Int, answering: AnsweringConfig) {
        self.presence = presence
        self.loggedIn = loggedIn
        self.callsInProgress = callsInProgress
        self.answering = answering
    }
}

/// Where the answering rule sends a call, and why.
public struct Diversion: Hashable, Sendable {
    public var rule: AnsweringRule
    /// 486 or 480 for reject, 302 for forward and voicemail.
    public var sipStatus: Int
    public var specRule: SpecRule
    public var reason: String

    public var target: String? { rule.target }
    public var record: DiversionRecord { DiversionRecord(rule: rule.kind, sipStatus: sipStatus, target: target) }
}

/// The policy's answer for an inbound call.
public enum SignallingDecision: Hashable, Sendable {
    /// Ring and pop up the call.
    case signal(SpecRule, reason: String)
    /// Do not ring; answer with the answering rule.
    case divert(Diversion)
    /// Logged out: the line should not receive calls at all (R1). Not recorded.
    case refuse(sipStatus: Int, SpecRule, reason: String)

    public var isSignalled: Bool {
        if case .signal = self { return true }
        return false
    }

    public var specRule: SpecRule {
        switch self {
        case .signal(let rule, _), .refuse(_, let rule, _): rule
        case .divert(let d): d.specRule
        }
    }

    /// For a person: "signalled: direct call, Available" or "not signalled: Presenting".
    public var reason: String {
        switch self {
        case .signal(_, let reason), .refuse(_, _, let reason): reason
        case .divert(let d): d.reason
        }
    }
}

/// Whether the agent may place a call now (R2).
public enum OutboundDecision: Hashable, Sendable {
    case allowed
    case refused(SpecRule, reason: String)

    public var isAllowed: Bool { self == .allowed }
}

/// The signalling rules R1–R9 as a pure function. No state, no clock, no I/O.
public enum SignallingPolicy {
    /// SIP status for a call that reaches a logged-out line (R1).
    public static let loggedOutStatus = 480
    /// SIP status for a call the agent declines by hand (R9).
    public static let declineStatus = 603

    /// Decides whether an inbound call of `kind` is signalled.
    public static func decide(_ kind: CallKind, _ context: PolicyContext) -> SignallingDecision {
        guard context.loggedIn else {
            return .refuse(sipStatus: loggedOutStatus, .r1, reason: "not signalled: logged out")
        }
        let presence = context.presence
        let label = presence.label
        let onCall = context.callsInProgress > 0
        func divert(_ rule: SpecRule, _ reason: String) -> SignallingDecision {
            .divert(diversion(for: kind, answering: context.answering.rule, specRule: rule, reason: reason))
        }

        switch kind {
        case .direct:
            if presence.isDoNotDisturb {
                return onCall
                    ? divert(.r5, "not signalled: \(label) (call waiting)")
                    : divert(.r2, "not signalled: \(label)")
            }
            if onCall { return .signal(.r5, reason: "signalled: call waiting, \(label)") }
            if presence.outOfOffice {
                return .signal(.r3, reason: "signalled: \(label) (out of office does not stop calls)")
            }
            return .signal(.r4, reason: "signalled: direct call, \(label)")

        case .queue(let queue):
            if onCall { return divert(.r8, "not signalled: queue \(queue.name) call while on a call") }
            if presence.isDoNotDisturb { return divert(.r2, "not signalled: \(label)") }
            if queue.presenceBasedRouting {
                return presence.state == .available
                    ? .signal(.r6, reason: "signalled: queue \(queue.name), \(label)")
                    : divert(.r6, "not signalled: \(label) (queue \(queue.name) routes by presence, needs Available)")
            }
            switch presence.category {
            case .available, .away, .busy, .offline:
                return .signal(.r7, reason: "signalled: queue \(queue.name), \(label)")
            case .doNotDisturb, .unknown:
                return divert(.r7, "not signalled: \(label) (queue \(queue.name))")
            }
        }
    }

    /// The answering rule for a signalled call that rang past the no-answer time (R9).
    public static func noAnswer(_ kind: CallKind, answering: AnsweringConfig) -> Diversion {
        diversion(for: kind, answering: answering.rule, specRule: .r9,
                  reason: "not answered within \(answering.noAnswerSeconds) s")
    }

    /// The SIP answer the answering rule gives (R9): 302 to the target for forward
    /// and voicemail; 486 for direct and 480 for queue calls when rejecting.
    public static func diversion(for kind: CallKind, answering rule: AnsweringRule,
                                 specRule: SpecRule, reason: String) -> Diversion {
        let status: Int
        switch rule {
        case .reject: status = kind.queue == nil ? 486 : 480
        case .forward, .voicemail: status = 302
        }
        return Diversion(rule: rule, sipStatus: status, specRule: specRule, reason: reason)
    }

    /// Outbound calls are impossible in ⛔ states (R2) and while logged out (R1).
    public static func outbound(_ context: PolicyContext) -> OutboundDecision {
        guard context.loggedIn else { return .refused(.r1, reason: "cannot call: logged out") }
        if context.presence.isDoNotDisturb {
            return .refused(.r2, reason: "cannot call in \(context.presence.label)")
        }
        return .allowed
    }
}
