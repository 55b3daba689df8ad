import SoftphoneCore
import Testing
@testable import TerminalUI

/// Focused checks of the screen's promises, beside the snapshots.
@Suite struct ScreenTests {
    init() { Fixture.prepare() }

    @Test func asciiModeShowsOnlyASCII() {
        var scenario = Scenario()
        scenario.someHistory()
        scenario.ring("x1", from: Party(number: "+49 30 ☎ 1", name: "Jürgen Müller — 🎉"), secondsAgo: 3)
        var models = Screenshot.allCases.map { $0.model(ascii: true) }
        for tab in Tab.allCases {
            var ui = UIState()
            ui.tab = tab
            models.append(scenario.model(ui: ui, ascii: true))
        }
        let overlays = [Overlay.help, .confirmQuit, .picker(selection: 3), .prompt(Prompt(kind: .filter, text: "Jür"))]
        for overlay in overlays {
            var ui = UIState()
            ui.overlay = overlay
            models.append(scenario.model(ui: ui, ascii: true))
        }
        for model in models {
            for (w, h) in [(60, 16), (80, 24), (120, 40), (40, 10)] {
                let grid = renderScreen(model, w, h)
                let bad = grid.cells.filter { !$0.text.allSatisfy(\.isASCII) }
                #expect(bad.isEmpty, "non-ASCII at \(w)x\(h): \(bad.map(\.text))\n\(grid.text)")
            }
        }
    }

    @Test(arguments: [60, 80, 120])
    func teamsIconAtTopRightExactlyWhenDisconnected(width: Int) {
        var scenario = Scenario()
        for ascii in [false, true] {
            let connected = renderScreen(scenario.model(ascii: ascii), width, 24)
            #expect(!connected.line(0).contains("❎") && !connected.line(0).contains("[!]"))
            #expect(!connected.line(0).contains(TeamsDisconnectedIcon.label))
        }
        scenario.send(.teamsDisconnected(reason: "timeout"), secondsAgo: 1)
        let grid = renderScreen(scenario.model(), width, 24)
        #expect(grid[width - 2, 0].text == "❎")
        #expect(grid[width - 2, 0].width == 2 && grid[width - 1, 0].width == 0)
        #expect(grid.line(0).hasPrefix(" 🟢 Available"))
        let ascii = renderScreen(scenario.model(ascii: true), width, 24)
        #expect(ascii.line(0).hasSuffix("[!]"))
        #expect(ascii.line(0).hasPrefix(" [+] Available"))
    }

    /// Issue 13 / SPEC 9: without a valid token the bar shows ❎ with "Teams: sign in with
    /// `softphone teams login`"; once connected again, neither.
    @Test func signInNeededIsSaidBesideTheIcon() {
        var scenario = Scenario()
        scenario.send(.teamsDisconnected(reason: TeamsDisconnectedIcon.signInLabel), secondsAgo: 2)
        let grid = renderScreen(scenario.model(), 120, 24)
        #expect(grid.line(0).contains("Teams: sign in with `softphone teams login`"))
        #expect(grid[118, 0].text == "❎")
        #expect(!grid.line(0).contains(TeamsDisconnectedIcon.label))
        scenario.send(.teamsConnected, secondsAgo: 1)
        let back = renderScreen(scenario.model(), 120, 24)
        #expect(!back.line(0).contains("sign in") && !back.line(0).contains("❎"))
        // Another reason keeps the plain label.
        scenario.send(.teamsDisconnected(reason: "Teams unreachable: GET presence: timeout"), secondsAgo: 0)
        #expect(renderScreen(scenario.model(), 120, 24).line(0).contains(TeamsDisconnectedIcon.label))
    }

