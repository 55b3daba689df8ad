import NIOCore
import NIOPosix
import RTPMedia
import SIP
import SoftphoneSIPMapping
import SIPNetwork
import SIPUserAgent
import SoftphoneCore

/// What the app hands a line, in the core's vocabulary (mapped to the agent's by `LineMapping`).
package enum LineStackInput: Sendable {
    case command(LineCommand)
    /// Place a call as `caller` (our own identity when nil) with extra headers (`X-Queue`,
    /// `Diversion`, …): what a switchboard or a test caller does with this agent.
    case place(CallID, to: String, caller: Party?, headers: [SIPHeader])
}

/// A `LineAgent` at work: bound to a UDP/TCP address (TLS: client connections only), driven on one event loop with real
/// timers and RTP media, its actions handed to `report` on that loop. The softphone's line
/// (`SIPLineConnector`) and the demo's switchboard each run one.
package final class LineStack: Sendable {
    package let loop: EventLoop
    package let transport: SIPTransport
    let driver: NIOLoopBoundBox<LineDriver?>
    private let ticker: NIOLoopBound<RepeatedTask?>
    /// Where the calls' sound comes from and goes.
    let audio: LineAudio

    private init(loop: EventLoop, transport: SIPTransport, driver: NIOLoopBoundBox<LineDriver?>,
                 ticker: NIOLoopBound<RepeatedTask?>, audio: LineAudio) {
        self.audio = audio
        self.loop = loop
        self.transport = transport
        self.driver = driver
        self.ticker = ticker
    }

    /// Binds `host:port` and starts the agent, its `local` set to the bound address.
    package static func start(_ configuration: LineAgentConfiguration, host: String, port: Int, audio: LineAudio,
                              loop: EventLoop, seed: UInt64, trace: SIPTracer? = nil, tlsCAFile: String? = nil,
                              queues: QueueDirectory = QueueDirectory([]),
                      report: @escaping @Sendable (Action) -> Void,
                      problem: @escaping @Sendable (String) -> Void,
                      watched: @escaping @Sendable (String, Presence) -> Void = { _, _ in }) async throws -> LineStack {
        let box = NIOLoopBoundBox<LineDriver?>.makeEmptyBox(valueType: LineDriver.self, eventLoop: loop)
        let transport = try await SIPTransport.start(
            host: host, port: port, on: loop,
            configuration: SIPTransportConfiguration(trace: trace, tls: SIPTLSConfiguration(caFile: tlsCAFile)),
            receiver: { incoming in box.value?.receive(incoming) }, problem: problem)
        var configuration = configuration
        // Via and Contact name the transport the line registers on (the outbound proxy's, else the registrar's).
        let first = (configuration.outboundProxyURI ?? configuration.registrar).flatMap(SIPHop.init(uri:))
        configuration.local = SIPHop(transport: first?.transport ?? .udp, host: transport.local.host, port: transport.local.port)
        // The driver locates the registrar's servers (RFC 3263) and the agent fails over between them.
        configuration.locatesServers = true
        if configuration.mediaHost == host { configuration.mediaHost = transport.local.host }
        let agent = LineAgent(configuration: configuration, seed: seed)
        let mapping = LineMapping(queues: queues, configuration: configuration)
        let mediaHost = configuration.mediaHost
        let ticker = try await loop.submit { () -> NIOLoopBound<RepeatedTask?> in
            let driver = LineDriver(agent: agent, mapping: mapping, loop: loop, transport: transport,
                                    mediaHost: mediaHost, audio: audio, report: report)
            driver.box = box
            driver.watched = watched
            box.value = driver
            let task = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                box.value?.reportMedia()
            }
            return NIOLoopBound(task, eventLoop: loop)
        }.get()
        return LineStack(loop: loop, transport: transport, driver: box, ticker: ticker, audio: audio)
    }

    /// Hands an input to the agent, on its loop (later, when called on the loop: safe
    /// from within the driver's own callbacks).
    package func send(_ input: LineStackInput) {
        let driver = self.driver
        loop.execute { driver.value.map { Self.deliver(input, to: $0) } }
    }

    private static func deliver(_ input: LineStackInput, to line: LineDriver) {
        switch input {
        case .command(let command):
            line.handle(.command(line.mapping.request(for: command)))
        case .place(let id, let target, let caller, let headers):
            line.handle(.place(LineMapping.line(id), to: target, caller: caller.map(LineMapping.caller), headers: headers))
        }
    }

    /// Hands an input to the agent at once when called on its loop, else like `send`. Only
    /// for callers that are never inside the driver's callbacks: the runtime, which the
    /// `RuntimeHost` runs on the line's loop, so the core's answer to an INVITE leaves
    /// without waiting for another turn of the loop.
    func sendNow(_ input: LineStackInput) {
        guard loop.inEventLoop else { return send(input) }
        driver.value.map { Self.deliver(input, to: $0) }
    }

    /// Waits up to `timeout` while the line is still registered or registering, or a
    /// publication or subscription change is unanswered (so that logout's de-registration
    /// and removals get their answers), then stops timers, media and the transport.
    package func close(timeout: Duration) async {
        let driver = self.driver, loop = self.loop, ticker = self.ticker
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (state, pending) = (try? await loop.submit { (driver.value?.lineState, driver.value?.hasPendingWork ?? false) }
                .get()) ?? (nil, false)
            guard state == .registering || state == .registered || pending else { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let sessions = (try? await loop.submit { () -> [RTPSession] in
            ticker.value?.cancel()
            let sessions = driver.value?.stop() ?? []
            driver.value = nil
            return sessions
        }.get()) ?? []
        for session in sessions { await session.close() }
        audio.engine?.stop()
        await transport.close()
    }
}
