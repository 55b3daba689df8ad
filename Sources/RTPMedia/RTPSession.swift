import NIOCore
import NIOPosix
import Synchronization

/// One RTP audio stream on a UDP socket: sends G.711 frames every 20 ms and counts what arrives.
///
/// ```swift
/// let session = try await RTPSession.open(host: "192.0.2.10", group: group)
/// // put session.localPort in the SDP answer, then once the call is connected:
/// try session.start(remote: ("198.51.100.7", 49170), stream: MediaStream(codec: .pcmu, payloadType: 0),
///                   source: .audio(.silence))
/// // on hold, or when a re-INVITE moves the remote media:
/// try session.update(remote: ("198.51.100.7", 49170), sending: false)
/// let stats = session.stats()
/// await session.close()
/// ```
///
/// Any datagram from any address is counted (symmetric RTP is not required); those that are not
/// valid RTP only raise ``RTPStats/invalidReceived``. No RTCP is sent. When the stream has SRTP
/// keys (``MediaStream/srtp``) every packet is protected before it leaves and every datagram is
/// unprotected before it is parsed; one that fails authentication or the replay check is dropped
/// and counted (``RTPStats/srtpAuthenticationFailures``, ``RTPStats/srtpReplays``). Call ``close()`` when the
/// call ends; a session that is released without it closes its socket in `deinit`.
///
/// SwiftNIO receives on the socket and runs the 20 ms timer; packets are sent with `sendto` on a
/// duplicate of the same socket (so they leave from the advertised port), because NIO would close
/// the whole channel on a send error such as "network unreachable". Here a failed send only counts
/// in ``RTPStats/sendErrors``.
public final class RTPSession: Sendable {
    /// The local UDP port, always even (RFC 3550 section 11).
    public let localPort: Int
    /// The local socket address.
    public let localAddress: SocketAddress

    /// How many times ``open(host:group:onPacket:)`` binds port 0 looking for an even port.
    static let maximumBindAttempts = 32

    private struct State {
        var closed = false
        /// Our duplicate of the socket, for sending (see ``UDPSocket``); `nil` once closed.
        var descriptor: CInt?
        var sender: RTPSender?
        /// Protects every packet sent when the stream is encrypted.
        var srtp: SRTPContext?
        var timer: Scheduled<Void>?
        /// Distinguishes the timer of the current ``start`` from the stale ones of earlier calls.
        var generation = 0
        /// Whether each slot also takes a frame from the receive chain (nothing else plays it).
        var drainsReceiver = false
    }

    private let channel: any Channel
    private let counters: RTPCounters
    private let state: Mutex<State>

    private init(channel: any Channel, descriptor: CInt, localAddress: SocketAddress, localPort: Int,
                 counters: RTPCounters) {
        self.channel = channel
        self.localAddress = localAddress
        self.localPort = localPort
        self.counters = counters
        self.state = Mutex(State(descriptor: descriptor))
    }

    deinit {
        let timer = state.withLock { state -> Scheduled<Void>? in
            if let descriptor = state.descriptor { UDPSocket.release(descriptor) }
            state.descriptor = nil
            return state.timer
        }
        timer?.cancel()
        channel.close(promise: nil)
    }

