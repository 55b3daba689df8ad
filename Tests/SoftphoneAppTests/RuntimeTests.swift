import Testing
@testable import SoftphoneApp
@testable import SoftphoneDemo
import SoftphoneCore
import TerminalUI

let start = Instant(secondsSinceEpoch: 1_800_000_000)

/// The demo runtime on virtual time: `run(until:)` plays the scenario second by second.
struct DemoDriver {
    let runtime = Demo.makeRuntime(at: start)
    var now = start

    init() { runtime.start(at: start) }

    mutating func run(for span: Duration, step: Duration = .milliseconds(100)) {
        let end = now + span
        while now < end {
            now = min(end, now + step)
            runtime.advance(to: now)
        }
    }

    mutating func press(_ keys: KeyInput...) {
        for key in keys { _ = runtime.handle(key, at: now) }
        runtime.advance(to: now)
    }

    var state: SoftphoneState { runtime.state }
}

@Suite("Demo runtime")
struct RuntimeTests {
    @Test("The demo logs in, registers the line, connects Teams and fills the Team tab")
    func startsUp() {
        var demo = DemoDriver()
        demo.run(for: .seconds(1))
        #expect(demo.state.loggedIn)
        #expect(demo.state.line == .registered)
        #expect(demo.state.teamsConnected)
        #expect(!demo.state.teamsPending)
        #expect(demo.state.presence == Presence(.available))
        #expect(demo.runtime.roster.count == DemoScenario.colleagues.count)
    }

    @Test("The first demo call rings, is accepted with a, and the caller hangs up later")
    func acceptFirstCall() {
        var demo = DemoDriver()
        demo.run(for: .seconds(4))
        #expect(demo.state.calls.map(\.phase) == [.ringing])
        #expect(demo.state.presence == Presence(.ring))
        demo.press(.character("a"))
        #expect(demo.state.presence == Presence(.onACall))
        demo.run(for: .seconds(30))
        #expect(demo.state.calls.isEmpty)
        #expect(demo.runtime.history.first?.outcome == .answered)
        #expect(demo.runtime.history.first?.remote.name == "Carla Caller")
    }

    @Test("In Do not disturb the first call is not signalled, and the Log says why")
    func doNotDisturbDiverts() {
        var demo = DemoDriver()
        demo.run(for: .seconds(1))
        demo.press(.character("p"), .character("3"))
        #expect(demo.state.presence == Presence(.doNotDisturb))
        demo.run(for: .seconds(3))
        #expect(demo.state.calls.isEmpty)
        #expect(demo.runtime.history.first?.outcome == .diverted)
        #expect(demo.state.log.events.contains { $0.text.contains("Carla Caller") && $0.text.contains("not signalled: Do not disturb") })
        // Teams was told: preferred presence Do not disturb.
        #expect(demo.state.remote == GraphPresence(.doNotDisturb, .doNotDisturb))
    }

    @Test("An unanswered call goes to voicemail after the no-answer time and counts as missed")
    func missed() {
        var demo = DemoDriver()
        demo.run(for: .seconds(20))
        #expect(demo.state.missedCount == 1)
        #expect(demo.runtime.history.first?.diversion?.rule == .voicemail)
    }

    @Test("Presenting in the Teams app shows, then Available returns; out of office shows as an overlay")
    func teamsAppStates() {
        var demo = DemoDriver()
        demo.run(for: .seconds(41))
        #expect(demo.state.presence == Presence(.presenting))
        #expect(demo.state.presenceSetBy == .application)
        demo.run(for: .seconds(15))
        #expect(demo.state.presence.state == .available)
        demo.run(for: .seconds(40))  // t = 96: out of office on
        #expect(demo.state.presence.outOfOffice)
    }