    /// Issue 13: with no `[teams]` the bar says "Teams off" and draws no ❎ (both read as a fault).
    @Test func teamsNotConfiguredSaysTeamsOffWithoutIcon() {
        var scenario = Scenario()
        scenario.send(.teamsDisconnected(reason: "not configured"), secondsAgo: 1)
        let grid = renderScreen(scenario.model(teamsConfigured: false), 120, 24)
        #expect(grid.line(0).contains("Teams off"))
        #expect(!grid.line(0).contains("❎"))
        #expect(!grid.line(0).contains(TeamsDisconnectedIcon.label))
        let ascii = renderScreen(scenario.model(ascii: false, teamsConfigured: false), 80, 24)
        #expect(!ascii.line(0).contains("❎"))
        let plain = renderScreen(scenario.model(ascii: true, teamsConfigured: false), 80, 24)
        #expect(!plain.line(0).hasSuffix("[!]"))
    }

    /// Issue 13: sync slowed by Graph's limits is said in the bar, and is not ❎.
    @Test func syncSlowedInTheStatusBar() {
        var scenario = Scenario()
        scenario.send(.teamsAskedToWait(.seconds(20), until: Fixture.now + .seconds(15)), secondsAgo: 5)
        var line = renderScreen(scenario.model(), 120, 24).line(0)
        #expect(line.contains("Teams: sync slowed — Graph asked to wait 20 s"))
        #expect(!line.contains("❎"))
        // Once the wait has run out the bar is back to normal.
        var later = scenario.model()
        later.now = Fixture.now + .seconds(16)
        #expect(renderScreen(later, 120, 24).line(0).contains("in sync"))
        // Hours: obeyed, and the bar says until when.
        scenario.send(.teamsAskedToWait(.seconds(3 * 3600), until: Fixture.now + .seconds(3 * 3600)), secondsAgo: 0)
        line = renderScreen(scenario.model(), 120, 24).line(0)
        #expect(line.contains("Graph asked to wait 3 h (until "))
        var budget = Scenario()
        budget.send(.teamsPollingSlowed(budget: 30), secondsAgo: 1)
        line = renderScreen(budget.model(), 120, 24).line(0)
        #expect(line.contains("Teams: sync slowed to stay within 30 requests per 30 s"))
        #expect(!line.contains("❎"))
        budget.send(.teamsPollingSlowed(budget: nil), secondsAgo: 0)
        #expect(renderScreen(budget.model(), 120, 24).line(0).contains("in sync"))
    }

    @Test func syncStateInTheStatusBar() {
        var scenario = Scenario()
        #expect(renderScreen(scenario.model(), 120, 24).line(0).contains("│ in sync"))
        scenario.send(.choosePresence(.busy), secondsAgo: 3)
        #expect(renderScreen(scenario.model(), 120, 24).line(0).contains("│ syncing"))
        scenario.send(.choosePresence(.beRightBack), secondsAgo: 2)
        scenario.send(.choosePresence(.busy), secondsAgo: 1)
        // Pending since the first change, 3 s ago: still syncing; 60 s later it is out of sync.
        #expect(renderScreen(scenario.model(), 120, 24).line(0).contains("syncing"))
        var late = scenario.model()
        late.now = Fixture.now + .seconds(60)
        #expect(renderScreen(late, 120, 24).line(0).contains("out of sync since 14:03"))
        scenario.settle()
        #expect(renderScreen(scenario.model(), 120, 24).line(0).contains("in sync"))
    }

    @Test func statusBarKeepsBadgeAndIconWhenNarrow() {
        var scenario = Scenario()
        scenario.send(scenario.teams(GraphPresence(.busy, .inACall, outOfOffice: true)), secondsAgo: 10)
        scenario.send(.teamsDisconnected(reason: "timeout"), secondsAgo: 9)
        for width in [60, 80] {
            let line = renderScreen(scenario.model(), width, 24).line(0)
            #expect(line.hasPrefix(" ⭕️ In a call - Out of office"), "\(line)")
            #expect(line.hasSuffix("❎"))
        }
        let wide = renderScreen(scenario.model(), 160, 24).line(0)
        for part in ["(set by Outlook)", "Ada Agent ext 1001", "line registered", "Teams not connected", "14:03:27"] {
            #expect(wide.contains(part), "\(part) missing: \(wide)")
        }
    }

