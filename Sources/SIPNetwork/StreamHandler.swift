import NIOCore
import SIP

/// A TCP or TLS connection's handler (after TLS, on the clear text): frames messages by Content-Length (RFC 3261 §18.3),
/// answers broken requests with 400, closes the connection when framing is lost,
/// registers and forgets the connection with the transport.
final class StreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: TransportCore
    private let id: SIPConnectionID
    private let transport: SIPTransportKind
    private var remote: SIPEndpoint?
    private var framer: SIPStreamFramer
    /// With a tracer: the bytes the framer holds, so each message is traced as received.
    private var traceBuffer: [UInt8] = []

    init(core: TransportCore, id: SIPConnectionID, transport: SIPTransportKind) {
        self.core = core
        self.id = id
        self.transport = transport
        framer = SIPStreamFramer(maximumMessageSize: core.configuration.maximumMessageSize)
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let remote = SIPEndpoint(context.channel.remoteAddress) else {
            context.close(promise: nil)
            return
        }
        self.remote = remote
        core.register(context.channel, id: id, peer: StreamPeer(transport: transport, endpoint: remote))
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.forget(id)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let remote else { return }
        let buffer = unwrapInboundIn(data)
        let tracing = core.tracing
        if tracing { traceBuffer.append(contentsOf: buffer.readableBytesView) }
        framer.append(buffer.readableBytesView)
        let local = tracing ? SIPEndpoint(context.channel.localAddress) : nil
        while true {
            do {
                guard let message = try framer.next() else {
                    if tracing { _ = takeTraced() }
                    return
                }
                if tracing { core.trace(.received, transport, local: local, remote: remote, bytes: takeTraced()) }
                core.deliver(message, transport: transport, from: remote, connection: id)
            } catch {
                if tracing {
                    if framer.isFailed {
                        core.trace(.received, transport, local: local, remote: remote, bytes: traceBuffer,
                                   note: "framing lost, connection closed: \(error)")
                        traceBuffer = []
                    } else {
                        core.trace(.received, transport, local: local, remote: remote, bytes: takeTraced(),
                                   note: "did not parse: \(error)")
                    }
                }
                core.malformed(error, transport: transport, from: remote) { response in
                    core.trace(.sent, transport, local: local, remote: remote, bytes: response.bytes)
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: response.bytes)),
                                          promise: nil)
                }
                if framer.isFailed {
                    context.close(promise: nil)
                    return
                }
            }
        }
    }

    /// The bytes the framer consumed since the last call, without keep-alive CRLFs before them.
    private func takeTraced() -> [UInt8] {
        let consumed = max(0, traceBuffer.count - framer.bufferedByteCount)
        var taken = Array(traceBuffer.prefix(consumed))
        traceBuffer.removeFirst(consumed)
        if let start = taken.firstIndex(where: { $0 != 0x0D && $0 != 0x0A }) {
            taken.removeFirst(start)
        } else {
            taken = []
        }
        return taken
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        core.problem("\(transport.viaToken) \(remote.map { "\($0)" } ?? "connection"): \(error)")
        context.close(promise: nil)
    }
}

extension TransportCore {
    func register(_ channel: Channel, id: SIPConnectionID, peer: StreamPeer) {
        guard !state.value.closed else {
            channel.close(promise: nil)  // a connect that finished after close()
            return
        }
        state.value.connections[id] = channel
        state.value.remoteOf[id] = peer
        state.value.byRemote[peer] = id
        state.value.counters.connectionsOpened += 1
    }

    func forget(_ id: SIPConnectionID) {
        guard state.value.connections.removeValue(forKey: id) != nil else { return }
        if let peer = state.value.remoteOf.removeValue(forKey: id), state.value.byRemote[peer] == id {
            state.value.byRemote[peer] = nil
        }
        state.value.counters.connectionsClosed += 1
    }
}
