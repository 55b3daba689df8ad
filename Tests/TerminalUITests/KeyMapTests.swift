import SoftphoneCore
import Testing
@testable import TerminalUI

/// The keys of SPEC section 6, as `KeyMap.handle` maps them.
@Suite struct KeyMapTests {
    init() { Fixture.prepare() }

    /// Presses `keys` in order and returns every command they produced.
    @discardableResult
    func press(_ keys: [KeyInput], _ ui: inout UIState, _ state: SoftphoneState) -> [UICommand] {
        keys.flatMap { KeyMap.handle($0, ui: &ui, state: state) }
    }

    func chars(_ text: String) -> [KeyInput] { text.map { .character($0) } }

    @Test(arguments: 1...7)
    func pickerNumberChooses(_ n: Int) {
        let state = Scenario().state
        var ui = UIState()
        press([.character("p")], &ui, state)
        #expect(ui.overlay == .picker(selection: 0))
        let commands = press(chars(String(n)), &ui, state)
        let expected: Action = n == 7 ? .logout : .choosePresence(UserChoice.allCases[n - 1])
        #expect(commands == [.send(expected)])
        #expect(ui.overlay == nil)
    }

    @Test func pickerIgnoresOtherDigits() {
        var ui = UIState()
        ui.overlay = .picker(selection: 0)
        #expect(press(chars("089x"), &ui, Scenario().state).isEmpty)
        #expect(ui.overlay == .picker(selection: 0))
    }

    @Test func pickerArrowsAndEnter() {
        var scenario = Scenario()
        scenario.send(.choosePresence(.busy), secondsAgo: 5)
        var ui = UIState()
        press([.character("p")], &ui, scenario.state)
        #expect(ui.overlay == .picker(selection: 1), "opens on the current choice")
        press([.down, .down], &ui, scenario.state)
        #expect(ui.overlay == .picker(selection: 3))
        #expect(press([.enter], &ui, scenario.state) == [.send(.choosePresence(.beRightBack))])
        ui.overlay = .picker(selection: 0)
        press([.up], &ui, scenario.state)
        #expect(ui.overlay == .picker(selection: 6), "wraps to Logout")
        #expect(press([.enter], &ui, scenario.state) == [.send(.logout)])
    }

    @Test func pickerOpensOnLogoutWhenLoggedOut() {
        var scenario = Scenario()
        scenario.send(.logout, secondsAgo: 1)
        var ui = UIState()
        press([.character("p")], &ui, scenario.state)
        #expect(ui.overlay == .picker(selection: 6))
    }

    @Test func escapeClosesThePicker() {
        var ui = UIState()
        press([.character("p")], &ui, Scenario().state)
        #expect(press([.escape], &ui, Scenario().state).isEmpty)
        #expect(ui.overlay == nil)
    }

    @Test func capitalLTogglesLogin() {
        var scenario = Scenario()
        var ui = UIState()
        #expect(press([.character("L")], &ui, scenario.state) == [.send(.logout)])
        scenario.send(.logout, secondsAgo: 1)
        #expect(press([.character("L")], &ui, scenario.state) == [.send(.login)])
        #expect(press([.character("l")], &ui, scenario.state).isEmpty, "lower-case l does nothing")
    }

    @Test func acceptAndDeclineOnlyWithARingingCall() {
        var scenario = Scenario()
        var ui = UIState()
        #expect(press([.character("a")], &ui, scenario.state).isEmpty)
        #expect(ui.notice == "no call is ringing")
        #expect(press([.character("d")], &ui, scenario.state).isEmpty)
        scenario.ring("r1", from: Fixture.carla, secondsAgo: 2)
        #expect(press([.character("a")], &ui, scenario.state) == [.send(.accept("r1"))])
        #expect(ui.notice == nil)
        #expect(press([.character("d")], &ui, scenario.state) == [.send(.decline("r1"))])
        scenario.send(.accept("r1"), secondsAgo: 1)
        #expect(press([.character("a")], &ui, scenario.state).isEmpty, "an answered call no longer rings")
    }

    @Test func acceptTakesTheNewestRingingCall() {
        var scenario = Scenario()
        scenario.ring("r1", from: Fixture.bob, secondsAgo: 10)
        scenario.send(.accept("r1"), secondsAgo: 8)
        scenario.ring("r2", from: Fixture.carla, secondsAgo: 2)
        var ui = UIState()
        #expect(press([.character("a")], &ui, scenario.state) == [.send(.accept("r2"))])
        #expect(press([.character("e")], &ui, scenario.state) == [.send(.hangUp("r1"))])
        #expect(press([.character("h")], &ui, scenario.state) == [.send(.hold("r1"))])
    }

    @Test func quitAsksFirstDuringACall() {
        var scenario = Scenario()
        var ui = UIState()
        #expect(press([.character("q")], &ui, scenario.state) == [.quit])
        scenario.ring("r1", from: Fixture.carla, secondsAgo: 2)
        #expect(press([.character("q")], &ui, scenario.state).isEmpty)
        #expect(ui.overlay == .confirmQuit)
        #expect(press([.character("n")], &ui, scenario.state).isEmpty)
        #expect(ui.overlay == nil)
        press([.character("q")], &ui, scenario.state)
        #expect(press([.character("y")], &ui, scenario.state) == [.quit])
    }