    @Test func loggedOutStatus() {
        var scenario = Scenario()
        scenario.send(.logout, secondsAgo: 1)
        let line = renderScreen(scenario.model(), 120, 24).line(0)
        #expect(line.hasPrefix(" ❌ Logout (set by you)"))
        #expect(line.contains("│ logged out │"))
    }

    @Test func divertedCallShowsNoPopupButTheLogSaysWhy() {
        var scenario = Scenario()
        scenario.send(.choosePresence(.doNotDisturb), secondsAgo: 30)
        scenario.ring("dnd", from: Fixture.carla, secondsAgo: 5)
        #expect(scenario.state.calls.isEmpty)
        let calls = renderScreen(scenario.model(), 120, 40).text
        #expect(!calls.contains("Incoming call") && !calls.contains("Call waiting") && !calls.contains("a accept"))
        var ui = UIState()
        ui.tab = .log
        let log = renderScreen(scenario.model(ui: ui), 120, 40).text
        #expect(log.contains("Carla Caller <+4930123456> (direct): not signalled: Do not disturb (R2)"))
        ui.tab = .history
        #expect(renderScreen(scenario.model(ui: ui), 120, 40).text.contains("not signalled: Do not disturb"))
    }

    @Test func onePopupPerRingingCall() {
        var scenario = Scenario()
        #expect(!renderScreen(scenario.model()).text.contains("Incoming call"))
        scenario.ring("r1", from: Fixture.carla, kind: .queue(Fixture.sales), secondsAgo: 5)
        let one = renderScreen(scenario.model()).text
        #expect(occurrences(of: "Incoming call", in: one) == 1)
        for text in ["Carla Caller", "+4930123456", "queue Sales", "ringing 0:05", "a accept   d decline"] {
            #expect(one.contains(text), "\(text)")
        }
        scenario.ring("r2", from: Fixture.bob, secondsAgo: 2)
        #expect(scenario.state.calls.count == 2)
        #expect(occurrences(of: "Incoming call", in: renderScreen(scenario.model(), 120, 40).text) == 2)
        scenario.send(.accept("r1"), secondsAgo: 1)
        let waiting = renderScreen(scenario.model(), 120, 40).text
        #expect(occurrences(of: "Call waiting", in: waiting) == 1)
        #expect(!waiting.contains("Incoming call"))
        #expect(waiting.contains("call waiting"))
    }

    @Test func popupStaysBelowThePicker() {
        var scenario = Scenario()
        scenario.ring("r1", from: Fixture.carla, secondsAgo: 5)
        var ui = UIState()
        ui.overlay = .picker(selection: 0)
        let grid = renderScreen(scenario.model(ui: ui))
        for entry in PresencePicker.entries(ascii: false) { #expect(grid.text.contains(entry)) }
        #expect(grid.text.contains("┌─ Presence"))
        #expect(grid.line(23) == " 1-7 choose  ↑↓ move  Enter choose  Esc close")
        ui.overlay = nil
        #expect(renderScreen(scenario.model(ui: ui)).text.contains("┌─ Incoming call"))
    }

    @Test func everySizeKeepsWideCharactersWholeAndTheCornerIcon() {
        var models = Screenshot.allCases.flatMap { [$0.model(ascii: false), $0.model(ascii: true)] }
        for overlay in [Overlay.help, .confirmQuit, .prompt(Prompt(kind: .dial, text: "12345"))] {
            var ui = Screenshot.teamsDisconnected.model(ascii: false).ui
            ui.overlay = overlay
            var model = Screenshot.teamsDisconnected.model(ascii: false)
            model.ui = ui
            models.append(model)
        }
        for tab in [Tab.team, .history, .log] { models.append(Scenario().model(ui: .onTab(tab))) }
        let sizes = (60...130).map { ($0, 16) } + (17...45).map { (61, $0) }
        for model in models {
            for (w, h) in sizes {
                let grid = renderScreen(model, w, h)
                for y in 0..<h {
                    for x in 0..<w where grid[x, y].width == 2 {
                        #expect(x + 1 < w && grid[x + 1, y].width == 0, "split wide character at \(x),\(y) \(w)x\(h)")
                    }
                }
                if !model.state.teamsConnected {
                    #expect(grid.line(0).hasSuffix(model.ascii ? "[!]" : "❎"), "\(w)x\(h)")
                }
            }
        }
    }

    @Test func tooSmallSaysOnlyThat() {
        for (w, h) in [(59, 24), (80, 15), (40, 10)] {
            let model = Scenario().model()
            let grid = renderScreen(model, w, h)
            let lines = grid.text.split(separator: "\n", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: " ") }
            #expect(lines.joined(separator: " ") == "terminal too small (needs 60×16)", "\(grid.text)")
            #expect(renderScreen(Scenario().model(ascii: true), w, h).text.contains("(needs 60x16)"))
        }
        #expect(!renderScreen(Scenario().model(), 60, 16).text.contains("too small"))
        #expect(renderScreen(Scenario().model(), 1, 1).text.count <= 1)
        #expect(renderScreen(Scenario().model(), 0, 0).text.isEmpty)
    }