    @Test("A Teams outage shows ❎ and both sides converge on reconnect with the last choice")
    func outage() {
        var demo = DemoDriver()
        demo.run(for: .seconds(113))
        #expect(!demo.state.teamsConnected)
        demo.press(.character("p"), .character("2"))  // Busy, chosen while Teams is unreachable
        #expect(demo.state.teamsPending)
        demo.run(for: .seconds(7))
        #expect(demo.state.teamsConnected)
        #expect(!demo.state.teamsPending)
        #expect(demo.state.remote == GraphPresence(.busy, .busy))
        #expect(demo.state.presence == Presence(.busy))
    }

    @Test("L logs out and in; logged out, the demo's calls are refused and not recorded")
    func logout() {
        var demo = DemoDriver()
        demo.run(for: .seconds(1))
        demo.press(.character("L"))
        #expect(demo.state.presence == Presence(.logout))
        let recorded = demo.runtime.history.count
        demo.run(for: .seconds(30))
        #expect(demo.runtime.history.count == recorded)
        #expect(demo.state.missedCount == 0)
        demo.press(.character("L"))
        demo.run(for: .seconds(1))
        #expect(demo.state.loggedIn && demo.state.line == .registered)
    }

    @Test("Dialling with c places an outbound call that the demo answers")
    func dial() {
        var demo = DemoDriver()
        demo.run(for: .seconds(1))
        demo.press(.character("c"), .character("1"), .character("0"), .character("0"), .character("2"), .enter)
        #expect(demo.state.calls.first?.phase == .dialing)
        demo.run(for: .seconds(2.5))
        #expect(demo.state.calls.first?.phase == .active)
        demo.press(.character("e"))
        #expect(demo.runtime.history.first?.direction == .outbound)
    }

    @Test("q quits at once when idle and asks first during a call")
    func quit() {
        var demo = DemoDriver()
        demo.run(for: .seconds(1))
        #expect(demo.runtime.handle(.character("q"), at: demo.now) == false)
        var busy = DemoDriver()
        busy.run(for: .seconds(4))
        busy.press(.character("a"))
        #expect(busy.runtime.handle(.character("q"), at: busy.now) == true)
        #expect(busy.runtime.ui.overlay == .confirmQuit)
        #expect(busy.runtime.handle(.character("y"), at: busy.now) == false)
    }

    @Test("Timers wake the loop: the next deadline is the reducer's earliest timer")
    func deadlines() {
        let runtime = Runtime(settings: CoreSettings(answering: AnsweringConfig(noAnswerSeconds: 17)),
                              identity: .init(name: "Ada"), line: UnavailableLine(reportingTo: Inbox(), reason: "test"),
                              teams: UnavailableTeams(reportingTo: Inbox()), store: nil, sources: [])
        runtime.start(at: start)
        #expect(runtime.nextDeadline == nil)
        runtime.dispatch(.incomingCall(IncomingCall(id: "c1", from: Party(number: "1002"), kind: .direct)),
                         at: start + .seconds(1))
        #expect(runtime.nextDeadline == start + .seconds(18))
        runtime.advance(to: start + .seconds(18))
        #expect(runtime.state.calls.isEmpty)
        #expect(runtime.state.missedCount == 1)
        #expect(TerminalApp.timeout(now: Instant(nanosecondsSinceEpoch: 1_500_000_000), deadline: nil) == 501)
        #expect(TerminalApp.timeout(now: start, deadline: start + .milliseconds(20)) == 20)
    }
}

/// A runtime with no demo: a line that records what it was told, events posted by hand.
final class RecordingLine: LineConnector {
    var commands: [LineCommand] = []
    func perform(_ command: LineCommand, at now: Instant) { commands.append(command) }
}

final class FakeClock: @unchecked Sendable {
    var now = start
}

@Suite("Runtime ordering and shutdown")
struct RuntimeOrderingTests {
    static func make(clock: FakeClock, line: RecordingLine) -> Runtime {
        Runtime(settings: CoreSettings(answering: AnsweringConfig(rule: .voicemail(target: "sip:vm@127.0.0.1"),
                                                                  noAnswerSeconds: 10)),
                identity: .init(name: "Ada"), line: line, teams: UnavailableTeams(reportingTo: Inbox()),
                store: nil, sources: [], inbox: Inbox(clock: { clock.now }))
    }

