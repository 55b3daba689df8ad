#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SoftphoneCore
@testable import TerminalUI

/// The fixed world the view tests draw: a clock, callers, a queue, a team.
enum Fixture {
    /// wcwidth needs a UTF-8 locale; set once for the whole test process.
    static let utf8Locale: Bool = setlocale(LC_ALL, "C.UTF-8") != nil || setlocale(LC_ALL, "en_US.UTF-8") != nil

    /// Every test starts here (each suite's `init` and `Scenario` call it), so the locale is set first.
    static func prepare() {
        precondition(utf8Locale, "no UTF-8 locale")
    }

    /// 14:03:27 UTC on a fixed day: the fixture's "now".
    static let now = Instant(secondsSinceEpoch: 1_799_971_200 + 14 * 3600 + 3 * 60 + 27)

    /// "HH:MM" in UTC, so snapshots do not depend on the machine's time zone.
    static let timeOfDay: @Sendable (Instant) -> String = { instant in
        let seconds = Int(instant.nanosecondsSinceEpoch / 1_000_000_000) % 86400
        return "\(Format.two(seconds / 3600)):\(Format.two(seconds / 60 % 60))"
    }

    static let sales = Queue(name: "Sales", number: "700", presenceBasedRouting: true)
    static let carla = Party(number: "+4930123456", name: "Carla Caller")
    static let bob = Party(number: "1002", name: "Bob Builder")

    /// A team with every icon.
    static func team() -> Roster {
        var roster = Roster()
        let people: [(String, Presence, Int64)] = [
            ("Bob Builder", Presence(.available), 125),
            ("Dana Dispatch", Presence(.busy), 3 * 3600 + 420),
            ("Erin Escalation", Presence(.doNotDisturb), 65),
            ("Frank Frontline", Presence(.beRightBack), 600),
            ("Gina Greeter", Presence(.presenting), 1500),
            ("Hal Helpdesk", Presence(.available, outOfOffice: true), 7200),
            ("Iris Intake", Presence(.inACall, outOfOffice: true), 30),
            ("Jon Junior", Presence(.offline), 86400 * 2),
            ("Kim Knowledge", Presence(.unknown), 5),
            ("Lou Lead", Presence(.inAMeeting), 1800),
            ("Mia Mentor", Presence(.away), 2400),
            ("Ned Nightshift", Presence(.available), 59),
        ]
        for (i, person) in people.enumerated() {
            roster.update(id: "c\(i)", name: person.0, presence: person.1, at: now - .seconds(person.2))
        }
        return roster
    }
}

/// Drives the real reducer, keeping the call records it asks to store (the History tab).
struct Scenario {
    var state: SoftphoneState
    var clock: Instant
    var records: [CallRecord] = []

    /// Logged in, Available, line registered, Teams connected and in sync; starts 20 minutes before `Fixture.now`.
    init(wrapUpSeconds: Int = 30) {
        Fixture.prepare()
        state = SoftphoneState(settings: CoreSettings(
            answering: AnsweringConfig(rule: .forward(target: "sip:1002@pbx"), noAnswerSeconds: 20),
            wrapUpSeconds: wrapUpSeconds))
        clock = Fixture.now - .seconds(20 * 60)
        send(.login)
        send(.lineStateChanged(.registered))
        send(.teamsConnected)
        settle()
    }

    mutating func send(_ action: Action, at time: Instant? = nil) {
        if let time { clock = time }
        for effect in Reducer.reduce(&state, action, at: clock) {
            if case .recordCall(let record) = effect { records.append(record) }
        }
    }

    /// A Teams report that reflects every change the reducer has asked for.
    func teams(_ graph: GraphPresence) -> Action {
        .teamsPresence(graph, asOf: state.teamsRevision)
    }

    /// Sends `action` `seconds` before `Fixture.now`.
    mutating func send(_ action: Action, secondsAgo seconds: Int64) {
        send(action, at: Fixture.now - .seconds(seconds))
    }

    /// Teams has everything asked of it.
    mutating func settle() { send(.teamsDelivered(revision: state.teamsRevision)) }

    /// Two missed calls, an answered one and one diverted by Do not disturb, well before now.
    mutating func someHistory() {
        send(.incomingCall(IncomingCall(id: "h1", from: Fixture.carla, kind: .queue(Fixture.sales))), secondsAgo: 900)
        send(.callerCancelled("h1"), secondsAgo: 890)
        send(.incomingCall(IncomingCall(id: "h2", from: Party(number: "+4940998877"), kind: .direct)), secondsAgo: 800)
        send(.timerFired(.noAnswer("h2")), secondsAgo: 780)
        send(.incomingCall(IncomingCall(id: "h3", from: Fixture.bob, kind: .direct)), secondsAgo: 700)
        send(.accept("h3"), secondsAgo: 695)
        send(.hangUp("h3"), secondsAgo: 500)
        send(.timerFired(.wrapUpEnd), secondsAgo: 470)
        send(.choosePresence(.doNotDisturb), secondsAgo: 400)
        send(.incomingCall(IncomingCall(id: "h4", from: Fixture.carla, kind: .direct)), secondsAgo: 300)
        send(.choosePresence(.available), secondsAgo: 200)
        settle()
    }

    /// A direct call from `party` that started ringing `secondsAgo`.
    mutating func ring(_ id: CallID, from party: Party, kind: CallKind = .direct, secondsAgo: Int64) {
        send(.incomingCall(IncomingCall(id: id, from: party, kind: kind)), secondsAgo: secondsAgo)
    }

    func model(ui: UIState = UIState(), ascii: Bool = false, roster: Roster = Fixture.team(),
               teamsConfigured: Bool = true) -> ScreenModel {
        ScreenModel(state: state, ui: ui, identity: .init(name: "Ada Agent", extensionNumber: "1001"),
                    team: roster.table(sort: ui.teamSort, filter: ui.teamFilter), history: records.reversed(),
                    now: Fixture.now, clock: "14:03:27", timeOfDay: Fixture.timeOfDay, teamsConfigured: teamsConfigured,
                    ascii: ascii, color: true)
    }
}

/// The screen at `width` × `height`.
func renderScreen(_ model: ScreenModel, _ width: Int = 80, _ height: Int = 24) -> CellGrid {
    Screen.render(model, width: width, height: height)
}
