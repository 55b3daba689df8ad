import NIOCore
import RTPMedia
import NIOPosix
import SIP
import SIPResolver
import SoftphoneSIPMapping
import SIPNetwork
import SIPUserAgent
import SoftphoneCore

/// Runs a `LineAgent` on one event loop: feeds it inputs stamped with the loop's clock and
/// carries out its outputs — messages through the transport, timers as scheduled tasks,
/// RTP sessions, its events (mapped to core actions by `mapping`) to `report`. Confined to
/// the event loop.
final class LineDriver {
    private var agent: LineAgent
    private let loop: EventLoop
    private let transport: SIPTransport
    /// Receives the agent's actions (and notes), on the event loop.
    private let report: (Action) -> Void
    /// Core commands → agent requests, agent events → core actions.
    let mapping: LineMapping
    /// Receives watched colleagues' presence (SIP URI, presence), on the event loop.
    var watched: (String, Presence) -> Void = { _, _ in }
    private let mediaHost: String
    private let audio: LineAudio
    /// Finds the registrar's servers (RFC 3263) when the agent asks (`LineOutput.locate`).
    private let locator: SIPServerLocator<CAresLookup>
    private var timers = DeadlineQueue<LineTimer, UInt64>()
    /// The one event-loop task waiting for the earliest timer, and when it fires.
    private var wakeup: (task: Scheduled<Void>, at: UInt64)?
    private var sessions: [LineCallID: RTPSession] = [:]
    /// Calls whose RTP port is being opened; a close that comes meanwhile is remembered.
    private var opening: [LineCallID: Bool] = [:]
    /// Calls whose RTP stream has started: what it carries, and the counters last reported.
    private var started: [LineCallID: StartedMedia] = [:]
    private struct StartedMedia {
        var stream: MediaStream
        var reported: MediaStats
    }
    /// Calls the agent muted (kept across a new stream for the same call).
    private var muted: Set<LineCallID> = []
    /// The registration as last reported.
    private(set) var lineState: RegistrationState = .unregistered
    /// Whether the agent still waits for an answer to a registration, publication or
    /// subscription change (see `LineAgent.hasPendingWork`).
    var hasPendingWork: Bool { agent.hasPendingWork }
    /// A reference to this driver that closures scheduled on the loop may hold.
    var box: NIOLoopBoundBox<LineDriver?>?

    init(agent: LineAgent, mapping: LineMapping, loop: EventLoop, transport: SIPTransport, mediaHost: String,
         audio: LineAudio, locator: SIPServerLocator<CAresLookup> = SIPServerLocator(lookup: .fromEnvironment()),
         report: @escaping (Action) -> Void) {
        self.locator = locator
        self.agent = agent
        self.mapping = mapping
        self.loop = loop
        self.transport = transport
        self.report = report
        self.mediaHost = mediaHost
        self.audio = audio
    }