    @Test("A caller who hangs up before the no-answer time is a missed call, even if both are handled late")
    func cancelBeforeTimeout() {
        let clock = FakeClock(), line = RecordingLine()
        let runtime = Self.make(clock: clock, line: line)
        runtime.start(at: start)
        runtime.dispatch(.incomingCall(IncomingCall(id: "c1", from: Party(number: "1002"), kind: .direct)), at: start)
        clock.now = start + .seconds(9)  // CANCEL arrives at 9 s…
        runtime.inbox.post(.callerCancelled("c1"))
        runtime.advance(to: start + .seconds(12))  // …but the loop only gets to it at 12 s
        #expect(runtime.history.first?.reason == "caller hung up after 9 s")
        #expect(!line.commands.contains(.respond("c1", status: 302, contact: "sip:vm@127.0.0.1")))
    }

    @Test("The no-answer time that passed before a late CANCEL wins: the call went to voicemail")
    func timeoutBeforeCancel() {
        let clock = FakeClock(), line = RecordingLine()
        let runtime = Self.make(clock: clock, line: line)
        runtime.start(at: start)
        runtime.dispatch(.incomingCall(IncomingCall(id: "c1", from: Party(number: "1002"), kind: .direct)), at: start)
        clock.now = start + .seconds(11)
        runtime.inbox.post(.callerCancelled("c1"))
        runtime.advance(to: start + .seconds(12))
        #expect(line.commands.contains(.respond("c1", status: 302, contact: "sip:vm@127.0.0.1")))
        #expect(runtime.history.first?.reason == "not answered within 10 s")
    }

    @Test("Quitting logs out: an active call is hung up and recorded, the line de-registers")
    func shutdown() {
        let clock = FakeClock(), line = RecordingLine()
        let runtime = Self.make(clock: clock, line: line)
        runtime.start(at: start)
        runtime.dispatch(.incomingCall(IncomingCall(id: "c1", from: Party(number: "1002"), kind: .direct)), at: start)
        runtime.dispatch(.accept("c1"), at: start + .seconds(1))
        runtime.shutdown(at: start + .seconds(30))
        #expect(line.commands.suffix(3) == [.hangUp("c1"), .unregister, .publish(Presence(.logout))])
        #expect(runtime.history.first?.outcome == .answered)
        #expect(!runtime.state.loggedIn)
    }

    @Test("After a long suspend the demo does not replay a burst of calls")
    func noBurstAfterSuspend() {
        var demo = DemoDriver()
        demo.run(for: .seconds(1))
        demo.run(for: .seconds(600), step: .seconds(600))
        #expect(demo.state.missedCount == 0)
        #expect(demo.runtime.history.isEmpty)
        demo.run(for: .seconds(120))  // the next cycle's calls ring as usual
        #expect(!demo.runtime.history.isEmpty)
    }
}

@Suite("Runtime under a flood of events")
struct RuntimeFloodTests {
    @Test("Every posted event is handled, even more than the loop's bound in one go")
    func noEventIsDropped() {
        let inbox = Inbox(clock: { start })
        let runtime = Runtime(settings: CoreSettings(), identity: .init(name: "Ada"),
                              line: UnavailableLine(reportingTo: Inbox(), reason: "test"), teams: UnavailableTeams(reportingTo: Inbox()),
                              store: nil, sources: [], inbox: inbox)
        for i in 0..<12_000 {
            inbox.post(.colleague(id: "c\(i)", name: "Colleague \(i)", presence: Presence(.available)))
        }
        inbox.post(.note(.line, "the last one"))
        runtime.advance(to: start + .seconds(1))
        #expect(runtime.roster.colleagues.count == 12_000)
        #expect(runtime.state.log.events.contains { $0.text == "the last one" })
    }
}
