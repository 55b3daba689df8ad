import SoftphoneCore
@testable import TerminalUI

/// The screens every size and mode is snapshotted in.
enum Screenshot: String, CaseIterable {
    case idle, picker, ringing, callWaiting = "call-waiting", loggedOut = "logged-out"
    case teamsDisconnected = "teams-disconnected"
    case inCall = "in-call"

    func model(ascii: Bool) -> ScreenModel {
        var scenario = Scenario()
        scenario.someHistory()
        var ui = UIState()
        switch self {
        case .idle:
            break
        case .picker:
            scenario.send(scenario.teams(GraphPresence(.doNotDisturb, .presenting)), secondsAgo: 120)
            ui.overlay = .picker(selection: 1)
        case .ringing:
            scenario.ring("r1", from: Fixture.carla, kind: .queue(Fixture.sales), secondsAgo: 5)
        case .callWaiting:
            scenario.ring("r1", from: Fixture.bob, secondsAgo: 80)
            scenario.send(.accept("r1"), secondsAgo: 72)
            scenario.ring("r2", from: Fixture.carla, secondsAgo: 5)
            scenario.settle()
        case .loggedOut:
            scenario.send(.logout, secondsAgo: 60)
            scenario.send(.lineStateChanged(.unregistered), secondsAgo: 59)
            scenario.settle()
        case .teamsDisconnected:
            scenario.send(.teamsDisconnected(reason: "connection refused"), secondsAgo: 150)
            scenario.send(.choosePresence(.busy), secondsAgo: 90)
        case .inCall:
            // A connected call with sound: Opus, muted, DTMF both ways.
            scenario.ring("r1", from: Fixture.bob, secondsAgo: 80)
            scenario.send(.accept("r1"), secondsAgo: 72)
            scenario.send(.mediaStats("r1", MediaStats(packetsSent: 3600, packetsReceived: 3597,
                                                       lastReceivedAt: Fixture.now, codec: "opus")), secondsAgo: 0)
            scenario.send(.toggleMute("r1"), secondsAgo: 40)
            for digit in "123#" { scenario.send(.sendDTMF("r1", digit), secondsAgo: 30) }
            for digit in "45" { scenario.send(.dtmfReceived("r1", digit), secondsAgo: 20) }
            scenario.settle()
        }
        return scenario.model(ui: ui, ascii: ascii)
    }
}
