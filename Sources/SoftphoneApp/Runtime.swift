import CallStore
import SoftphoneCore
import TerminalUI

/// Everything the screen shows, in one value: the reducer's state and the view's own
/// (tab, selection, overlays). The runtime keeps the only copy; views read snapshots.
public struct AppState: Sendable {
    public var core: SoftphoneState
    public var ui = UIState()
}

/// What the terminal thread needs to draw a frame: the state and the sorted Team tab.
public struct Frame: Sendable {
    public var app: AppState
    public var team: TeamTable
    public var identity: ScreenModel.Identity
    public var teamsConfigured: Bool

    /// The screen at `now` (the clock and the timers move without a new frame).
    public func screenModel(now: Instant, ascii: Bool, color: Bool) -> ScreenModel {
        ScreenModel(state: app.core, ui: app.ui, identity: identity, team: team,
                    history: app.core.history.records, now: now,
                    clock: WallClock.timeOfDay(now), timeOfDay: { WallClock.timeOfDay($0, seconds: false) },
                    teamsConfigured: teamsConfigured, ascii: ascii, color: color)
    }
}

/// Runs the softphone without any terminal: feeds keys, connector actions and due
/// timers to the reducer and carries out every effect it returns. One thread at a time
/// (`RuntimeHost` keeps it on the SIP line's event loop; the tests drive it directly).
public final class Runtime {
    /// The one store.
    public private(set) var app: AppState
    /// Something visible changed since the last `takeDirty()`.
    public private(set) var dirty = true

    public let identity: ScreenModel.Identity
    public let teamsConfigured: Bool
    let line: LineConnector
    let teams: TeamsConnector
    let callLog: CallLogWriter?
    let sources: [ScheduledSource]
    public let inbox: Inbox
    /// The reducer's timers: started and cancelled by effects, fired by `advance(to:)`.
    var timers = DeadlineQueue<TimerID, Instant>()
    private var dialCounter = 0
    /// The tones last asked of the line (ring, ringback).
    private var tones = (ring: false, ringback: false)
    /// The latest time handed to the reducer.
    private var clockFloor = Instant.epoch
    private var teamCache: (key: TeamCacheKey, table: TeamTable)?
    /// What was read or went wrong before the first action, handed to the reducer by `start(at:)`.
    private var startup: [Action] = []

    public init(settings: CoreSettings, identity: ScreenModel.Identity, line: LineConnector, teams: TeamsConnector,
                store: CallStore?, sources: [ScheduledSource], inbox: Inbox = Inbox(), teamsConfigured: Bool = true) {
        self.app = AppState(core: SoftphoneState(settings: settings))
        self.identity = identity
        self.line = line
        self.teams = teams
        self.sources = sources
        self.inbox = inbox
        self.teamsConfigured = teamsConfigured
        callLog = store.map { CallLogWriter(store: $0, failed: { inbox.post(.note(.error, $0)) }) }
        if let store {
            do {
                startup.append(.historyLoaded(try store.history(limit: CallHistory.limit)))
            } catch {
                startup.append(.note(.error, "cannot read the call log: \(error)"))
            }
        }
    }

    // MARK: Views of the store

    public var state: SoftphoneState { app.core }
    public var ui: UIState { app.ui }
    /// The call log, newest first, as far as the History tab shows it.
    public var history: [CallRecord] { app.core.history.records }
    public var roster: Roster { app.core.roster }

    /// Starts the day: logs in (which registers the line and resynchronizes Teams).
    public func start(at now: Instant) {
        let now = max(now, clockFloor)
        for action in startup { dispatch(action, at: now) }
        startup = []
        dispatch(.login, at: now)
    }

    // MARK: Input

    /// Handles a key. Returns `false` when the agent quits.
    public func handle(_ key: KeyInput, at now: Instant) -> Bool {
        let now = max(now, clockFloor)
        dirty = true
        if key == .resize { return true }
        let rowCounts: [Tab: Int] = [.team: teamTable().rows.count, .history: history.count, .log: state.log.count]
        for command in KeyMap.handle(key, ui: &app.ui, state: app.core, rowCounts: rowCounts) {
            switch command {
            case .send(let action):
                dispatch(action, at: now)
            case .dial(let target):
                dialCounter += 1
                dispatch(.dial(CallID("out-\(now.nanosecondsSinceEpoch)-\(dialCounter)"), to: target), at: now)
            case .quit:
                return false
            }
        }
        return true
    }

