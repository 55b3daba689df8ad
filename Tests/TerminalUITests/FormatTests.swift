import SoftphoneCore
import Testing
@testable import TerminalUI

/// Durations, wrapping, the fitting of status-bar parts, and styles without colour.
@Suite struct FormatTests {
    init() { Fixture.prepare() }

    @Test func timers() {
        #expect(Format.timer(.seconds(5)) == "0:05")
        #expect(Format.timer(.seconds(754)) == "12:34")
        #expect(Format.timer(.seconds(3723)) == "1:02:03")
        #expect(Format.timer(.seconds(-3)) == "0:00")
    }

    @Test func timeInState() {
        #expect(Format.since(.seconds(59)) == "0:59")
        #expect(Format.since(.seconds(3599)) == "59:59")
        #expect(Format.since(.seconds(3 * 3600 + 420)) == "3h07m")
        #expect(Format.since(.seconds(2 * 86400 + 5)) == "2d")
    }

    @Test func partyFitsItsColumn() {
        #expect(Format.party(Fixture.carla, width: 40) == "Carla Caller <+4930123456>")
        #expect(Format.party(Fixture.carla, width: 20) == "Carla Caller")
        #expect(Format.party(Party(number: "1002"), width: 2) == "1002")
    }

    @Test func logWrapsAtSpacesAndCutsLongWords() {
        #expect(LogView.wrap("not signalled: Do not disturb", width: 14) == ["not signalled:", "Do not disturb"])
        #expect(LogView.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(LogView.wrap("", width: 4) == [""])
        #expect(LogView.wrap("🟢🟢🟢", width: 4) == ["🟢🟢", "🟢"])
    }

    @Test func leastImportantPartsGoFirst() {
        let parts = [LinePart(text: "aaaa", style: .plain, priority: 0),
                     LinePart(text: "bb", style: .plain, priority: 3),
                     LinePart(text: "cc", style: .plain, priority: 1)]
        let measure = { (s: String) in s.count }
        #expect(LinePart.fitting(parts, width: 14, gap: 3, measure: measure).map(\.text) == ["aaaa", "bb", "cc"])
        #expect(LinePart.fitting(parts, width: 13, gap: 3, measure: measure).map(\.text) == ["aaaa", "cc"])
        #expect(LinePart.fitting(parts, width: 2, gap: 3, measure: measure).map(\.text) == ["aaaa"])
    }

    @Test func monochromeKeepsReverseAndBoldButNoColour() {
        var scenario = Scenario()
        scenario.ring("r1", from: Fixture.carla, secondsAgo: 5)
        var model = scenario.model(ui: .onTab(.team))
        model.color = false
        let grid = renderScreen(model)
        #expect(grid.cells.allSatisfy { $0.style.foreground == nil && $0.style.background == nil })
        #expect(grid[1, 0].style.reverse, "the status bar")
        let teamTab = grid.line(1).firstRange(of: "[Team]")!.lowerBound.utf16Offset(in: grid.line(1))
        #expect(grid[teamTab, 1].style.reverse, "the current tab")
        model.color = true
        let colored = renderScreen(model)
        #expect(colored.cells.contains { $0.style.foreground == .green })
        #expect(colored.cells.contains { $0.style.foreground == .magenta })
    }
}
