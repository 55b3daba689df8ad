import SoftphoneApp
import SoftphoneCore
import TeamsEmulator

/// The scripted demo: every two minutes, direct and queue calls arrive, the Teams app
/// presents, a meeting starts, out of office goes on, Teams drops out for a moment;
/// meanwhile colleagues change presence. It only produces events — the real reducer
/// decides what rings.
final class DemoScenario: ScheduledSource {
    static let cycle: Duration = .seconds(120)
    static let sales = Queue(name: "Sales", number: "700", presenceBasedRouting: true)
    static let support = Queue(name: "Support", number: "701", presenceBasedRouting: false)

    /// One scripted step, at an offset into the cycle.
    enum Step {
        case call(name: String, number: String, kind: CallKind, patience: Int)
        case teamsApp(PresencePair)
        case calendar(PresencePair?)
        case outOfOffice(Bool)
        case teamsOutage
        case teamsBack
    }

    static let script: [(offset: Int, step: Step)] = [
        (3, .call(name: "Carla Caller", number: "+49 30 5550101", kind: .direct, patience: 40)),
        (25, .call(name: "Dan Dialer", number: "+49 40 5550199", kind: .queue(sales), patience: 30)),
        (40, .teamsApp(PresencePair(.doNotDisturb, .presenting))),
        (47, .call(name: "Erin Example", number: "+1 555 0147", kind: .direct, patience: 25)),
        (55, .teamsApp(PresencePair(.available, .available))),
        (62, .call(name: "Frank Fielder", number: "+44 20 5550123", kind: .queue(support), patience: 30)),
        (75, .calendar(PresencePair(.busy, .inAMeeting))),
        (80, .call(name: "Gina Grant", number: "+33 1 5550177", kind: .direct, patience: 25)),
        (90, .calendar(nil)),
        (95, .outOfOffice(true)),
        (100, .call(name: "Hank Hill", number: "+49 89 5550111", kind: .direct, patience: 30)),
        (110, .outOfOffice(false)),
        (112, .teamsOutage),
        (118, .teamsBack),
    ]

    private let start: Instant
    private let teams: DemoTeamsControl
    /// Whether this scenario invents the colleagues (the in-process demo) or Teams has them (the emulator).
    private let roster: Bool
    private let caller: DemoCaller
    private var agenda = Agenda()
    private var cycleIndex = 0
    private var random = SeededGenerator(seed: 0x50F7_F0E5)
    private var nextColleagueChange: Instant
    private var callCounter = 0

    init(start: Instant, teams: DemoTeamsControl, caller: DemoCaller, roster: Bool = true) {
        self.start = start
        self.teams = teams
        self.caller = caller
        self.roster = roster
        nextColleagueChange = roster ? start + .milliseconds(1500) : Instant(nanosecondsSinceEpoch: .max)
        for i in Self.colleagues.indices where roster {
            agenda.schedule(colleagueChange(i), at: start)
        }
    }

    /// The in-process demo's colleagues: the Teams emulator's generated roster.
    static let colleagues = DemoRoster.colleagues(count: 40)

    /// Colleague `i` shows a new plausible presence.
    private func colleagueChange(_ i: Int) -> Action {
        let colleague = Self.colleagues[i]
        let presence = DemoRoster.clientState(&random).map { Presence(GraphMapping.state(for: $0)) } ?? Presence(.offline)
        return .colleague(id: colleague.id, name: colleague.displayName, presence: presence)
    }

    private var nextStep: (at: Instant, step: Step)? {
        let index = cycleIndex % Self.script.count
        let cycles = cycleIndex / Self.script.count
        let entry = Self.script[index]
        return (start + Self.cycle * cycles + .seconds(entry.offset), entry.step)
    }

    var nextDeadline: Instant? {
        [agenda.nextDeadline, nextStep?.at, nextColleagueChange].compactMap { $0 }.min()
    }

    func actions(dueBy due: Instant, now: Instant) -> [Action] {
        var events = agenda.takeDue(until: due)
        while let (at, step) = nextStep, at <= due {
            cycleIndex += 1
            // After a suspend (Ctrl-Z, a sleeping laptop), calls that are long past are not
            // replayed; state changes are, so Teams ends up where the script says.
            if case .call = step, now - at > .seconds(5) { continue }
            events += perform(step, at: at)
        }
        if roster, now - nextColleagueChange > .seconds(10) { nextColleagueChange = now }
        while nextColleagueChange <= due {
            events.append(colleagueChange(Int.random(in: Self.colleagues.indices, using: &random)))
            nextColleagueChange = nextColleagueChange + .milliseconds(1500)
        }
        return events
    }

    private func perform(_ step: Step, at now: Instant) -> [Action] {
        switch step {
        case .call(let name, let number, let kind, let patience):
            callCounter += 1
            let call = IncomingCall(id: CallID("demo-\(callCounter)"), from: Party(number: number, name: name), kind: kind)
            return caller.place(call, patience: .seconds(patience), at: now)
        case .teamsApp(let pair):
            teams.setClient(pair, at: now)
        case .calendar(let pair):
            teams.setCalendar(pair, at: now)
        case .outOfOffice(let on):
            teams.setOutOfOffice(on, at: now)
        case .teamsOutage:
            teams.disconnect(reason: "demo: Teams is unreachable for a few seconds", at: now)
        case .teamsBack:
            teams.reconnect(at: now)
        }
        return []
    }
}