    @Test func tabAndShiftTabCycle() {
        var ui = UIState()
        let state = Scenario().state
        var seen: [Tab] = []
        for _ in 0..<4 {
            press([.tab], &ui, state)
            seen.append(ui.tab)
        }
        #expect(seen == [.team, .history, .log, .calls])
        seen = []
        for _ in 0..<4 {
            press([.backTab], &ui, state)
            seen.append(ui.tab)
        }
        #expect(seen == [.log, .history, .team, .calls])
    }

    @Test func slashFiltersTheTeamTab() {
        let state = Scenario().state
        var ui = UIState()
        ui.scroll[.team] = 40
        press([.character("/")], &ui, state)
        #expect(ui.tab == .team)
        #expect(ui.overlay == .prompt(Prompt(kind: .filter)))
        press(chars("bo") + [.character("x"), .backspace], &ui, state)
        #expect(ui.teamFilter == "bo")
        #expect(ui.scroll[.team] == 0)
        #expect(ui.overlay == .prompt(Prompt(kind: .filter, text: "bo")))
        #expect(renderScreen(Scenario().model(ui: ui)).line(23).hasPrefix(" Filter: bo▏"))
        #expect(press([.enter], &ui, state).isEmpty)
        #expect(ui.overlay == nil && ui.teamFilter == "bo", "Enter keeps the filter")
        press([.character("/")], &ui, state)
        #expect(ui.overlay == .prompt(Prompt(kind: .filter, text: "bo")), "reopens with the filter")
        press([.escape], &ui, state)
        #expect(ui.overlay == nil && ui.teamFilter == "", "Esc clears it")
    }

    @Test func promptKeysAreText() {
        var ui = UIState()
        let state = Scenario().state
        press([.character("c")], &ui, state)
        #expect(ui.overlay == .prompt(Prompt(kind: .dial)))
        #expect(press(chars("q1002"), &ui, state).isEmpty, "q types, it does not quit")
        #expect(press([.enter], &ui, state) == [.dial("q1002")])
    }

    @Test func callIsRefusedInDoNotDisturbWithTheReason() {
        var scenario = Scenario()
        scenario.send(.choosePresence(.doNotDisturb), secondsAgo: 5)
        var ui = UIState()
        #expect(press([.character("c")], &ui, scenario.state).isEmpty)
        #expect(ui.overlay == nil)
        #expect(ui.notice == "cannot call in Do not disturb")
        #expect(renderScreen(scenario.model(ui: ui)).line(23) == " cannot call in Do not disturb")
        press([.character("?")], &ui, scenario.state)
        #expect(ui.notice == nil, "the next key clears the notice")
    }

    @Test func transferAsksForTheTarget() {
        var scenario = Scenario()
        scenario.ring("r1", from: Fixture.carla, secondsAgo: 5)
        scenario.send(.accept("r1"), secondsAgo: 4)
        var ui = UIState()
        press([.character("t")], &ui, scenario.state)
        #expect(ui.overlay == .prompt(Prompt(kind: .transfer("r1"))))
        #expect(press(chars("1002") + [.enter], &ui, scenario.state) == [.send(.transfer("r1", to: "1002"))])
    }

    @Test func helpAndOtherKeys() {
        var scenario = Scenario()
        var ui = UIState()
        press([.character("?")], &ui, scenario.state)
        #expect(ui.overlay == .help)
        #expect(press([.character("q")], &ui, scenario.state).isEmpty, "any key closes help, even q")
        #expect(ui.overlay == nil)
        #expect(press([.character("r")], &ui, scenario.state) == [.send(.resyncRequested)])
        #expect(press([.character("w")], &ui, scenario.state).isEmpty)
        scenario.ring("r1", from: Fixture.carla, secondsAgo: 20)
        scenario.send(.accept("r1"), secondsAgo: 15)
        scenario.send(.hangUp("r1"), secondsAgo: 5)
        #expect(press([.character("w")], &ui, scenario.state) == [.send(.prolongWrapUp)])
        press([.tab], &ui, scenario.state)
        press([.character("s")], &ui, scenario.state)
        #expect(ui.teamSort == .since && ui.notice == "sorted by time in state")
        press([.pageDown, .down], &ui, scenario.state)
        #expect(ui.scroll[.team] == 11)
        press([.home], &ui, scenario.state)
        #expect(ui.scroll[.team] == 0)
    }
}

@Suite("Key map: scrolling")
struct KeyMapScrollTests {
    @Test("Scrolling stops at the last row, so Up moves at once after over-scrolling")
    func clamped() {
        var ui = UIState()
        ui.tab = .history
        let state = SoftphoneState()
        for _ in 0..<5 { _ = KeyMap.handle(.pageDown, ui: &ui, state: state, rowCounts: [.history: 12]) }
        #expect(ui.scroll[.history] == 11)
        _ = KeyMap.handle(.up, ui: &ui, state: state, rowCounts: [.history: 12])
        #expect(ui.scroll[.history] == 10)
        _ = KeyMap.handle(.pageUp, ui: &ui, state: state, rowCounts: [.history: 12])
        _ = KeyMap.handle(.pageUp, ui: &ui, state: state, rowCounts: [.history: 12])
        #expect(ui.scroll[.history] == 0)
    }
}
