import CallStore
import SoftphoneCore
import TerminalUI

/// Runs the softphone without any terminal: feeds keys, connector events and due
/// timers to the reducer, carries out its effects, and keeps what the screen shows.
/// One thread; the terminal loop (`TerminalApp`) and the tests drive it.
public final class Runtime {
    public private(set) var state: SoftphoneState
    public private(set) var ui = UIState()
    public private(set) var roster = Roster()
    /// The call log, newest first, as far as the History tab shows it.
    public private(set) var history: [CallRecord] = []
    /// Something visible changed since the last `takeDirty()`.
    public private(set) var dirty = true

    public let identity: ScreenModel.Identity
    public let teamsConfigured: Bool
    let line: LineConnector
    let teams: TeamsConnector
    let store: CallStore?
    let sources: [ScheduledSource]
    public let inbox: Inbox
    /// The reducer's timers: started and cancelled by effects, fired by `advance(to:)`.
    var timers = DeadlineQueue<TimerID, Instant>()
    private var dialCounter = 0
    /// The latest time handed to the reducer.
    private var clockFloor = Instant.epoch
    private var teamCache: (key: TeamCacheKey, table: TeamTable)?

    static let historyLimit = 500

    public init(settings: CoreSettings, identity: ScreenModel.Identity, line: LineConnector, teams: TeamsConnector,
                store: CallStore?, sources: [ScheduledSource], inbox: Inbox = Inbox(), teamsConfigured: Bool = true) {
        self.state = SoftphoneState(settings: settings)
        self.identity = identity
        self.line = line
        self.teams = teams
        self.store = store
        self.sources = sources
        self.inbox = inbox
        self.teamsConfigured = teamsConfigured
        if let store {
            do {
                history = try store.history(limit: Self.historyLimit)
            } catch {
                note(.error, "cannot read the call log: \(error)", at: .epoch)
            }
        }
    }

    /// Starts the day: logs in (which registers the line and resynchronizes Teams).
    public func start(at now: Instant) {
        dispatch(.login, at: now)
    }

    // MARK: Input

    /// Handles a key. Returns `false` when the agent quits.
    public func handle(_ key: KeyInput, at now: Instant) -> Bool {
        dirty = true
        if key == .resize { return true }
        let rowCounts: [Tab: Int] = [.team: teamTable().rows.count, .history: history.count, .log: state.log.count]
        for command in KeyMap.handle(key, ui: &ui, state: state, rowCounts: rowCounts) {
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

    /// Handles one event from a connector or a source.
    public func handle(_ event: AppEvent, at now: Instant) {
        switch event {
        case .action(let action):
            dispatch(action, at: now)
        case .colleague(let id, let name, let presence):
            roster.update(id: id, name: name, presence: presence, at: now)
            if ui.tab == .team { dirty = true }
        }
    }

    /// Handles everything due up to `now` — timers, source events, posted events — in
    /// the order it happened. Time handed to the reducer never goes backwards.
    public func advance(to now: Instant) {
        let posted = inbox.drain()
        var nextPosted = 0
        // Bounded: a source that failed to move its deadline cannot hang the loop. The bound
        // counts timers and sources only: every posted event drained here is handled.
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
                for event in source.events(dueBy: due, now: now) { handle(event, at: at) }
            } else {
                handle(posted[nextPosted].1, at: at)
                nextPosted += 1
            }
        }
    }

    /// Ends the day on quit or a signal: logs out, so calls are hung up and recorded,
    /// the line de-registers and the softphone's Teams session is cleared.
    public func shutdown(at now: Instant) {
        advance(to: now)
        dispatch(.logout, at: max(now, clockFloor))
        teams.close(timeout: .seconds(2))
        line.close(timeout: .seconds(2))
    }

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
        let effects = Reducer.reduce(&state, action, at: now)
        dirty = true
        for effect in effects { perform(effect, at: now) }
    }

    func perform(_ effect: Effect, at now: Instant) {
        switch effect {
        case .line(let command):
            line.perform(command, at: now)
        case .teams(let command):
            teams.perform(command, at: now)
        case .recordCall(let record):
            history.insert(record, at: 0)
            if history.count > Self.historyLimit { history.removeLast() }
            do { try store?.record(record) } catch { note(.error, "\(error)", at: now) }
        case .recordPresence(let transition):
            do { try store?.record(transition) } catch { note(.error, "\(error)", at: now) }
        case .startTimer(let id, let at):
            timers.start(id, at: at)
        case .cancelTimer(let id):
            timers.cancel(id)
        }
    }

    private func note(_ kind: LogEvent.Kind, _ text: String, at now: Instant) {
        _ = Reducer.reduce(&state, .note(kind, text), at: now)
    }

    // MARK: The screen

    public func screenModel(now: Instant, ascii: Bool, color: Bool) -> ScreenModel {
        ScreenModel(state: state, ui: ui, identity: identity, team: teamTable(), history: history, now: now,
                    clock: WallClock.timeOfDay(now), timeOfDay: { WallClock.timeOfDay($0, seconds: false) },
                    teamsConfigured: teamsConfigured, ascii: ascii, color: color)
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
