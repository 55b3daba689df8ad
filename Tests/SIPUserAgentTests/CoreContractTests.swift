import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// The core reducer and the line's agent wired together as the app wires them: the core's
/// `.line` effects become agent commands, the agent's reports become core actions. Both run
/// on the same virtual clock.
struct Phone {
    var state: SoftphoneState
    var line: LineHarness
    let origin = Instant(secondsSinceEpoch: 1_800_000_000)
    var coreTimers: [TimerID: Instant] = [:]
    /// Every line command the core gave.
    var commands: [LineCommand] = []

    init(answering: AnsweringConfig = AnsweringConfig(rule: .reject, noAnswerSeconds: 20)) {
        var settings = CoreSettings()
        settings.answering = answering
        settings.wrapUpSeconds = 0
        state = SoftphoneState(settings: settings)
        line = LineHarness(Net.configuration(registrar: false, credentials: false))
        core(.login)
    }

    var now: Instant { origin + line.now.offset }

    /// A user or system action into the core; what it asks of the line runs at once.
    mutating func core(_ action: Action) {
        var pending = [action]
        while !pending.isEmpty {
            let next = pending.removeFirst()
            for effect in Reducer.reduce(&state, next, at: now) {
                switch effect {
                case .line(let command):
                    commands.append(command)
                    pending += line.command(command).reports
                case .startTimer(let id, let at): coreTimers[id] = at
                case .cancelTimer(let id): coreTimers[id] = nil
                default: break
                }
            }
        }
    }

    /// A message from the network; what the agent reports goes to the core.
    @discardableResult
    mutating func network(_ request: SIPRequest) -> Step {
        let step = line.receive(request)
        for action in step.reports { core(action) }
        return step
    }

    mutating func media(_ input: LineInput) {
        for action in line.feed(input).reports { core(action) }
    }

    /// Lets time pass on both sides, firing the core's timers and the agent's in deadline order.
    mutating func advance(by span: Duration) {
        let end = line.now.advanced(by: span)
        while let (id, at) = coreTimers.min(by: { $0.value < $1.value }), SIPInstant(origin.duration(to: at)) <= end {
            coreTimers[id] = nil
            let due = SIPInstant(origin.duration(to: at))
            for action in line.advance(to: max(due, line.now)).reports { core(action) }
            core(.timerFired(id))
        }
        for action in line.advance(to: end).reports { core(action) }
    }
}

extension Instant {
    func duration(to other: Instant) -> Duration {
        .nanoseconds(other.nanosecondsSinceEpoch - nanosecondsSinceEpoch)
    }
}

@Suite("The core and the agent together")
struct CoreContractTests {
    @Test("A signalled call: 180, accept, 200 once the port is known, ACK, hang-up BYE; the core ends the call")
    func answeredCall() throws {
        var phone = Phone()
        #expect(phone.state.line == .listening)
        var caller = Caller()
        let offered = phone.network(caller.invite())
        #expect(offered.statuses == [100])
        let ringing = try #require(phone.line.history.responses(180).first, "the core rings a direct call when Available")
        caller.localTag = ringing.toTag
        phone.core(.accept(caller.coreID))
        #expect(phone.commands.last { if case .publish = $0 { false } else { true } } == .answer(caller.coreID))
        phone.media(.mediaOpened(caller.coreID, port: 30000))
        #expect(phone.line.history.responses(200).count == 1)
        phone.network(caller.ack(sequence: 1))
        phone.core(.hangUp(caller.coreID))
        #expect(phone.line.history.requests(.bye).count == 1)
        #expect(phone.state.calls.isEmpty)
    }

    @Test("R2/R9: a call in Do not disturb is not signalled: 486 from the answering rule, never 180")
    func notSignalled() {
        var phone = Phone()
        phone.core(.choosePresence(.doNotDisturb))
        let caller = Caller()
        let step = phone.network(caller.invite())
        #expect(phone.line.history.statuses == [100, 486])
        #expect(phone.line.history.responses(180).isEmpty)
        #expect(step.media.isEmpty)
        #expect(phone.state.calls.isEmpty)
    }

    @Test("R9: a signalled call unanswered for the no-answer time is forwarded with 302 to the target")
    func noAnswerForwards() throws {
        var phone = Phone(answering: AnsweringConfig(rule: .forward(target: "202"), noAnswerSeconds: 15))
        let caller = Caller()
        phone.network(caller.invite())
        #expect(phone.line.history.responses(180).count == 1)
        phone.advance(by: .seconds(14))
        #expect(phone.line.history.responses(302).isEmpty)
        phone.advance(by: .seconds(1))
        let moved = try #require(phone.line.history.responses(302).first)
        #expect(moved.headers.first(.contact) == "<sip:202@198.51.100.5:5060>")
        #expect(phone.state.calls.isEmpty)
        #expect(phone.state.missedCount == 1)
    }

    @Test("An accepted call the caller cancels before our 200 also ends in the core")
    func cancelAfterAcceptEndsCoreCall() {
        var phone = Phone()
        let caller = Caller()
        phone.network(caller.invite())
        phone.core(.accept(caller.coreID))
        #expect(phone.state.calls.count == 1)
        let step = phone.network(caller.cancel())
        #expect(step.statuses == [200, 487])
        #expect(phone.state.calls.isEmpty, "the core still holds \(phone.state.calls)")
    }

    @Test("A ringing call the caller cancels is a missed call (R10)")
    func cancelWhileRingingIsMissed() {
        var phone = Phone()
        let caller = Caller()
        phone.network(caller.invite())
        phone.network(caller.cancel())
        #expect(phone.state.calls.isEmpty)
        #expect(phone.state.missedCount == 1)
    }
}
