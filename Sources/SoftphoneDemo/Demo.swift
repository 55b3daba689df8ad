import SoftphoneApp
import CallStore
import SoftphoneCore
import TerminalUI

/// The demo without any network: the real runtime and reducer, fed by in-process
/// backends (Teams, the phone system, the script), on virtual time for the tests.
/// `softphone --demo` runs `LiveDemo`, which puts the Teams emulator and the real
/// Graph client in place of the in-process Teams.
public enum Demo {
    public static let settings = CoreSettings(
        answering: AnsweringConfig(rule: .voicemail(target: "sip:voicemail@127.0.0.1"), noAnswerSeconds: 15),
        wrapUpSeconds: 10, sync: .both)
    public static let identity = ScreenModel.Identity(name: "Ada Agent", extensionNumber: "1001")

    /// A runtime wired to the demo backends, its scenario starting at `now`.
    public static func makeRuntime(at now: Instant, store: CallStore? = nil, inbox: Inbox = Inbox()) -> Runtime {
        let teams = DemoTeams(now: now)
        let switchboard = DemoSwitchboard()
        let scenario = DemoScenario(start: now, teams: teams, caller: switchboard)
        return Runtime(settings: settings, identity: identity, line: switchboard, teams: teams,
                       store: store ?? (try? CallStore.inMemory()), sources: [scenario, teams, switchboard],
                       inbox: inbox)
    }
}