    /// Binds a UDP socket on an even port of `host` (an IP literal such as `127.0.0.1`, or a name).
    ///
    /// - Parameters:
    ///   - host: The local address to bind.
    ///   - group: The event loops the socket and its timer run on.
    ///   - onPacket: Called on the event loop with every valid RTP packet received; keep it short.
    /// - Throws: ``RTPSessionError/socket(_:)`` if binding fails,
    ///   ``RTPSessionError/noEvenPort(attempts:)``, or the error of registering with the event loop.
    public static func open(
        host: String,
        group: any EventLoopGroup,
        onPacket: (@Sendable (RTPPacket) -> Void)? = nil
    ) async throws -> RTPSession {
        let bindAddress: SocketAddress
        do {
            bindAddress = try SocketAddress(ipAddress: host, port: 0)
        } catch {
            bindAddress = try SocketAddress.makeAddressResolvingHost(host, port: 0)
        }
        // Odd ports stay bound until the end so that the kernel cannot hand them out again.
        var oddSockets: [CInt] = []
        defer { oddSockets.forEach(UDPSocket.release) }
        for _ in 0..<maximumBindAttempts {
            let socket: CInt
            let sender: CInt
            do throws(UDPSocket.Failure) {
                socket = try UDPSocket.makeBound(to: bindAddress)
                guard let port = UDPSocket.localPort(of: socket), port % 2 == 0 else {
                    oddSockets.append(socket)
                    continue
                }
                do {
                    sender = try UDPSocket.duplicate(socket)
                } catch {
                    UDPSocket.release(socket)
                    throw error
                }
            } catch {
                throw RTPSessionError.socket(error.description)
            }
            let counters = RTPCounters(onPacket: onPacket)
            let channel: any Channel
            do {
                channel = try await DatagramBootstrap(group: group)
                    .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(RTPReceiveHandler(counters: counters))
                        }
                    }
                    .withBoundSocket(socket)
                    .get()
            } catch {
                UDPSocket.release(sender)
                throw error
            }
            let localAddress = channel.localAddress ?? bindAddress
            return RTPSession(channel: channel, descriptor: sender, localAddress: localAddress,
                              localPort: localAddress.port ?? 0, counters: counters)
        }
        throw RTPSessionError.noEvenPort(attempts: maximumBindAttempts)
    }

    /// Starts the stream: sends `source` encoded as `stream` says to `remote`, one packet every
    /// 20 ms, the first now, and decodes what arrives into the returned receive chain (which the
    /// playback device pulls; with an ``FrameSource/audio(_:)`` source the session drains it).
    ///
    /// The stream gets a random SSRC, initial sequence number and timestamp; its first packet has
    /// the marker bit. Calling `start` again begins a new stream (new SSRC) with the new settings.
    /// A remote port of 0 or the address `0.0.0.0` sends nothing until ``update(remote:sending:)``.
    ///
    /// - Throws: ``RTPSessionError/closed``, ``RTPSessionError/invalidRemote(host:port:reason:)``, or
    ///   ``RTPSessionError/media(_:)``.
    @discardableResult
    public func start(remote: (host: String, port: Int), stream: MediaStream,
                      source: FrameSource) throws(RTPSessionError) -> ReceiveChain {
        let address = try RTPDestination.resolve(host: remote.host, port: remote.port, local: localAddress)
        let eventLoop = channel.eventLoop
        let receiver: ReceiveChain
        do throws(VoiceCodecError) {
            receiver = try ReceiveChain(codec: stream.codec, payloadType: stream.payloadType,
                                        telephoneEventPayloadType: stream.telephoneEventPayloadType)
        } catch {
            throw .media(error.description)
        }
        var outbound: SRTPContext?
        var inbound: SRTPContext?
        if let keys = stream.srtp {
            do throws(SRTPError) {
                outbound = try SRTPContext(.outbound, masterKey: keys.send)
                inbound = try SRTPContext(.inbound, masterKey: keys.receive)
            } catch {
                throw .media(error.description)
            }
        }
        try state.withLock { (state) throws(RTPSessionError) in
            guard !state.closed else { throw .closed }
            state.timer?.cancel()
            state.generation += 1
            let generation = state.generation
            let now = NIODeadline.now()
            do throws(VoiceCodecError) {
                state.sender = try RTPSender(stream: stream, source: source, remote: address, epoch: now)
            } catch {
                throw .media(error.description)
            }
            state.srtp = outbound
            if case .audio = source { state.drainsReceiver = true } else { state.drainsReceiver = false }
            state.timer = eventLoop.scheduleTask(deadline: now) { [weak self] in self?.tick(generation) }
        }
        counters.receive(into: receiver, srtp: inbound)
        return receiver
    }

    /// Mutes or unmutes the stream: while muted, silence is encoded and sent (packets keep flowing).
    public func setMuted(_ muted: Bool) {
        state.withLock { $0.sender?.chain.muted = muted }
    }

    /// Queues a DTMF digit as RFC 4733 events; `false` when the stream has no telephone-event
    /// (send it by SIP INFO), the character is not a DTMF digit, or the stream has not started.
    public func queueDigit(_ digit: Character) -> Bool {
        state.withLock { $0.sender?.chain.queueDigit(digit) ?? false }
    }

    /// The receive chain of the current stream, if started.
    public var receiver: ReceiveChain? { counters.receiver }

    /// Changes where packets go and whether they are sent, keeping the stream (SSRC, sequence).
    ///
    /// `sending: false` is hold: nothing is sent but everything received is still counted, and
    /// the RTP timestamp keeps advancing so that the stream resumes in time, with the marker bit.
    ///
    /// - Parameters:
    ///   - remote: The new destination, e.g. from a re-INVITE; `nil` keeps the current one.
    ///   - sending: Whether to send packets.
    /// - Throws: ``RTPSessionError/closed``, ``RTPSessionError/notStarted``, or
    ///   ``RTPSessionError/invalidRemote(host:port:reason:)``.
    public func update(remote: (host: String, port: Int)? = nil, sending: Bool) throws(RTPSessionError) {
        let address = try remote.map { (remote) throws(RTPSessionError) in
            try RTPDestination.resolve(host: remote.host, port: remote.port, local: localAddress)
        }
        try state.withLock { (state) throws(RTPSessionError) in
            guard !state.closed else { throw .closed }
            guard state.sender != nil else { throw .notStarted }
            if let address { state.sender?.remote = address }
            state.sender?.sending = sending
        }
    }

    /// The counters so far.
    public func stats() -> RTPStats {
        counters.snapshot()
    }

    /// Stops sending and closes the socket. Safe to call more than once, also concurrently.
    public func close() async {
        let timer = state.withLock { (state) -> Scheduled<Void>? in
            state.closed = true
            state.sender = nil
            if let descriptor = state.descriptor { UDPSocket.release(descriptor) }
            state.descriptor = nil
            defer { state.timer = nil }
            return state.timer
        }
        timer?.cancel()
        try? await channel.close()
        try? await channel.closeFuture.get()
    }

    /// Sends what is due and schedules the next slot; runs on the channel's event loop.
    ///
    /// Sending happens under the lock, so that ``close()`` cannot release the descriptor mid-send.
    private func tick(_ generation: Int) {
        let eventLoop = channel.eventLoop
        let results = state.withLock { (state) -> [(bytes: Int, error: String?)] in
            guard !state.closed, state.generation == generation, var sender = state.sender,
                  let descriptor = state.descriptor else { return [] }
            let slotsBefore = sender.slotsPassed
            let packets = sender.packetsDue(at: .now())
            state.sender = sender
            if state.drainsReceiver, let receiver = counters.receiver {
                let now = ContinuousClock.now
                for _ in 0..<min(sender.slotsPassed - slotsBefore, RTPSender.maximumCatchUp) {
                    _ = receiver.nextFrame(at: now)
                }
            }
            state.timer = eventLoop.scheduleTask(deadline: sender.nextDeadline) { [weak self] in self?.tick(generation) }
            guard let remote = sender.remote else { return [] }
            let srtp = state.srtp
            return packets.map { packet in
                var bytes = packet.bytes
                if let srtp {
                    do throws(SRTPError) {
                        bytes = try srtp.protect(bytes)
                    } catch {
                        return (0, "SRTP: \(error)")  // never sent in the clear
                    }
                }
                return (bytes.count, UDPSocket.send(bytes, on: descriptor, to: remote))
            }
        }
        for result in results {
            if let error = result.error {
                counters.sendFailed(reason: error)
            } else {
                counters.sent(bytes: result.bytes)
            }
        }
    }
}
