import SoftphoneCore
import Synchronization

/// Roster churn for the demo: every `every`, a few random colleagues' Teams clients or
/// calendars change (`PUT /_emulator/churn`). Seeded, so a demo run repeats.
final class ChurnDriver: Sendable {
    private let engine: PresenceEngine
    private let state = Mutex<(options: ChurnOptions?, task: Task<Void, Never>?)>((nil, nil))

    init(engine: PresenceEngine) { self.engine = engine }

    var options: ChurnOptions? { state.withLock { $0.options } }

    /// Starts, restarts (with a fresh generator) or, with `nil`, stops the churn.
    func configure(_ options: ChurnOptions?) {
        let engine = self.engine
        let old = state.withLock { state -> Task<Void, Never>? in
            let old = state.task
            state.options = options
            state.task = nil
            if let options, options.every > .zero {
                state.task = Task {
                    var generator = SeededGenerator(seed: options.seed)
                    while !Task.isCancelled {
                        try? await Task.sleep(for: options.every)
                        if Task.isCancelled { return }
                        let colleagues = await engine.userIDs(colleaguesOnly: true)
                        guard !colleagues.isEmpty else { continue }
                        var edits: [SessionEdit] = []
                        for _ in 0..<max(1, options.changesPerTick) {
                            let id = colleagues.randomElement(using: &generator)!
                            edits.append(contentsOf: Self.randomEdits(for: id, using: &generator))
                        }
                        await engine.apply(edits)
                    }
                }
            }
            return old
        }
        old?.cancel()
    }

    func stop() { configure(nil) }

    /// Session ids churn uses; the control API can use them too.
    static let clientSessionID = "teams-client"
    static let calendarSessionID = "calendar"

    /// One random thing a colleague's Teams does: a state of the Teams client, a meeting
    /// starting or ending, or signing out.
    static func randomEdits(for userID: String, using generator: inout SeededGenerator) -> [SessionEdit] {
        let clientStates: [(PresencePair, Int)] = [
            (PresencePair(.available, .available), 6),
            (PresencePair(.busy, .inACall), 3),
            (PresencePair(.busy, .busy), 1),
            (PresencePair(.doNotDisturb, .presenting), 1),
            (PresencePair(.doNotDisturb, .doNotDisturb), 1),
            (PresencePair(.away, .away), 2),
            (PresencePair(.beRightBack, .beRightBack), 1),
        ]
        let roll = Int.random(in: 0..<20, using: &generator)
        switch roll {
        case 0..<2:
            return [SessionEdit(userID: userID, sessionID: calendarSessionID, kind: .calendar,
                                pair: PresencePair(.busy, .inAMeeting))]
        case 2..<4:
            return [SessionEdit(userID: userID, sessionID: calendarSessionID, kind: .calendar, pair: nil)]
        case 4:
            return [SessionEdit(userID: userID, sessionID: clientSessionID, kind: .teamsClient, pair: nil),
                    SessionEdit(userID: userID, sessionID: calendarSessionID, kind: .calendar, pair: nil)]
        default:
            let total = clientStates.map(\.1).reduce(0, +)
            var pick = Int.random(in: 0..<total, using: &generator)
            for (pair, weight) in clientStates {
                if pick < weight {
                    return [SessionEdit(userID: userID, sessionID: clientSessionID, kind: .teamsClient, pair: pair)]
                }
                pick -= weight
            }
            return []
        }
    }
}
