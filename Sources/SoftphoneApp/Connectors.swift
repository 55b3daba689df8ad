import SoftphoneCore

/// Carries out the reducer's commands for the phone line. The SIP user agent
/// implements it (issue 5); the demo switchboard does now.
public protocol LineConnector: AnyObject {
    func perform(_ command: LineCommand, at now: Instant)
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

/// A source of events on a schedule (demo scenario, simulated peers), run on the UI
/// thread: the loop sleeps until `nextDeadline` and then calls `events(dueBy:now:)`.
public protocol ScheduledSource: AnyObject {
    var nextDeadline: Instant? { get }
    /// The events due by `due`. `now` is the real time, later than `due` when the loop
    /// was held up (a suspended process), so a source can tell history from the present.
    func events(dueBy due: Instant, now: Instant) -> [AppEvent]
}

/// The line when no SIP user agent is available in this build: calls cannot arrive,
/// and the Log tab says so once instead of pretending to register.
public final class UnavailableLine: LineConnector {
    private let inbox: Inbox
    private var told = false

    public init(reportingTo inbox: Inbox) { self.inbox = inbox }

    public func perform(_ command: LineCommand, at now: Instant) {
        guard !told else { return }
        told = true
        inbox.post(.action(.note(.line, "the SIP line is not part of this build yet: no calls can arrive")))
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
        inbox.post(.action(.teamsDisconnected(reason: reason)))
        inbox.post(.action(.note(.teams, reason)))
    }
}