    @Test func controlCharactersInCallerNamesNeverReachTheGrid() {
        var scenario = Scenario()
        let evil = Party(number: "66\u{7}6\u{1B}]0;x\u{7}", name: "Evil\u{1B}[2J\u{9B}31m\r\nName")
        scenario.ring("e1", from: evil, secondsAgo: 4)
        var grids = [renderScreen(scenario.model(), 120, 40)]
        scenario.send(.decline("e1"), secondsAgo: 1)
        for tab in Tab.allCases {
            var ui = UIState()
            ui.tab = tab
            grids.append(renderScreen(scenario.model(ui: ui), 120, 40))
            grids.append(renderScreen(scenario.model(ui: ui, ascii: true), 80, 24))
        }
        #expect(grids[0].text.contains("Evil?[2J"))
        for grid in grids {
            for cell in grid.cells {
                #expect(!cell.text.unicodeScalars.contains { $0.properties.generalCategory == .control },
                        "control character in \(cell.text.unicodeScalars.map(\.value))")
            }
        }
    }

    @Test func longNamesAreTruncated() {
        var scenario = Scenario()
        let long = String(repeating: "Bartholomew ", count: 12)
        scenario.ring("l1", from: Party(number: "1", name: long), secondsAgo: 1)
        for ascii in [false, true] {
            for (w, h) in [(60, 16), (80, 24), (200, 40)] {
                let rows = renderScreen(scenario.model(ascii: ascii), w, h).text.split(separator: "\n")
                let named = rows.filter { $0.contains("Barth") }
                #expect(named.count == (h > 16 ? 2 : 1), "table row and popup at \(w)x\(h)")
                let ellipsis = ascii ? "..." : "…"
                #expect(named.allSatisfy { $0.hasSuffix(ellipsis) || $0.contains(ellipsis + " ") })
            }
        }
    }

    @Test func everyEmojiTakesTwoColumns() {
        var scenario = Scenario()
        scenario.send(.teamsDisconnected(reason: "timeout"), secondsAgo: 1)
        var ui = UIState()
        ui.tab = .team
        var grids = [renderScreen(scenario.model(ui: ui), 120, 40)]
        ui.overlay = .picker(selection: 0)
        grids.append(renderScreen(scenario.model(ui: ui), 120, 40))
        let emojis = Set(PresenceIcon.allCases.map(\.emoji) + [TeamsDisconnectedIcon.emoji])
        var seen = Set<String>()
        for grid in grids {
            for y in 0..<grid.height {
                for x in 0..<grid.width where emojis.contains(grid[x, y].text) {
                    seen.insert(grid[x, y].text)
                    #expect(grid[x, y].width == 2, "\(grid[x, y].text) at \(x),\(y)")
                    #expect(x + 1 < grid.width && grid[x + 1, y].width == 0, "\(grid[x, y].text) at \(x),\(y)")
                }
            }
        }
        #expect(seen == emojis)
    }

    @Test func teamTabWithFiveThousandColleaguesDrawsOnlyVisibleRows() {
        var roster = Roster()
        for i in 0..<5000 {
            let presence = Presence([PresenceState.available, .busy, .doNotDisturb, .away][i % 4])
            roster.update(id: "a\(i)", name: "Agent \(10000 + i)", presence: presence,
                          at: Fixture.now - .seconds(Int64(i)))
        }
        var ui = UIState()
        ui.tab = .team
        ui.teamSort = .name
        ui.scroll[.team] = 100
        let scenario = Scenario()
        let model = scenario.model(ui: ui, roster: roster)
        let clock = ContinuousClock()
        var grid = CellGrid(width: 0, height: 0)
        let elapsed = clock.measure { grid = renderScreen(model, 80, 24) }
        let names = grid.text.split(separator: "\n").filter { $0.contains("Agent 1") }
        let visible = Screen.mainArea(width: 80, height: 24).height - 3
        #expect(names.count == visible)
        #expect(names.first?.contains("Agent 10100") == true)
        #expect(names.last?.contains("Agent \(10100 + visible - 1)") == true)
        #expect(grid.text.contains("🟢 1250  🟡 1250  🔴 1250  ⛔ 1250  of 5000"))
        #expect(grid.text.contains("rows 101-\(100 + visible) of 5000"))
        #expect(elapsed < .milliseconds(200), "render took \(elapsed)")

        var end = model
        end.ui.scroll[.team] = 1_000_000
        let last = renderScreen(end, 80, 24).text
        #expect(last.contains("Agent 14999"))
        #expect(last.contains("rows \(5000 - visible + 1)-5000 of 5000"))
    }

    @Test func teamTabFilterAndEmptyStates() {
        var ui = UIState()
        ui.tab = .team
        ui.teamFilter = "out of"
        let filtered = renderScreen(Scenario().model(ui: ui)).text
        #expect(filtered.contains("filter: out of"))
        #expect(filtered.contains("Hal Helpdesk") && filtered.contains("Iris Intake"))
        #expect(!filtered.contains("Bob Builder"))
        ui.teamFilter = "zzz"
        #expect(renderScreen(Scenario().model(ui: ui)).text.contains("No one matches \"zzz\""))
        #expect(renderScreen(Scenario().model(ui: UIState.onTab(.team), roster: Roster())).text
            .contains("No colleagues configured."))
    }

    @Test func pickerShowsSevenEntriesAndWhatCannotBeChosen() {
        #expect(PresencePicker.entries(ascii: false) == [
            "1 🟢 Available", "2 🔴 Busy", "3 ⛔ Do not disturb", "4 🟡 Be right back",
            "5 🟡 Appear away", "6 ❌ Appear offline", "7 ❌ Logout",
        ])
        var scenario = Scenario()
        var ui = UIState()
        ui.overlay = .picker(selection: 2)
        let plain = renderScreen(scenario.model(ui: ui))
        #expect(!plain.text.contains("cannot be chosen"))
        let row = plain.text.split(separator: "\n").first { $0.contains("3 ⛔ Do not disturb") }!
        #expect(row.contains("▸"))
        scenario.send(scenario.teams(GraphPresence(.doNotDisturb, .presenting)), secondsAgo: 5)
        #expect(renderScreen(scenario.model(ui: ui)).text
            .contains("now: ⛔ Presenting (set by Teams) — cannot be chosen"))
        #expect(renderScreen(scenario.model(ui: ui, ascii: true)).text
            .contains("now: [-] Presenting (set by Teams) - cannot be chosen"))
    }

    @Test func keyHintsFollowTheContext() {
        var scenario = Scenario()
        let bottom = { (model: ScreenModel) in renderScreen(model, 120, 24).line(23) }
        #expect(bottom(scenario.model())
            == " p presence  L logout  c call  Tab tabs  / filter  r resync  ? help  q quit")
        scenario.ring("r1", from: Fixture.carla, secondsAgo: 2)
        #expect(bottom(scenario.model()).hasPrefix(" a accept  d decline  Tab tabs"))
        scenario.send(.accept("r1"), secondsAgo: 1)
        #expect(bottom(scenario.model()).hasPrefix(" e end  h hold  t transfer"))
        var ui = UIState()
        ui.notice = "cannot call in Do not disturb"
        #expect(bottom(scenario.model(ui: ui)) == " cannot call in Do not disturb")
        ui.notice = nil
        ui.overlay = .picker(selection: 0)
        #expect(bottom(scenario.model(ui: ui)) == " 1-7 choose  ↑↓ move  Enter choose  Esc close")
        ui.overlay = .help
        #expect(bottom(scenario.model(ui: ui)) == " any key closes")
        ui.overlay = .confirmQuit
        #expect(bottom(scenario.model(ui: ui)) == " y quit  n stay")
        #expect(renderScreen(scenario.model(ui: ui)).text.contains("A call is active. Quit anyway? y / n"))
    }

    @Test func promptLineShowsWhatIsTyped() {
        var ui = UIState()
        ui.overlay = .prompt(Prompt(kind: .dial, text: "1002"))
        #expect(renderScreen(Scenario().model(ui: ui)).line(23).hasPrefix(" Call: 1002▏"))
        #expect(renderScreen(Scenario().model(ui: ui, ascii: true)).line(23).hasPrefix(" Call: 1002_"))
        ui.overlay = .prompt(Prompt(kind: .filter, text: "bob"))
        #expect(renderScreen(Scenario().model(ui: ui)).line(23).hasPrefix(" Filter: bob▏"))
        ui.overlay = .prompt(Prompt(kind: .dial, text: String(repeating: "9", count: 100) + "42"))
        #expect(renderScreen(Scenario().model(ui: ui)).line(23).contains("942▏"))
    }

    @Test func callsTabShowsTimersAndWrapUp() {
        var scenario = Scenario()
        #expect(renderScreen(scenario.model()).text.contains("No calls. p: presence  c: call"))
        scenario.ring("r1", from: Fixture.bob, secondsAgo: 100)
        scenario.send(.accept("r1"), secondsAgo: 95)
        let active = renderScreen(scenario.model(), 120, 40).text
        #expect(active.contains("Bob Builder <1002>") && active.contains("active") && active.contains("1:35"))
        scenario.send(.hold("r1"), secondsAgo: 10)
        #expect(renderScreen(scenario.model(), 120, 40).text.contains("on hold"))
        scenario.send(.hangUp("r1"), secondsAgo: 5)
        #expect(renderScreen(scenario.model()).text.contains("Wrap-up 0:25 left — w prolongs"))
        #expect(renderScreen(scenario.model()).line(23).hasPrefix(" w prolong wrap-up"))
        #expect(renderScreen(scenario.model(ascii: true)).text.contains("Wrap-up 0:25 left - w prolongs"))
    }

    @Test func tabBarMarksTheCurrentTab() {
        for tab in Tab.allCases {
            let line = renderScreen(Scenario().model(ui: .onTab(tab))).line(1)
            #expect(line.contains("[\(tab.title)]"))
            #expect(Tab.allCases.allSatisfy { line.contains($0.title) })
        }
    }

    @Test func logIsNewestFirstAndWrapsLongEvents() {
        var scenario = Scenario()
        scenario.someHistory()
        let grid = renderScreen(scenario.model(ui: .onTab(.log)), 60, 16)
        #expect(grid.line(2).hasPrefix(" 14:00 presence Available (set by you)"))
        let text = grid.text.split(separator: "\n").map { $0.trimmingCharacters(in: " ") }.joined(separator: " ")
        #expect(text.contains("Carla Caller <+4930123456> (direct): not signalled: Do not disturb (R2), forward 302"))
    }

    @Test func historyShowsOutcomeDurationAndReason() {
        var scenario = Scenario()
        scenario.someHistory()
        let text = renderScreen(scenario.model(ui: .onTab(.history)), 160, 24).text
        #expect(text.contains("13:58 in  Carla Caller <+4930123456>"))
        #expect(text.contains("not signalled: Do not disturb; forward 302 to sip:1002@pbx"))
        #expect(text.contains("answered  3:15"))
        #expect(text.contains("caller hung up after 10 s"))
    }
}

