import CallStore
import SoftphoneCore
import TerminalUI

/// `softphone --demo`: the real runtime and reducer, fed by in-process demo backends
/// (Teams, the phone system, a scripted scenario). This is the one seam the real
/// connectors replace: a `LineConnector`, a `TeamsConnector` and their event sources.
public enum Demo {
    public static let settings = CoreSettings(
        answering: AnsweringConfig(rule: .voicemail(target: "sip:voicemail@127.0.0.1"), noAnswerSeconds: 15),
        wrapUpSeconds: 10, sync: .both)
    public static let identity = ScreenModel.Identity(name: "Ada Agent", extensionNumber: "1001")

    /// A runtime wired to the demo backends, its scenario starting at `now`.
    public static func makeRuntime(at now: Instant, store: CallStore? = nil, inbox: Inbox = Inbox()) -> Runtime {
        let teams = DemoTeams(now: now)
        let switchboard = DemoSwitchboard()
        let scenario = DemoScenario(start: now, teams: teams, switchboard: switchboard)
        return Runtime(settings: settings, identity: identity, line: switchboard, teams: teams,
                       store: store ?? (try? CallStore.inMemory()), sources: [scenario, teams, switchboard],
                       inbox: inbox)
    }
}
