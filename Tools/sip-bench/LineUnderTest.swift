import CallStore
import Foundation
import SIP
import SIPAuth
import Synchronization
import SIPUserAgent
import SoftphoneApp
import SoftphoneCore
import TerminalUI

/// The child process: the real runtime with the SIP line on 127.0.0.1 (a free port), no
/// terminal. It prints `port N`, then runs until its standard input closes. `dnd` picks Do not disturb first;
/// `answer` accepts every ringing call at once, as an agent pressing `a` would. With a
/// `registrar` (the password in `SIP_BENCH_PASSWORD`) the line registers there with SIP
/// presence on; each line read from standard input is then a presence to choose
/// (`available`, `busy`, `dnd`, `brb`, `away`, `offline`) — what the presence benchmark drives.
enum LineUnderTest {
    static func run(dnd: Bool, answer: Bool, registrar: String? = nil) throws {
        let wake = DispatchSemaphore(value: 0)
        let choices = Mutex<[UserChoice]>([])
        // The parent ends us by closing our standard input (signals may be blocked in a
        // process spawned from a thread that blocks them).
        Thread.detachNewThread {
            while let line = readLine() {
                let choice: UserChoice? = switch line.trimmed {
                case "available": .available
                case "busy": .busy
                case "dnd": .doNotDisturb
                case "brb": .beRightBack
                case "away": .appearAway
                case "offline": .appearOffline
                default: nil
                }
                if let choice {
                    choices.withLock { $0.append(choice) }
                    wake.signal()
                }
            }
            exit(0)
        }
        let inbox = Inbox(wake: { wake.signal() })
        let password = ProcessInfo.processInfo.environment["SIP_BENCH_PASSWORD"] ?? ""
        let agent = LineAgentConfiguration(user: "1001", displayName: "Bench Agent",
                                           local: SIPHop(transport: .udp, host: "127.0.0.1", port: 0),
                                           registrar: registrar.flatMap { SIPURI($0) },
                                           credentials: DigestCredentials(username: "1001", password: password),
                                           presence: registrar != nil,
                                           // hundreds of calls at once are the load measured, not a flood
                                           maxCalls: 100_000)
        let line = try blocking { try await SIPLineConnector.start(
            SIPLineSettings(agent: agent, listenHost: "127.0.0.1", listenPort: 0), inbox: inbox) }
        let runtime = Runtime(settings: CoreSettings(answering: AnsweringConfig(rule: .reject, noAnswerSeconds: 60),
                                                     wrapUpSeconds: 0, sync: .off),
                              identity: .init(name: "Bench Agent"), line: line, teams: SilentTeams(),
                              store: try CallStore.inMemory(), sources: [], inbox: inbox, teamsConfigured: false)
        runtime.start(at: WallClock.now())
        if dnd { runtime.dispatch(.choosePresence(.doNotDisturb), at: WallClock.now()) }
        FileHandle.standardOutput.write(Data("port \(line.local.port)\n".utf8))
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(50))
            let now = WallClock.now()
            runtime.advance(to: now)
            for choice in choices.withLock({ pending in defer { pending.removeAll() }; return pending }) {
                runtime.dispatch(.choosePresence(choice), at: now)
            }
            if answer {
                for call in runtime.state.calls where call.phase == .ringing {
                    runtime.dispatch(.accept(call.id), at: now)
                }
            }
        }
    }
}

/// Teams is not part of this measurement.
final class SilentTeams: TeamsConnector {
    func perform(_ command: TeamsCommand, at now: Instant) {}
}
