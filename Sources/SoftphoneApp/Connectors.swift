import SoftphoneCore

/// Carries out the reducer's commands for the phone line: the SIP user agent
/// (`SIPLineConnector`), or the in-process demo switchboard of the virtual-time tests.
public protocol LineConnector: AnyObject {
    func perform(_ command: LineCommand, at now: Instant)
    /// On quit: let what was already asked (logout's de-registration) go out within `timeout`, then stop.
    func close(timeout: Duration)
    /// The tones the state asks for (derived after every action): the ring tone while a
    /// signalled call rings, the ringback while an outbound call rings without early media.
    func setTones(ring: Bool, ringback: Bool)
}

extension LineConnector {
    public func close(timeout: Duration) {}
    public func setTones(ring: Bool, ringback: Bool) {}
}

/// Carries out the reducer's commands for Teams. The Graph client implements it
/// (issue 4); the demo Teams does now.
public protocol TeamsConnector: AnyObject {
    func perform(_ command: TeamsCommand, at now: Instant)
    /// On quit: deliver what was already asked (logout's clearing) within `timeout`, then stop.
    func close(timeout: Duration)
}

extension TeamsConnector {
    public func close(timeout: Duration) {}
}

/// A source of actions on a schedule (demo scenario, simulated peers), run on the
/// runtime's thread: it waits until `nextDeadline` and then calls `actions(dueBy:now:)`.
public protocol ScheduledSource: AnyObject {
    var nextDeadline: Instant? { get }
    /// The actions due by `due`. `now` is the real time, later than `due` when the loop
    /// was held up (a suspended process), so a source can tell history from the present.
    func actions(dueBy due: Instant, now: Instant) -> [Action]
}

/// The line when the SIP user agent cannot run (its address cannot be bound): calls
/// cannot arrive; the status bar shows the failure and the Log tab says why, once.
public final class UnavailableLine: LineConnector {
    private let inbox: Inbox
    private let reason: String
    private var told = false

    public init(reportingTo inbox: Inbox, reason: String) {
        self.inbox = inbox
        self.reason = reason
    }

    public func perform(_ command: LineCommand, at now: Instant) {
        guard !told else { return }
        told = true
        inbox.post(.lineStateChanged(.failed(reason: "cannot listen")))
        inbox.post(.note(.line, reason))
    }
}

/// Teams when it cannot be used (not configured, sync off, no secret): stays
/// disconnected (❎) and says why once.
public final class UnavailableTeams: TeamsConnector {
    private let inbox: Inbox
    private var told = false

    public init(reportingTo inbox: Inbox) { self.inbox = inbox }

    public func perform(_ command: TeamsCommand, at now: Instant) {
        guard !told else { return }
        told = true
        let reason = "Teams is not configured"
        inbox.post(.teamsDisconnected(reason: reason))
        inbox.post(.note(.teams, reason))
    }
}