    static var now: SIPInstant { SIPInstant(.nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds))) }

    func handle(_ input: LineInput) {
        for output in agent.handle(input, at: Self.now) { execute(output) }
    }

    /// Keeps one event-loop task for the earliest timer.
    private func armWakeup() {
        guard let next = timers.nextDeadline(), let box else { return }
        if let wakeup, wakeup.at <= next { return }
        wakeup?.task.cancel()
        let task = loop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(next)) { () -> Void in box.value?.timersDue() }
        wakeup = (task, next)
    }

    private func timersDue() {
        wakeup = nil
        for timer in timers.takeDue(at: NIODeadline.now().uptimeNanoseconds) { handle(.timerFired(timer)) }
        armWakeup()
    }

    /// A message from the transport, to the agent.
    func receive(_ incoming: IncomingMessage) {
        handle(.received(incoming.message, from: incoming.source))
    }

    private func execute(_ output: LineOutput) {
        switch output {
        case .send(let message, let hop, let key):
            let sent = transport.send(message, to: hop)
            if let key, let box {
                // Reported on a later turn of the loop, so outputs run in order even when the
                // send fails at once.
                let loop = self.loop
                sent.whenFailure { error in loop.execute { box.value?.handle(.sendFailed(key, reason: "\(error)")) } }
            }
        case .respond(let response, let origin):
            transport.respond(response, toRequestFrom: origin)
        case .startTimer(let timer, let after):
            timers.start(timer, at: NIODeadline.now().uptimeNanoseconds + UInt64(max(0, after.nanoseconds)))
            armWakeup()
        case .cancelTimer(let timer):
            timers.cancel(timer)
        case .report(let event):
            if case .registration(let state) = event { lineState = state }
            switch mapping.report(for: event) {
            case .action(let action): report(action)
            case .watched(let uri, let presence): watched(uri, presence)
            }
        case .media(let command):
            media(command)
        case .keepAlive(let hop):
            // A lost keep-alive costs nothing: the next one, or the registration refresh, follows.
            transport.sendKeepAlive(to: hop)
        case .locate(let uri):
            locate(uri)
        }
    }

    // MARK: Server location

    /// Locates the servers of `uri` (RFC 3263) on NIO's thread pool — DNS waits, and this loop
    /// runs every SIP timer and the RTP ticks — and hands them to the agent. An IP address
    /// needs no DNS: answered on the next turn of the loop.
    private func locate(_ uri: SIPURI) {
        guard let box else { return }
        let loop = self.loop
        if case .hops(let hops) = ServerLocation.plan(for: uri) {
            loop.execute { box.value?.handle(.targets(hops)) }
            return
        }
        let locator = self.locator
        NIOThreadPool.singleton.runIfActive(eventLoop: loop) { () -> Result<LocatedServers, LocationFailure> in
            var random = SystemRandomNumberGenerator()
            return locator.locate(uri, using: &random)
        }.whenComplete { outcome in
            guard let driver = box.value else { return }
            switch outcome {
            case .success(.success(let servers)):
                driver.report(.note(.line, "servers of \(uri): \(servers.how)"))
                driver.handle(.targets(servers.hops))
            case .success(.failure(let failure)):
                driver.handle(.targets([], failure: failure.trail))
            case .failure(let error):
                driver.handle(.targets([], failure: "\(error)"))
            }
        }
    }

    // MARK: Media

    private func media(_ command: MediaCommand) {
        switch command {
        case .open(let id):
            guard sessions[id] == nil, opening[id] == nil, let box else { return }
            opening[id] = false
            let host = mediaHost, loop = self.loop
            Task {
                do {
                    // Packets are handled on `loop` (the session's channel is on it), so the
                    // box can be read there: RFC 4733 digits go to the core as they arrive.
                    let session = try await RTPSession.open(host: host, group: loop) { packet in
                        box.value?.packetArrived(id, packet)
                    }
                    loop.execute {
                        if let driver = box.value { driver.opened(id, session) } else { Task { await session.close() } }
                    }
                } catch {
                    loop.execute { box.value?.openFailed(id, "\(error)") }
                }
            }
        case .start(let id, let plan):
            guard let session = sessions[id] else { return }
            let stream = MediaStream(codec: VoiceCodec(sdpName: plan.codec) ?? .pcmu, payloadType: plan.payloadType,
                                     telephoneEventPayloadType: plan.telephoneEventPayloadType,
                                     telephoneEventClockRate: plan.telephoneEventClockRate,
                                     srtp: plan.srtp.map { SRTPKeys(send: $0.send, receive: $0.receive) })
            let remote = (plan.remoteHost, Int(plan.remotePort))
            do {
                // A new stream for the first start and when a re-INVITE changed the codec;
                // otherwise only where to send and whether to.
                if started[id]?.stream != stream {
                    try startStream(id, session, stream, remote: remote)
                    started[id] = StartedMedia(stream: stream, reported: MediaStats(
                        packetsSent: 0, packetsReceived: 0, lastReceivedAt: nil, codec: plan.codec))
                }
                try session.update(remote: remote, sending: plan.sending)
            } catch {
                report(.note(.line, "audio for the call cannot start: \(error)"))
            }
        case .close(let id):
            if opening[id] != nil { opening[id] = true }
            muted.remove(id)
            if let media = started.removeValue(forKey: id), let session = sessions[id] {
                logQuality(id, media, session)
            }
            audio.engine?.detach(id.rawValue)
            if let session = sessions.removeValue(forKey: id) { Task { await session.close() } }
        case .dtmf(let id, let digit):
            // The agent sends this only when the answer has telephone-event (else SIP INFO).
            if sessions[id]?.queueDigit(digit) != true {
                report(.note(.line, "DTMF \(digit) not sent: the call's audio has not started"))
            }
        case .mute(let id, let on):
            if on { muted.insert(id) } else { muted.remove(id) }
            sessions[id]?.setMuted(on)
        }
    }

    /// Starts (or starts again with a new codec) the call's stream: from the microphone and to
    /// the speakers when there are devices, else the fixed source with nothing played.
    private func startStream(_ id: LineCallID, _ session: RTPSession, _ stream: MediaStream,
                             remote: (String, Int)) throws {
        switch audio {
        case .fixed(let source):
            try session.start(remote: remote, stream: stream, source: .audio(source))
        case .devices(let engine):
            let microphone = CaptureQueue()
            let receiver = try session.start(remote: remote, stream: stream, source: .capture { microphone.pop() })
            engine.attach(id.rawValue, receive: receiver, capture: microphone)
        }
        if muted.contains(id) { session.setMuted(true) }
    }

    /// A packet of a call arrived (on the loop): digits the receive chain found go to the core.
    private func packetArrived(_ id: LineCallID, _ packet: RTPPacket) {
        guard let events = started[id]?.stream.telephoneEventPayloadType, packet.payloadType == events,
              let receiver = sessions[id]?.receiver else { return }
        for digit in receiver.takeDigits() { report(LineMapping.detectedDigit(digit, on: id)) }
    }

    /// The call's audio quality, in the log file when its media closes: what `make bench` reads.
    private func logQuality(_ id: LineCallID, _ media: StartedMedia, _ session: RTPSession) {
        guard let receiver = session.receiver else { return }
        let stats = receiver.stats
        let rtp = session.stats()
        let device = audio.engine?.playbackLatency?.millisecondsValue
        func ms(_ value: Double?) -> String { value.map { String(Int(($0 + (device ?? 0)).rounded())) } ?? "n/a" }
        var text = "audio: call \(id.rawValue) \(media.stream.codec.sdpName): \(rtp.packetsReceived) packets received, "
            + "\(rtp.packetsSent) sent, \(stats.packetsLost) lost, \(stats.packetsLate) late, "
            + "\(stats.framesConcealed) frames concealed (\(stats.framesRecovered) by FEC), \(stats.framesSilent) silent, \(stats.framesDropped) dropped; "
            + "delay median \(ms(stats.delayMedian)) ms p99 \(ms(stats.delayP99)) ms"
        if let device { text += " (device \(Int(device.rounded())) ms)" } else { text += " (no playback device)" }
        if media.stream.srtp != nil {
            text += "; SRTP, \(rtp.srtpAuthenticationFailures) packets failed authentication, \(rtp.srtpReplays) replays dropped"
        }
        AppLog.audio(text)
    }

    private func opened(_ id: LineCallID, _ session: RTPSession) {
        let closedMeanwhile = opening.removeValue(forKey: id) ?? true
        if closedMeanwhile {
            Task { await session.close() }
            handle(.mediaOpened(id, port: UInt16(session.localPort)))  // the agent closes again: harmless
            return
        }
        sessions[id] = session
        handle(.mediaOpened(id, port: UInt16(session.localPort)))
    }

    private func openFailed(_ id: LineCallID, _ reason: String) {
        opening[id] = nil
        handle(.mediaFailed(id, reason: reason))
    }

    /// Posts each call's counters when they changed (called about once a second).
    func reportMedia() {
        guard !sessions.isEmpty else { return }
        let wallNow = WallClock.now()
        let monotonicNow = ContinuousClock.now
        for (id, session) in sessions {
            guard let previous = started[id]?.reported else { continue }
            let stats = session.stats()
            let last = stats.lastReceived.map { wallNow - (monotonicNow - $0) }
            let report = MediaStats(packetsSent: stats.packetsSent, packetsReceived: stats.packetsReceived,
                                    lastReceivedAt: last, codec: previous.codec)
            if report.packetsSent != previous.packetsSent || report.packetsReceived != previous.packetsReceived {
                started[id]?.reported = report
                self.report(.mediaStats(LineMapping.core(id), report))
            }
        }
    }

    // MARK: Shutdown

    /// Cancels every timer and hands back the RTP sessions to close.
    func stop() -> [RTPSession] {
        wakeup?.task.cancel()
        wakeup = nil
        timers = DeadlineQueue()
        defer { sessions.removeAll() }
        return Array(sessions.values)
    }
}
