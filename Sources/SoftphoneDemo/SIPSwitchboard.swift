import SoftphoneApp
import Foundation
import NIOCore
import NIOPosix
import RTPMedia
import SIP
import SIPNetwork
import SIPUserAgent
import SoftphoneCore
import Synchronization

/// Whoever places the demo's calls to the agent.
protocol DemoCaller: AnyObject {
    /// A caller dials the agent and gives up after `patience` unless answered or diverted.
    /// Returns the events that stand for the call when there is no network in between.
    func place(_ call: IncomingCall, patience: Duration, at now: Instant) -> [Action]
}

/// The demo's phone system over loopback SIP: a registrar for the line (`DemoRegistrar`)
/// and a switchboard — the project's own user agent on its own address — that places the
/// script's calls to wherever the line registered, hangs up or gives up as callers do,
/// plays a tone, and answers the agent's outbound calls. The softphone sees real SIP.
final class SIPSwitchboard: DemoCaller, Sendable {
    static let lineUser = "1001"
    static let linePassword = "demo"
    /// How long an answered caller talks, and how long the agent's outbound calls ring.
    static let talkTime: Duration = .seconds(25)
    static let answerDelay: Duration = .seconds(2)

    let stack: LineStack
    let registrar: DemoRegistrar
    /// The registrar's own address (its answers do not pass through the switchboard's agent).
    let registrarTransport: SIPTransport
    private let calls: NIOLoopBoundBox<[CallID: [Scheduled<Void>]]>
    private let inbox: Inbox

    private init(stack: LineStack, registrar: DemoRegistrar, registrarTransport: SIPTransport, inbox: Inbox) {
        self.stack = stack
        self.registrar = registrar
        self.registrarTransport = registrarTransport
        self.inbox = inbox
        calls = .makeBoxSendingValue([:], eventLoop: stack.loop)
    }

    /// The registrar URI the demo line registers at.
    var registrarURI: String { "sip:\(registrarTransport.local.host):\(registrarTransport.local.port)" }

    static func start(inbox: Inbox, loop: EventLoop = MultiThreadedEventLoopGroup.singleton.next()) async throws
        -> SIPSwitchboard {
        let registrar = DemoRegistrar(user: lineUser, password: linePassword)
        let registrarTransport = try await registrar.listen(on: loop)
        let configuration = LineAgentConfiguration(
            user: "switchboard", displayName: "Demo switchboard", local: SIPHop(transport: .udp, host: "127.0.0.1", port: 0),
            product: "softphone-demo-switchboard", acceptsTransfers: true)
        let reports = ReportRelay()
        let stack = try await LineStack.start(configuration, host: "127.0.0.1", port: 0, audio: .fixed(Tone.source),
                                              loop: loop, seed: UInt64.random(in: 1...UInt64.max),
                                              report: { reports.forward($0) }, problem: { _ in })
        let switchboard = SIPSwitchboard(stack: stack, registrar: registrar, registrarTransport: registrarTransport,
                                         inbox: inbox)
        reports.target = switchboard
        return switchboard
    }

    func place(_ call: IncomingCall, patience: Duration, at now: Instant) -> [Action] {
        guard let contact = registrar.contact else {
            inbox.post(.note(.line, "demo: \(call.from.display) called; the line is not registered, "
                                      + "so the phone system took the call (R1)"))
            return []
        }
        var headers: [SIPHeader] = []
        if let queue = call.kind.queue {
            headers.append(SIPHeader(name: "Diversion",
                                     value: "<sip:\(queue.number)@\(stack.transport.local.host)>;reason=unconditional"))
        }
        let id = call.id, stack = self.stack, calls = self.calls
        stack.send(.place(id, to: contact.description, caller: call.from, headers: headers))
        stack.loop.execute {
            let giveUp = stack.loop.scheduleTask(in: TimeAmount.nanoseconds(patience.nanoseconds)) {
                stack.send(.command(.cancelDial(id)))
            }
            calls.value[id, default: []].append(giveUp)
        }
        return []
    }

    /// What the switchboard's agent reports, on its loop: answered calls are hung up after a
    /// while, the agent's outbound calls ring and are answered.
    fileprivate func handle(_ action: Action) {
        let stack = self.stack
        switch action {
        case .call(.remoteAnswered(let id)):
            forgetTimers(id)
            after(Self.talkTime, id) { [weak self] in self?.hangUp(id) }
        case .call(.incomingCall(let call)):
            stack.send(.command(.ring(call.id)))
            after(Self.answerDelay, call.id) { stack.send(.command(.answer(call.id))) }
            after(Self.answerDelay + Self.talkTime, call.id) { [weak self] in self?.hangUp(call.id) }
        case .call(.outboundFailed(let id, _, _)), .call(.remoteHangUp(let id)), .call(.callerCancelled(let id)):
            forgetTimers(id)
        default:
            break
        }
    }

    /// The caller hangs up: the call is over for the switchboard too (no report comes back).
    private func hangUp(_ id: CallID) {
        stack.send(.command(.hangUp(id)))
        forgetTimers(id)
    }

    private func after(_ delay: Duration, _ id: CallID, _ body: @escaping @Sendable () -> Void) {
        let task = stack.loop.scheduleTask(in: TimeAmount.nanoseconds(delay.nanoseconds), body)
        calls.value[id, default: []].append(task)
    }

    private func forgetTimers(_ id: CallID) {
        for task in calls.value.removeValue(forKey: id) ?? [] { task.cancel() }
    }

    func stop() async {
        await stack.close(timeout: .zero)
        await registrarTransport.close()
    }
}

/// Hands the switchboard's reports to it once it exists (the stack starts first).
private final class ReportRelay: Sendable {
    private struct Weak { weak var value: SIPSwitchboard? }
    private let box = Mutex(Weak())

    var target: SIPSwitchboard? {
        get { box.withLock { $0.value } }
        set { box.withLock { $0.value = newValue } }
    }

    func forward(_ action: Action) { target?.handle(action) }
}

/// A 425 Hz tone (the European ringback pitch), what demo callers "say".
enum Tone {
    static let source: AudioSource = {
        let samples = (0..<8000).map { i in Int16(6000 * sin(2 * Double.pi * 425 * Double(i) / 8000)) }
        return .samples(samples)
    }()
}
