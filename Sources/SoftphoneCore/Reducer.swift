/// The softphone's state machine: `reduce(state, action, at:)` → new state + effects.
/// Pure: no clock, no I/O, no randomness.
public enum Reducer {
    /// Applies `action` at time `now` and returns what the outside world must do.
    public static func reduce(_ state: inout SoftphoneState, _ action: Action, at now: Instant) -> [Effect] {
        let shownBefore = state.presence
        let setByBefore = state.presenceSetBy
        let desiredBefore = state.teamsDesired
        var step = Step(now: now)

        switch action {
        case .presence(let action):
            reducePresence(&state, action, &step)
        case .call(let action):
            reduceCalls(&state, action, &step)
        case .colleague(let id, let name, let presence):
            state.roster.update(id: id, name: name, presence: presence, at: now)
        case .historyLoaded(let records):
            state.history = CallHistory(records)
        case .note(let kind, let text):
            step.log(&state, kind, text)
        }
        for case .recordCall(let record) in step.effects { state.history.insert(record) }

        let shown = state.presence
        if shown != shownBefore {
            let setBy = state.presenceSetBy
            step.effects.append(.recordPresence(PresenceTransition(from: shownBefore, to: shown, setBy: setBy, at: now)))
            step.effects.append(.line(.publish(shown)))
            step.log(&state, .presence, "presence \(shown.label) (set by \(setBy.label))")
        } else if state.presenceSetBy != setByBefore {
            step.log(&state, .presence, "presence \(shown.label) now set by \(state.presenceSetBy.label)")
        }

        let sync = state.settings.sync
        let desired = state.teamsDesired
        let wasPending = state.teamsPending
        defer {
            if !state.teamsPending { state.teamsPendingSince = nil }
            else if !wasPending { state.teamsPendingSince = now }
        }
        if step.resync, sync != .off {
            state.teamsRevision += 1
            step.effects.append(.teams(.resync(sync.pushesToTeams ? desired : nil, revision: state.teamsRevision)))
        } else if desired != desiredBefore, sync.pushesToTeams, !step.cameFromTeams {
            state.teamsRevision += 1
            step.effects.append(.teams(.push(desired, revision: state.teamsRevision)))
        }
        return step.effects
    }
}

/// What one reduction collects besides the state.
struct Step {
    let now: Instant
    var effects: [Effect] = []
    /// Ask for a full resynchronization with Teams.
    var resync = false
    /// The change came from Teams: do not echo it back.
    var cameFromTeams = false

    init(now: Instant) { self.now = now }

    func log(_ state: inout SoftphoneState, _ kind: LogEvent.Kind, _ text: String) {
        state.log.append(LogEvent(at: now, kind: kind, text: text))
    }
}