    /// Handles everything due up to `now` — timers, source actions, posted actions — in
    /// the order it happened. Time handed to the reducer never goes backwards.
    public func advance(to now: Instant) {
        let posted = inbox.drain()
        var nextPosted = 0
        // Bounded: a source that failed to move its deadline cannot hang the loop. The bound
        // counts timers and sources only: every posted action drained here is handled.
        var scheduledSteps = 0
        while true {
            let bounded = scheduledSteps < 10_000
            let timerAt = bounded ? timers.nextDeadline().flatMap { $0 <= now ? $0 : nil } : nil
            let source = bounded
                ? sources.compactMap { s in s.nextDeadline.flatMap { $0 <= now ? (s, $0) : nil } }.min { $0.1 < $1.1 }
                : nil
            let postedAt = nextPosted < posted.count ? min(posted[nextPosted].0, now) : nil
            guard let earliest = [timerAt, source?.1, postedAt].compactMap({ $0 }).min() else { return }
            let at = max(earliest, clockFloor)
            clockFloor = at
            if let timerAt, timerAt == earliest {
                scheduledSteps += 1
                for id in timers.takeDue(at: timerAt) { dispatch(.timerFired(id), at: at) }
            } else if let (source, due) = source, due == earliest {
                scheduledSteps += 1
                for action in source.actions(dueBy: due, now: now) { dispatch(action, at: at) }
            } else {
                dispatch(posted[nextPosted].1, at: at)
                nextPosted += 1
            }
        }
    }

    /// Ends the day on quit or a signal: logs out, so calls are hung up and recorded,
    /// the line de-registers and the softphone's Teams session is cleared.
    public func shutdown(at now: Instant) {
        logOut(at: now)
        closeConnectors()
    }

    /// The first half of `shutdown(at:)`, on the runtime's thread: handles what is due, then logs out.
    public func logOut(at now: Instant) {
        advance(to: now)
        dispatch(.logout, at: max(now, clockFloor))
    }

    /// The second half of `shutdown(at:)`, off the runtime's thread (it waits for the
    /// connectors): lets logout's requests and the call log's last writes go out.
    public func closeConnectors() {
        closer.closeConnectors()
        closer.flushCallLog()
    }

    /// Closes the connectors from another thread than the runtime's.
    public struct Closer: @unchecked Sendable {
        // The connectors are safe to close from any thread (they hop to their own);
        // they are not marked Sendable because the demo's in-process ones are not.
        fileprivate let line: LineConnector
        fileprivate let teams: TeamsConnector
        fileprivate let callLog: CallLogWriter?

        /// Lets logout's requests go out (the Teams session cleared, the line de-registered).
        public func closeConnectors() {
            teams.close(timeout: .seconds(2))
            line.close(timeout: .seconds(2))
        }

        /// Waits for the call log's last writes.
        public func flushCallLog() {
            callLog?.flush(timeout: .seconds(2))
        }
    }

    public var closer: Closer { Closer(line: line, teams: teams, callLog: callLog) }

    /// The earliest moment something is due (a timer or a source).
    public var nextDeadline: Instant? {
        ([timers.nextDeadline()] + sources.map(\.nextDeadline)).compactMap { $0 }.min()
    }

    public func takeDirty() -> Bool {
        defer { dirty = false }
        return dirty
    }

    // MARK: The reducer and its effects

    public func dispatch(_ action: Action, at now: Instant) {
        let logged = app.core.log.appended
        let effects = Reducer.reduce(&app.core, action, at: now)
        dirty = true
        for effect in effects { perform(effect, at: now) }
        let tones = (ring: app.core.ringToneWanted, ringback: app.core.ringbackWanted)
        if tones != self.tones {
            self.tones = tones
            line.setTones(ring: tones.ring, ringback: tones.ringback)
        }
        // Every Log-tab line goes to the log file too, after the effects (a 180 does not wait
        // for a log line); nothing is written before the log is set up.
        let added = app.core.log.appended - logged
        if added > 0 { for event in app.core.log.newest(added) { AppLog.record(event) } }
    }

    func perform(_ effect: Effect, at now: Instant) {
        switch effect {
        case .line(let command):
            line.perform(command, at: now)
        case .teams(let command):
            teams.perform(command, at: now)
        case .recordCall(let record):
            callLog?.record(record)
        case .recordPresence(let transition):
            callLog?.record(transition)
        case .startTimer(let id, let at):
            timers.start(id, at: at)
        case .cancelTimer(let id):
            timers.cancel(id)
        }
    }

    // MARK: The screen

    /// A snapshot for drawing on another thread.
    public func frame() -> Frame {
        Frame(app: app, team: teamTable(), identity: identity, teamsConfigured: teamsConfigured)
    }

    public func screenModel(now: Instant, ascii: Bool, color: Bool) -> ScreenModel {
        frame().screenModel(now: now, ascii: ascii, color: color)
    }

    private struct TeamCacheKey: Equatable {
        var version: Int
        var sort: RosterSort
        var filter: String
    }

    /// Sorting thousands of colleagues happens only when the roster, the sort or the filter change.
    func teamTable() -> TeamTable {
        let key = TeamCacheKey(version: roster.version, sort: ui.teamSort, filter: ui.teamFilter)
        if let cache = teamCache, cache.key == key { return cache.table }
        let table = roster.table(sort: key.sort, filter: key.filter)
        teamCache = (key, table)
        return table
    }
}
