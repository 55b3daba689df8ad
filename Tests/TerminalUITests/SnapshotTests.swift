import SoftphoneCore
import Testing
@testable import TerminalUI

/// The screens as a person sees them, compared with the files in `Snapshots/`.
/// Record with `SNAPSHOT_RECORD=1` and review every changed file.
@Suite struct SnapshotTests {
    init() { Fixture.prepare() }

    static let sizes = [(80, 24), (120, 40)]

    @Test(arguments: Screenshot.allCases)
    func utf8(_ screen: Screenshot) {
        for (w, h) in Self.sizes {
            assertSnapshot(renderScreen(screen.model(ascii: false), w, h), named: "\(screen.rawValue)-\(w)x\(h)")
        }
    }

    @Test(arguments: Screenshot.allCases)
    func ascii(_ screen: Screenshot) {
        for (w, h) in Self.sizes {
            assertSnapshot(renderScreen(screen.model(ascii: true), w, h), named: "\(screen.rawValue)-\(w)x\(h)-ascii")
        }
    }

    @Test(arguments: [Tab.team, .history, .log])
    func otherTabs(_ tab: Tab) {
        var ui = UIState()
        ui.tab = tab
        var scenario = Scenario()
        scenario.someHistory()
        assertSnapshot(renderScreen(scenario.model(ui: ui)), named: "\(tab.title.lowercased())-80x24")
    }

    @Test func helpAtBothSizes() {
        var ui = UIState()
        ui.overlay = .help
        let model = Scenario().model(ui: ui)
        assertSnapshot(renderScreen(model), named: "help-80x24")
        assertSnapshot(renderScreen(model, Screen.minimumWidth, Screen.minimumHeight), named: "help-60x16")
    }

    @Test func smallestScreenWithACallAndAPrompt() {
        var scenario = Scenario()
        scenario.someHistory()
        scenario.ring("r1", from: Fixture.carla, kind: .queue(Fixture.sales), secondsAgo: 5)
        scenario.send(.accept("r1"), secondsAgo: 3)
        var ui = UIState()
        ui.overlay = .prompt(Prompt(kind: .transfer("r1"), text: "1002"))
        assertSnapshot(renderScreen(scenario.model(ui: ui), Screen.minimumWidth, Screen.minimumHeight),
                       named: "transfer-prompt-60x16")
    }
}