func occurrences(of needle: String, in text: String) -> Int {
    text.ranges(of: needle).count
}

extension UIState {
    static func onTab(_ tab: Tab) -> UIState {
        var ui = UIState()
        ui.tab = tab
        return ui
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

/// The audio line under a connected call, and the other side's hold.
@Suite struct CallAudioTests {
    init() { Fixture.prepare() }

    func answered(secondsAgo: Int64) -> Scenario {
        var scenario = Scenario()
        scenario.ring("a1", from: Fixture.carla, secondsAgo: secondsAgo + 2)
        scenario.send(.accept("a1"), secondsAgo: secondsAgo)
        return scenario
    }

    @Test func countersShowUnderAnActiveCall() {
        var scenario = answered(secondsAgo: 10)
        scenario.send(.mediaStats("a1", MediaStats(packetsSent: 500, packetsReceived: 498,
                                                   lastReceivedAt: Fixture.now - .milliseconds(20), codec: "PCMU")),
                      secondsAgo: 0)
        let text = renderScreen(scenario.model(), 100, 24).text
        #expect(text.contains("audio PCMU, 498 packets in, 500 out"))
        #expect(!text.contains("no audio received"))
    }

    @Test func noAudioReceivedWhenNothingArrives() {
        var scenario = answered(secondsAgo: 10)
        scenario.send(.mediaStats("a1", MediaStats(packetsSent: 500, packetsReceived: 0, lastReceivedAt: nil,
                                                   codec: "PCMA")), secondsAgo: 0)
        #expect(renderScreen(scenario.model(), 100, 24).text.contains("no audio received (PCMA, 0 packets in, 500 out)"))
    }

    @Test func noAudioReceivedWhenItStopped() {
        var scenario = answered(secondsAgo: 30)
        scenario.send(.mediaStats("a1", MediaStats(packetsSent: 1500, packetsReceived: 700,
                                                   lastReceivedAt: Fixture.now - .seconds(10))), secondsAgo: 0)
        #expect(renderScreen(scenario.model(), 100, 24).text.contains("no audio received"))
    }

    @Test func aFreshCallIsNotYetSilent() {
        var scenario = answered(secondsAgo: 1)
        scenario.send(.mediaStats("a1", MediaStats(packetsSent: 40, packetsReceived: 0, lastReceivedAt: nil)),
                      secondsAgo: 0)
        #expect(!renderScreen(scenario.model(), 100, 24).text.contains("no audio received"))
    }

    @Test func heldByThemIsShownAndIsNotSilence() {
        var scenario = answered(secondsAgo: 30)
        scenario.send(.mediaStats("a1", MediaStats(packetsSent: 1500, packetsReceived: 100,
                                                   lastReceivedAt: Fixture.now - .seconds(20))), secondsAgo: 0)
        scenario.send(.remoteHold("a1", true), secondsAgo: 0)
        let text = renderScreen(scenario.model(), 100, 24).text
        #expect(text.contains("held by them"))
        #expect(!text.contains("no audio received"))
        scenario.send(.remoteHold("a1", false), secondsAgo: 0)
        #expect(renderScreen(scenario.model(), 100, 24).text.contains("active"))
    }
}
