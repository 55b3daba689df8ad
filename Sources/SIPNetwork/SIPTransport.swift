import NIOCore
import NIOPosix
import NIOSSL
import SIP
import Timekeeping

/// SIP over UDP and TCP on one address, and TLS client connections, on one event loop
/// (RFC 3261 §18, §26.2).
///
/// Every received message is handed to `receiver` on the event loop, requests with their
/// top Via stamped (`received`, `rport`). Broken requests are answered `400` here and never
/// reach the receiver. Requests go to a `SIPHop`; TCP and TLS connections are opened on
/// demand and reused (a TLS send completes once the handshake has; a refused certificate
/// fails it with `SIPTransportError.tls`, the reason in words). There is no TLS listener:
/// requests from a TLS peer arrive on the connection the line opened. Responses follow §18.2.2: on the connection the request came on while it is
/// open, else to the address the top Via names.
public final class SIPTransport: Sendable {
    /// Receives each message, on the transport's event loop.
    public typealias Receiver = @Sendable (IncomingMessage) -> Void
    /// Receives a sentence about something that went wrong (a malformed message, a broken
    /// connection), for the Log tab.
    public typealias ProblemReporter = @Sendable (String) -> Void

    let core: TransportCore
    /// The bound address (the actual port when 0 was asked for).
    public let local: SIPEndpoint
    /// The loop every callback runs on.
    public var eventLoop: EventLoop { core.eventLoop }

    private init(core: TransportCore, local: SIPEndpoint) {
        self.core = core
        self.local = local
    }

    /// Binds UDP and TCP on `host:port` (port 0: a port free for both).
    public static func start(host: String, port: Int, on eventLoop: EventLoop,
                             configuration: SIPTransportConfiguration = SIPTransportConfiguration(),
                             receiver: @escaping Receiver,
                             problem: @escaping ProblemReporter = { _ in }) async throws -> SIPTransport {
        let core = TransportCore(eventLoop: eventLoop, configuration: configuration, receiver: receiver, problem: problem)
        var failure = "no attempt"
        for _ in 0..<(port == 0 ? configuration.portAttempts : 1) {
            let udp: Channel
            do {
                udp = try await DatagramBootstrap(group: eventLoop)
                    // Bursts of requests (a PBX after an outage, many callers at once) must not
                    // overflow the kernel's default buffer of ~100 datagrams.
                    .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(configuration.receiveBufferBytes))
                    // NIO reads 2048-byte datagrams by default; SIP messages may be up to 64 KiB.
                    .channelOption(.recvAllocator,
                                   value: FixedSizeRecvByteBufferAllocator(capacity: configuration.maximumMessageSize))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(DatagramHandler(core: core))
                        }
                    }
                    .bind(host: host, port: port).get()
            } catch {
                throw SIPTransportError.bindFailed("UDP \(SIPEndpoint(host: host, port: port)): \(error)")
            }
            guard let bound = SIPEndpoint(udp.localAddress) else {
                try? await udp.close()
                throw SIPTransportError.bindFailed("UDP socket has no address")
            }
            do {
                let listener = try await ServerBootstrap(group: eventLoop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { child in
                        child.eventLoop.makeCompletedFuture {
                            try core.addStreamHandlers(to: child)
                        }
                    }
                    .bind(host: host, port: bound.port).get()
                let local = bound
                try await eventLoop.submit {
                    core.localBox.value = local
                    core.state.value.udp = udp
                    core.state.value.listener = listener
                }.get()
                return SIPTransport(core: core, local: bound)
            } catch {
                failure = "TCP \(bound): \(error)"
                try? await udp.close()
            }
        }
        throw SIPTransportError.bindFailed(failure)
    }

    /// Sends a request (or a response along a hop chosen by the caller) to `hop`.
    @discardableResult
    public func send(_ message: SIPMessage, to hop: SIPHop) -> EventLoopFuture<Void> {
        onLoop { self.core.send(message, to: hop) }
    }

    /// Sends a response to a request that arrived from `origin` (RFC 3261 §18.2.2).
    @discardableResult
    public func respond(_ response: SIPResponse, toRequestFrom origin: SIPHop) -> EventLoopFuture<Void> {
        onLoop {
            let viaDestination = ResponseRoute.destination(for: response.headers)
            switch origin.transport {
            case .tcp, .tls:
                if let id = origin.connection, self.core.state.value.connections[id] != nil {
                    return self.core.send(.response(response), to: origin)
                }
                let to = viaDestination ?? SIPEndpoint(host: origin.host, port: origin.port)
                return self.core.send(.response(response),
                                      to: SIPHop(transport: origin.transport, host: to.host, port: to.port))
            case .udp:
                let to = viaDestination ?? SIPEndpoint(host: origin.host, port: origin.port)
                return self.core.send(.response(response), to: SIPHop(transport: .udp, host: to.host, port: to.port))
            }
        }
    }

    /// The counters so far.
    public func counters() -> EventLoopFuture<SIPTransportCounters> {
        eventLoop.submit { self.core.state.value.counters }
    }

    /// Closes every connection and both sockets. Later sends fail with `.closed`.
    public func close() async {
        let channels: [Channel]? = try? await eventLoop.submit { () -> [Channel] in
            let state = self.core.state
            guard !state.value.closed else { return [] }
            state.value.closed = true
            return [state.value.udp, state.value.listener].compactMap { $0 } + Array(state.value.connections.values)
        }.get()
        for channel in channels ?? [] { try? await channel.close() }
    }

    private func onLoop(_ body: @escaping @Sendable () -> EventLoopFuture<Void>) -> EventLoopFuture<Void> {
        eventLoop.inEventLoop ? body() : eventLoop.flatSubmit(body)
    }
}

