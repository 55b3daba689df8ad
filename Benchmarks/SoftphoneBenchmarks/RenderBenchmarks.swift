import Benchmark
#if canImport(Glibc)
import Glibc
#endif
import SoftphoneCore
import TerminalUI

/// Rendering: a whole 120×40 frame into the cell grid plus the diff the backend would
/// draw, and the Team tab with 5,000 colleagues while scrolling.
func renderBenchmarks() {
    setlocale(LC_ALL, "C.UTF-8")
    // Built once: each sample measures frames only, never the fixture.
    let small = RenderFixtures.model(colleagues: 40)
    var large = RenderFixtures.model(colleagues: 5_000)
    large.ui.tab = .team
    let team = large

    Benchmark("Render a 120x40 frame and diff it") { benchmark in
        var model = small
        var previous: CellGrid?
        for n in benchmark.scaledIterations {
            model.now = RenderFixtures.now + .seconds(n)  // the clock and the timers change every frame
            model.clock = "14:03:\(n % 60 < 10 ? "0" : "")\(n % 60)"
            let grid = Screen.render(model, width: 120, height: 40)
            blackHole(grid.changes(from: previous))
            previous = grid
        }
    }

    Benchmark("Team tab, 5,000 colleagues, one frame while scrolling") { benchmark in
        var model = team
        var previous: CellGrid?
        for n in benchmark.scaledIterations {
            model.ui.scroll[.team] = (n * 7) % 5_000
            let grid = Screen.render(model, width: 120, height: 40)
            blackHole(grid.changes(from: previous))
            previous = grid
        }
    }
}

enum RenderFixtures {
    static let now = Instant(secondsSinceEpoch: 1_800_000_000)

    static func model(colleagues: Int) -> ScreenModel {
        var state = SoftphoneState(settings: CoreSettings(wrapUpSeconds: 10))
        _ = Reducer.reduce(&state, .login, at: now)
        _ = Reducer.reduce(&state, .teamsConnected, at: now)
        let caller = Party(number: "+49 30 5550101", name: "Carla Caller")
        _ = Reducer.reduce(&state, .incomingCall(IncomingCall(id: "a", from: caller, kind: .direct)), at: now)
        _ = Reducer.reduce(&state, .accept("a"), at: now + .seconds(2))
        _ = Reducer.reduce(&state, .incomingCall(IncomingCall(id: "b", from: caller, kind: .direct)), at: now + .seconds(9))
        var roster = Roster()
        let states: [PresenceState] = [.available, .busy, .inACall, .away, .doNotDisturb, .offline, .inAMeeting]
        for i in 0..<colleagues {
            roster.update(id: "c\(i)", name: "Colleague \(i)", presence: Presence(states[i % states.count]),
                          at: now - .seconds(i))
        }
        return ScreenModel(state: state, identity: .init(name: "Ada Agent", extensionNumber: "1001"),
                           team: roster.table(sort: .state), history: [], now: now + .seconds(20), clock: "14:03:27",
                           timeOfDay: { _ in "14:03" })
    }
}
