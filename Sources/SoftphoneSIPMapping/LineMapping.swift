import PIDF
import SIPUserAgent
import SoftphoneCore

/// The app's side of the SIP line: the core's `LineCommand`s become the user agent's
/// `LineRequest`s, and the agent's `LineEvent`s become core `Action`s (or a watched
/// colleague's presence). Pure; the SIP targets know nothing of the softphone's model.
public struct LineMapping: Sendable {
    /// What the agent's events become for the core.
    public enum Report: Hashable, Sendable {
        case action(Action)
        /// A watched colleague's presence (by SIP URI), for the Team tab.
        case watched(uri: String, Presence)
    }

    /// Recognises queue calls from an INVITE's hints (SPEC section 6).
    public var queues: QueueDirectory
    /// The `entity` of published presence documents (the line's address of record).
    public var entity: String
    /// The contact published in presence documents.
    public var contact: String?

    public init(queues: QueueDirectory = QueueDirectory([]), entity: String, contact: String? = nil) {
        self.queues = queues
        self.entity = entity
        self.contact = contact
    }

    /// The mapping for a line with this configuration.
    public init(queues: QueueDirectory = QueueDirectory([]), configuration: LineAgentConfiguration) {
        self.init(queues: queues, entity: configuration.addressOfRecord.description,
                  contact: configuration.contactAddress)
    }

    // MARK: Core → agent

    public func request(for command: LineCommand) -> LineRequest {
        switch command {
        case .register: .register
        case .unregister: .unregister
        case .ring(let id): .ring(Self.line(id))
        case .respond(let id, let status, let contact): .respond(Self.line(id), status: status, contact: contact)
        case .answer(let id): .answer(Self.line(id))
        case .hangUp(let id): .hangUp(Self.line(id))
        case .hold(let id): .hold(Self.line(id))
        case .resume(let id): .resume(Self.line(id))
        case .transfer(let id, let target): .transfer(Self.line(id), target: target)
        case .dial(let id, let target): .dial(Self.line(id), target: target)
        case .cancelDial(let id): .cancelDial(Self.line(id))
        case .sendDTMF(let id, let digit): .sendDTMF(Self.line(id), digit)
        case .mute(let id, let on): .mute(Self.line(id), on)
        case .publish(let presence): .publish(document(for: presence))
        }
    }

    /// The document published for the shown presence: Logout removes the publication (nil),
    /// Appear offline is published as Offline — the point is that others cannot tell.
    public func document(for presence: Presence) -> PIDFDocument? {
        let published: Presence
        switch presence.state {
        case .logout: return nil
        case .appearOffline: published = Presence(.offline, outOfOffice: presence.outOfOffice)
        default: published = presence
        }
        return PIDFPresence.document(for: published, entity: entity, contact: contact)
    }

    // MARK: Agent → core

    public func report(for event: LineEvent) -> Report {
        switch event {
        case .registration(let state): .action(.lineStateChanged(Self.lineState(state)))
        case .incomingCall(let call):
            .action(.incomingCall(IncomingCall(id: Self.core(call.id), from: Self.party(call.caller),
                                               kind: queues.kind(for: Self.hints(call.hints)))))
        case .callerCancelled(let id): .action(.callerCancelled(Self.core(id)))
        case .remoteHangUp(let id): .action(.remoteHangUp(Self.core(id)))
        case .remoteAnswered(let id): .action(.remoteAnswered(Self.core(id)))
        case .outboundFailed(let id, let status, let reason):
            .action(.outboundFailed(Self.core(id), status: status, reason: reason))
        case .remoteHold(let id, let held): .action(.remoteHold(Self.core(id), held))
        case .dtmfReceived(let id, let digit): .action(.dtmfReceived(Self.core(id), digit))
        case .earlyMedia(let id): .action(.earlyMedia(Self.core(id)))
        case .remoteRinging(let id): .action(.remoteRinging(Self.core(id)))
        case .mediaEncrypted(let id, let encrypted): .action(.mediaEncrypted(Self.core(id), encrypted))
        case .watched(let uri, let document): .watched(uri: uri, PIDFPresence.presence(of: document) ?? Presence(.unknown))
        case .refused(let refusals): .action(.note(.line, Self.text(refusals)))
        case .note(let text): .action(.note(.line, text))
        }
    }

    /// The Log's line for INVITEs the inbound policy refused in one window:
    /// "ignored 8,000 INVITEs from 198.51.100.7 in 10 s (not the registrar)", or for the
    /// sources beyond those listed, "ignored 1,200 INVITEs from 340 other sources in 10 s".
    public static func text(_ refusals: InboundRefusals) -> String {
        let invites = refusals.count == 1 ? "1 INVITE" : "\(grouped(refusals.count)) INVITEs"
        let seconds = "in \(refusals.window.wholeSeconds) s"
        guard let source = refusals.source else {
            let sources = (refusals.moreSources ? "more than " : "") + grouped(refusals.sources)
                + (refusals.sources == 1 && !refusals.moreSources ? " other source" : " other sources")
            return "ignored \(invites) from \(sources) \(seconds)"
        }
        let why = switch refusals.reason {
        case .notFromRegistrar: " (not the registrar)"
        case .tooManyCalls: " (max_calls reached)"
        case nil: ""
        }
        return "ignored \(invites) from \(source) \(seconds)\(why)"
    }

    /// A count with its thousands grouped by commas: 8000 → "8,000".
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return (number < 0 ? "-" : "") + text
    }

    /// The core action of an event; nil for a watched colleague's presence.
    public func action(for event: LineEvent) -> Action? {
        if case .action(let action) = report(for: event) { action } else { nil }
    }

    /// The core action for a digit the media layer detected (RFC 4733 events) on a call.
    public static func detectedDigit(_ digit: Character, on id: LineCallID) -> Action {
        .dtmfReceived(core(id), digit)
    }

    // MARK: Vocabulary

    public static func line(_ id: CallID) -> LineCallID { LineCallID(id.rawValue) }
    public static func core(_ id: LineCallID) -> CallID { CallID(id.rawValue) }
    public static func caller(_ party: Party) -> LineCaller { LineCaller(number: party.number, name: party.name) }
    public static func party(_ caller: LineCaller) -> Party { Party(number: caller.number, name: caller.name) }

    public static func hints(_ hints: LineCallHints) -> QueueDirectory.CallHints {
        QueueDirectory.CallHints(toUser: hints.toUser, redirectingUsers: hints.redirectingUsers, xQueue: hints.xQueue)
    }

    public static func lineState(_ state: RegistrationState) -> LineState {
        switch state {
        case .listening: .listening
        case .registering: .registering
        case .registered: .registered
        case .unregistered: .unregistered
        case .failed(let reason): .failed(reason: reason)
        }
    }
}