extension TransportCore {
    /// The handlers of a TCP connection: idle timeout, then framing. A TLS connection has
    /// TLS between them: the idle timer sits next to the socket, so it sees every byte that
    /// crosses it (keep-alives included, encrypted) and never TLS's buffering.
    func addStreamHandlers(to channel: Channel, tls: (handler: NIOSSLClientHandler, host: String,
                                                      handshake: EventLoopPromise<Void>)? = nil) throws {
        let id = state.value.makeConnectionID()
        let pipeline = channel.pipeline.syncOperations
        if let idle = configuration.idleTimeout {
            try pipeline.addHandler(IdleStateHandler(allTimeout: TimeAmount(idle)))
        }
        if let tls {
            try pipeline.addHandler(tls.handler)
            try pipeline.addHandler(TLSHandshakeHandler(host: tls.host, tls: tls.handler, done: tls.handshake))
        }
        try pipeline.addHandler(StreamHandler(core: self, id: id, transport: tls == nil ? .tcp : .tls))
    }

    /// The TLS client context, made once; nil with the reason when the CA file cannot be read.
    private func tlsContext() -> Result<NIOSSLContext, SIPTLSSetupError> {
        if let made = state.value.tlsContext { return made }
        let made: Result<NIOSSLContext, SIPTLSSetupError>
        do {
            made = .success(try configuration.tls.makeContext())
        } catch let error as SIPTLSSetupError {
            made = .failure(error)
        } catch {
            made = .failure(SIPTLSSetupError(reason: "cannot set up TLS (\(error))"))
        }
        state.value.tlsContext = made
        return made
    }

    /// Sends on the event loop.
    func send(_ message: SIPMessage, to hop: SIPHop) -> EventLoopFuture<Void> {
        guard !state.value.closed else { return eventLoop.makeFailedFuture(SIPTransportError.closed) }
        let sent: EventLoopFuture<Void>
        switch hop.transport {
        case .udp: sent = sendDatagram(message, to: hop)
        case .tcp, .tls: sent = connection(for: hop).flatMap { channel in
            let bytes = message.bytes
            if self.tracing, let remote = SIPEndpoint(channel.remoteAddress) {
                self.trace(.sent, hop.transport, local: SIPEndpoint(channel.localAddress), remote: remote, bytes: bytes)
            }
            return channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
        }
        }
        let state = self.state
        return sent.map {
            state.value.counters.messagesSent += 1
        }.flatMapErrorThrowing { error in
            state.value.counters.sendFailures += 1
            if let error = error as? SIPTransportError { throw error }
            throw SIPTransportError.sendFailed("\(hop): \(error)")
        }
    }

