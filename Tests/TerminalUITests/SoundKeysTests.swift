import SoftphoneCore
import Testing
@testable import TerminalUI

/// Digits, `*`, `#` and `m` during a call; the Calls tab and status bar for sound; the bell.
@Suite struct SoundKeysTests {
    init() { Fixture.prepare() }

    /// A connected direct call from Bob, answered 60 s ago.
    func inCall() -> Scenario {
        var scenario = Scenario()
        scenario.ring("c1", from: Fixture.bob, secondsAgo: 65)
        scenario.send(.accept("c1"), secondsAgo: 60)
        scenario.settle()
        return scenario
    }

    func press(_ key: KeyInput, _ state: SoftphoneState) -> ([UICommand], UIState) {
        var ui = UIState()
        let commands = KeyMap.handle(key, ui: &ui, state: state)
        return (commands, ui)
    }

    @Test(arguments: Array("0123456789*#"))
    func digitsSendDTMF(_ digit: Character) {
        let (commands, ui) = press(.character(digit), inCall().state)
        #expect(commands == [.send(.sendDTMF("c1", digit))])
        #expect(ui.notice == nil)
    }

    @Test func digitsWithoutAnActiveCall() {
        let (idle, idleUI) = press(.character("5"), Scenario().state)
        #expect(idle.isEmpty)
        #expect(idleUI.notice == "no active call for DTMF")
        var held = inCall()
        held.send(.hold("c1"), secondsAgo: 1)
        let (commands, ui) = press(.character("#"), held.state)
        #expect(commands.isEmpty)
        #expect(ui.notice == "no active call for DTMF")
    }

    @Test func mKeyTogglesMute() {
        var scenario = inCall()
        #expect(press(.character("m"), scenario.state).0 == [.send(.toggleMute("c1"))])
        scenario.send(.hold("c1"), secondsAgo: 1)
        #expect(press(.character("m"), scenario.state).0 == [.send(.toggleMute("c1"))], "a held call too")
        let (none, ui) = press(.character("m"), Scenario().state)
        #expect(none.isEmpty)
        #expect(ui.notice == "no active call to mute")
    }

    @Test func digitsInThePickerStillChoose() {
        var ui = UIState()
        ui.overlay = .picker(selection: 0)
        #expect(KeyMap.handle(.character("2"), ui: &ui, state: inCall().state) == [.send(.choosePresence(.busy))])
    }

    @Test func callsTabShowsMuteDigitsAndCodec() {
        var scenario = inCall()
        scenario.send(.mediaStats("c1", MediaStats(packetsSent: 3000, packetsReceived: 2990,
                                                   lastReceivedAt: Fixture.now, codec: "opus")), secondsAgo: 0)
        scenario.send(.toggleMute("c1"), secondsAgo: 30)
        for c in "123#" { scenario.send(.sendDTMF("c1", c), secondsAgo: 20) }
        for c in "45" { scenario.send(.dtmfReceived("c1", c), secondsAgo: 10) }
        let text = renderScreen(scenario.model()).text
        #expect(text.contains("audio opus, 2990 packets in, 3000 out"))
        #expect(text.contains("🔇 muted"))
        #expect(text.contains("DTMF sent: 123#"))
        #expect(text.contains("DTMF received: 45"))
        let ascii = renderScreen(scenario.model(ascii: true)).text
        #expect(ascii.contains("[muted]"))
        #expect(!ascii.contains("🔇"))
    }

    @Test func statusBarShowsMutedForTheCurrentCall() {
        var scenario = inCall()
        #expect(!renderScreen(scenario.model()).text.split(separator: "\n")[0].contains("muted"))
        scenario.send(.toggleMute("c1"), secondsAgo: 5)
        #expect(renderScreen(scenario.model()).text.split(separator: "\n")[0].contains("🔇 muted"))
        #expect(renderScreen(scenario.model(ascii: true)).text.split(separator: "\n")[0].contains("[muted]"))
    }

    @Test func callsTabShowsALockForAnEncryptedCall() {
        #expect(TextWidth.columns(of: "🔒") == 2)
        var scenario = inCall()
        scenario.send(.mediaStats("c1", MediaStats(packetsSent: 50, packetsReceived: 49,
                                                   lastReceivedAt: Fixture.now, codec: "PCMU")), secondsAgo: 0)
        #expect(!renderScreen(scenario.model()).text.contains("🔒"))
        scenario.send(.mediaEncrypted("c1", true), secondsAgo: 0)
        let text = renderScreen(scenario.model()).text
        #expect(text.contains("🔒 audio PCMU, 49 packets in, 50 out"))
        // The lock takes two columns: the row still fits the screen's width.
        #expect(text.split(separator: "\n").allSatisfy { TextWidth.columns(of: $0) <= 80 })
        let ascii = renderScreen(scenario.model(ascii: true)).text
        #expect(ascii.contains("[SRTP] audio PCMU"))
        #expect(!ascii.contains("🔒"))
    }

    @Test func earlyMediaUnderADialledCall() {
        var scenario = Scenario()
        scenario.send(.dial("o1", to: "4930555"), secondsAgo: 8)
        #expect(!renderScreen(scenario.model()).text.contains("early media"))
        scenario.send(.earlyMedia("o1"), secondsAgo: 6)
        #expect(renderScreen(scenario.model()).text.contains("early media"))
    }

    @Test func helpListsTheNewKeys() {
        #expect(HelpOverlay.entries.contains { $0.key == "0-9 * #" })
        #expect(HelpOverlay.entries.contains { $0.key == "m" })
    }
}

@Suite struct BellPolicyTests {
    init() { Fixture.prepare() }

    @Test func ringsOnceForEachNewlyRingingCall() {
        var bell = BellPolicy()
        var scenario = Scenario()
        do { let rang = bell.shouldRing(for: scenario.state); #expect(!rang) }
        scenario.ring("r1", from: Fixture.bob, secondsAgo: 10)
        do { let rang = bell.shouldRing(for: scenario.state); #expect(rang) }
        do { let rang = bell.shouldRing(for: scenario.state); #expect(!rang, "the same ringing call: once") }
        scenario.ring("r2", from: Fixture.carla, secondsAgo: 5)
        do { let rang = bell.shouldRing(for: scenario.state); #expect(rang, "a second call rings again") }
        scenario.send(.accept("r1"), secondsAgo: 3)
        do { let rang = bell.shouldRing(for: scenario.state); #expect(!rang, "a call leaving ringing does not ring") }
        scenario.send(.decline("r2"), secondsAgo: 2)
        do { let rang = bell.shouldRing(for: scenario.state); #expect(!rang) }
    }

    @Test func neverForADivertedCallNorAnOutboundOne() {
        var bell = BellPolicy()
        var scenario = Scenario()
        scenario.send(.choosePresence(.doNotDisturb), secondsAgo: 30)
        _ = bell.shouldRing(for: scenario.state)
        scenario.ring("d1", from: Fixture.bob, secondsAgo: 10)
        do { let rang = bell.shouldRing(for: scenario.state); #expect(!rang) }
        scenario.send(.choosePresence(.available), secondsAgo: 8)
        scenario.send(.dial("o1", to: "4930555"), secondsAgo: 5)
        do { let rang = bell.shouldRing(for: scenario.state); #expect(!rang) }
    }
}
