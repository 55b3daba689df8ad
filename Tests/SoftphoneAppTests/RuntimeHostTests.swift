import CallStore
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import SoftphoneApp
import SoftphoneCore
import TerminalUI

/// A line that notes each command with how many frames had been published before it.
final class FrameCountingLine: LineConnector, @unchecked Sendable {
    var commands: [(LineCommand, framesBefore: Int)] = []
    let frames: Frames
    init(frames: Frames) { self.frames = frames }
    func perform(_ command: LineCommand, at now: Instant) {
        commands.append((command, frames.count.withLock { $0 }))
    }
}

final class Frames: Sendable {
    let count = Mutex(0)
}

@Suite("Runtime host: the store on the line's event loop")
struct RuntimeHostTests {
    final class Fixture {
        let loop = EmbeddedEventLoop()
        let clock = FakeClock()
        let frames = Frames()
        let line: FrameCountingLine
        let host: RuntimeHost
        let inbox: Inbox

        init() {
            line = FrameCountingLine(frames: frames)
            let clock = self.clock
            inbox = Inbox(clock: { clock.now })
            let runtime = Runtime(settings: CoreSettings(answering: AnsweringConfig(noAnswerSeconds: 10)),
                                  identity: .init(name: "Ada"), line: line,
                                  teams: UnavailableTeams(reportingTo: inbox), store: nil, sources: [], inbox: inbox)
            let frames = self.frames
            host = RuntimeHost(runtime: runtime, loop: loop, clock: { clock.now },
                               frameReady: { frames.count.withLock { $0 += 1 } })
        }

        /// Moves the clock and the loop's virtual time together, running what came due.
        func pass(_ duration: Duration) {
            clock.now = clock.now + duration
            loop.advanceTime(by: .nanoseconds(duration.nanoseconds))
        }
    }

    @Test("The line's answer to an incoming call is asked for before the frame that shows it is published")
    func answerBeforeFrame() {
        let f = Fixture()
        f.host.start(at: f.clock.now)
        f.loop.run()
        #expect(f.host.takeFrame()?.app.core.loggedIn == true)
        let before = f.frames.count.withLock { $0 }
        f.inbox.post(.incomingCall(IncomingCall(id: "c1", from: Party(number: "1002"), kind: .direct)))
        f.loop.run()
        let ring = f.line.commands.first { $0.0 == .ring("c1") }
        #expect(ring?.framesBefore == before)
        #expect(f.frames.count.withLock { $0 } == before + 1)
        #expect(f.host.takeFrame()?.app.core.calls.map(\.id) == ["c1"])
        #expect(f.host.takeFrame() == nil)  // taken once
    }

    @Test("Many posts before the loop runs cost one step, and every action is handled")
    func postsCoalesce() {
        let f = Fixture()
        f.host.start(at: f.clock.now)
        f.loop.run()
        let before = f.frames.count.withLock { $0 }
        for i in 0..<100 { f.inbox.post(.colleague(id: "c\(i)", name: "C\(i)", presence: Presence(.available))) }
        f.loop.run()
        #expect(f.frames.count.withLock { $0 } == before + 1)
        #expect(f.host.takeFrame()?.app.core.roster.count == 100)
    }

    @Test("The reducer's timers fire on the loop's clock: an unanswered call goes to its no-answer rule")
    func timersFire() {
        let f = Fixture()
        f.host.start(at: f.clock.now)
        f.loop.run()
        f.inbox.post(.incomingCall(IncomingCall(id: "c1", from: Party(number: "1002"), kind: .direct)))
        f.loop.run()
        #expect(f.host.takeFrame()?.app.core.calls.count == 1)
        f.pass(.seconds(9))
        #expect(f.host.takeFrame() == nil)  // nothing came due
        #expect(!f.line.commands.contains { if case .respond = $0.0 { true } else { false } })
        f.pass(.seconds(1))
        #expect(f.host.takeFrame()?.app.core.missedCount == 1)
        #expect(f.line.commands.contains { if case .respond("c1", _, _) = $0.0 { true } else { false } })
    }

    @Test("What connectors post before the start is handled after login, in order, never before it")
    func postsBeforeStart() {
        let f = Fixture()
        f.inbox.post(.note(.line, "posted while the terminal was starting"))
        f.loop.run()
        #expect(f.frames.count.withLock { $0 } == 0)  // nothing ran before the start
        f.host.start(at: f.clock.now)
        f.loop.run()
        let log = f.host.takeFrame()?.app.core.log.events.map(\.text) ?? []
        let login = log.firstIndex(of: "logged in"), note = log.firstIndex(of: "posted while the terminal was starting")
        #expect(login != nil && note != nil && login! < note!)
    }

    @Test("Keys typed after q are dropped, not handled on the way out")
    func keysAfterQuit() {
        let f = Fixture()
        f.host.start(at: f.clock.now)
        f.loop.run()
        f.host.key(.character("q"))
        f.host.key(.character("L"))  // would log out
        f.loop.run()
        #expect(f.host.quitRequested)
        #expect(!f.line.commands.contains { $0.0 == .unregister })
    }

    @Test("Keys reach the runtime on the loop; q with no call asks to quit")
    func keysAndQuit() {
        let f = Fixture()
        f.host.start(at: f.clock.now)
        f.loop.run()
        f.host.key(.tab)
        f.loop.run()
        #expect(f.host.takeFrame()?.app.ui.tab == .team)
        #expect(!f.host.quitRequested)
        f.host.key(.character("q"))
        f.loop.run()
        #expect(f.host.quitRequested)
    }
}

@Suite("Call log writer")
struct CallLogWriterTests {
    @Test("Records are written in order off the caller's thread; flush waits for them")
    func writesInOrder() throws {
        let store = try CallStore.inMemory()
        let failures = Mutex<[String]>([])
        let writer = CallLogWriter(store: store, failed: { text in failures.withLock { $0.append(text) } })
        for i in 0..<50 {
            writer.record(CallRecord(id: CallID("c\(i)"), direction: .inbound, remote: Party(number: "\(1000 + i)"),
                                     queue: nil, ringStartedAt: start + .seconds(Int64(i)), answeredAt: nil,
                                     endedAt: start + .seconds(Int64(i) + 1), outcome: .missed, reason: "test"))
        }
        #expect(writer.flush(timeout: .seconds(30)))
        #expect(writer.pending == 0)
        #expect(try store.callCount() == 50)
        #expect(try store.history(limit: 1).first?.id == "c49")
        #expect(failures.withLock { $0 }.isEmpty)
    }
}