    private func sendDatagram(_ message: SIPMessage, to hop: SIPHop) -> EventLoopFuture<Void> {
        guard let udp = state.value.udp else { return eventLoop.makeFailedFuture(SIPTransportError.closed) }
        let bytes = message.bytes
        let endpoint = SIPEndpoint(host: hop.host, port: hop.port)
        return resolve(endpoint).flatMap { address in
            if self.tracing { self.trace(.sent, .udp, remote: SIPEndpoint(address) ?? endpoint, bytes: bytes) }
            return udp.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: udp.allocator.buffer(bytes: bytes)))
        }
    }

    /// The socket address of an endpoint: IP literals at once; host names on NIO's thread
    /// pool (getaddrinfo blocks, and this loop also runs every SIP timer and the RTP ticks),
    /// remembered for a minute.
    func resolve(_ endpoint: SIPEndpoint) -> EventLoopFuture<SocketAddress> {
        if let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) {
            return eventLoop.makeSucceededFuture(address)
        }
        let now = NIODeadline.now()
        if let cached = state.value.resolved[endpoint], cached.until > now {
            return eventLoop.makeSucceededFuture(cached.address)
        }
        let state = self.state
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try endpoint.socketAddress()
        }.map { address in
            state.value.resolved[endpoint] = (address, NIODeadline.now() + .seconds(60))
            return address
        }
    }

    /// An open connection for the hop: the one named, one to the same address, or a new one
    /// (for TLS: once its handshake has completed).
    func connection(for hop: SIPHop) -> EventLoopFuture<Channel> {
        if let id = hop.connection, let channel = state.value.connections[id] {
            return eventLoop.makeSucceededFuture(channel)
        }
        let endpoint = SIPEndpoint(host: hop.host, port: hop.port)
        let peer = StreamPeer(transport: hop.transport, endpoint: endpoint)
        if let id = state.value.byRemote[peer], let channel = state.value.connections[id] {
            return eventLoop.makeSucceededFuture(channel)
        }
        // A connection we opened to this hop by name (the peer registered it by its address).
        if let channel = state.value.dialled[peer] {
            if channel.isActive { return eventLoop.makeSucceededFuture(channel) }
            state.value.dialled[peer] = nil
        }
        if let pending = state.value.connecting[peer] { return pending }
        var tlsContext: NIOSSLContext?
        if hop.transport == .tls {
            switch self.tlsContext() {
            case .success(let made): tlsContext = made
            case .failure(let error):
                return eventLoop.makeFailedFuture(SIPTransportError.tls(host: hop.host, reason: error.reason))
            }
        }
        let context = tlsContext
        let timeout = TimeAmount(configuration.connectTimeout)
        let handshake = context == nil ? nil : eventLoop.makePromise(of: Void.self)
        let loop = eventLoop
        let connected = resolve(endpoint).flatMap { address in
            ClientBootstrap(group: self.eventLoop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        var tls: (handler: NIOSSLClientHandler, host: String, handshake: EventLoopPromise<Void>)?
                        if let context, let handshake {
                            // SNI and the host-name check use the hop's name; an IP literal goes
                            // without SNI and is checked against the certificate's IP addresses.
                            let name = endpoint.isIPAddress ? nil : hop.host
                            tls = (try NIOSSLClientHandler(context: context, serverHostname: name), hop.host, handshake)
                        }
                        try self.addStreamHandlers(to: channel, tls: tls)
                    }
                }
                .connect(to: address)
        }.flatMapError { error -> EventLoopFuture<Channel> in
            let failure: Error
            if let error = error as? SIPTransportError {
                failure = error
            } else if let error = error as? NIOSSLExtraError {
                failure = SIPTransportError.tls(host: hop.host, reason: "cannot use host name \(hop.host) (\(error))")
            } else {
                failure = SIPTransportError.connectFailed(endpoint, "\(error)")
            }
            handshake?.fail(failure)
            return loop.makeFailedFuture(failure)
        }.flatMap { channel -> EventLoopFuture<Channel> in
            guard let handshake else { return loop.makeSucceededFuture(channel) }
            return handshake.futureResult.map { channel }
        }
        let state = self.state
        state.value.connecting[peer] = connected
        connected.whenComplete { result in
            state.value.connecting[peer] = nil
            if case .success(let channel) = result { state.value.dialled[peer] = channel }
        }
        return connected
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}
