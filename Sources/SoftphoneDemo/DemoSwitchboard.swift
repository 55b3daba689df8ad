import SoftphoneApp
import SoftphoneCore

/// The phone system without a network, for the runtime tests on virtual time: registers
/// the line, lets callers give up or hang up after a while, answers the agent's outbound
/// calls. (`softphone --demo` uses `SIPSwitchboard`, which does this over loopback SIP.)
final class DemoSwitchboard: LineConnector, ScheduledSource, DemoCaller {
    /// How long a demo caller talks once answered.
    let talkTime: Duration
    private var agenda = Agenda()

    init(talkTime: Duration = .seconds(25)) {
        self.talkTime = talkTime
    }

    /// A caller dials the agent and will hang up after `patience` unless answered or diverted.
    func place(_ call: IncomingCall, patience: Duration, at now: Instant) -> [Action] {
        agenda.schedule(.callerCancelled(call.id), at: now + patience, tag: call.id.rawValue)
        return [.incomingCall(call)]
    }

    func perform(_ command: LineCommand, at now: Instant) {
        switch command {
        case .register:
            agenda.schedule(.lineStateChanged(.registering), at: now)
            agenda.schedule(.lineStateChanged(.registered), at: now + .milliseconds(150))
        case .unregister:
            agenda.schedule(.lineStateChanged(.unregistered), at: now + .milliseconds(50))
        case .ring, .hold, .resume, .publish, .sendDTMF, .mute:  // lead: wire (the demo line has no media)
            break
        case .answer(let id):
            agenda.cancel(tag: id.rawValue)
            agenda.schedule(.remoteHangUp(id), at: now + talkTime, tag: id.rawValue)
        case .respond(let id, _, _), .hangUp(let id), .transfer(let id, _), .cancelDial(let id):
            agenda.cancel(tag: id.rawValue)
        case .dial(let id, let target):
            if target.lowercased().contains("busy") {
                agenda.schedule(.outboundFailed(id, status: 486, reason: "Busy Here"), at: now + .seconds(2),
                                tag: id.rawValue)
            } else {
                agenda.schedule(.remoteAnswered(id), at: now + .seconds(2), tag: id.rawValue)
                agenda.schedule(.remoteHangUp(id), at: now + .seconds(2) + talkTime, tag: id.rawValue)
            }
        }
    }

    var nextDeadline: Instant? { agenda.nextDeadline }

    func actions(dueBy due: Instant, now: Instant) -> [Action] { agenda.takeDue(until: due) }
}
