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
}

/// A source of events on a schedule (demo scenario, simulated peers), run on the UI
/// thread: the loop sleeps until `nextDeadline` and then calls `events(until:)`.
public protocol ScheduledSource: AnyObject {
    var nextDeadline: Instant? { get }
    func events(until now: Instant) -> [AppEvent]
}

/// The line when no SIP user agent is available in this build: calls cannot arrive,
/// and the Log tab says so once instead of pretending to register.
public final class UnavailableLine: LineConnector, ScheduledSource {
    private var pending: [AppEvent] = []
    private var told = false

    public init() {}

    public func perform(_ command: LineCommand, at now: Instant) {
        guard !told else { return }
        told = true
        pending.append(.action(.note(.line, "the SIP line is not part of this build yet: no calls can arrive")))
    }

    public var nextDeadline: Instant? { pending.isEmpty ? nil : .epoch }

    public func events(until now: Instant) -> [AppEvent] {
        defer { pending = [] }
        return pending
    }
}

/// Teams when no Graph client is available in this build: stays disconnected (❎)
/// and says why once.
public final class UnavailableTeams: TeamsConnector, ScheduledSource {
    private var pending: [AppEvent] = []
    private var told = false

    public init() {}

    public func perform(_ command: TeamsCommand, at now: Instant) {
        guard !told else { return }
        told = true
        pending.append(.action(.teamsDisconnected(reason: "the Teams connection is not part of this build yet")))
        pending.append(.action(.note(.teams, "the Teams connection is not part of this build yet")))
    }

    public var nextDeadline: Instant? { pending.isEmpty ? nil : .epoch }

    public func events(until now: Instant) -> [AppEvent] {
        defer { pending = [] }
        return pending
    }
}
