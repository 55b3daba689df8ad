import NIOCore
import SIP

/// A TCP connection's handler: frames messages by Content-Length (RFC 3261 §18.3),
/// answers broken requests with 400, closes the connection when framing is lost,
/// registers and forgets the connection with the transport.
final class StreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: TransportCore
    private let id: SIPConnectionID
    private var remote: SIPEndpoint?
    private var framer: SIPStreamFramer

    init(core: TransportCore, id: SIPConnectionID) {
        self.core = core
        self.id = id
        framer = SIPStreamFramer(maximumMessageSize: core.configuration.maximumMessageSize)
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let remote = SIPEndpoint(context.channel.remoteAddress) else {
            context.close(promise: nil)
            return
        }
        self.remote = remote
        core.register(context.channel, id: id, remote: remote)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.forget(id)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let remote else { return }
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        while true {
            do {
                guard let message = try framer.next() else { return }
                core.deliver(message, transport: .tcp, from: remote, connection: id)
            } catch {
                core.malformed(error, transport: .tcp, from: remote) { response in
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        core.problem("TCP \(remote.map { "\($0)" } ?? "connection"): \(error)")
        context.close(promise: nil)
    }
}

extension TransportCore {
    func register(_ channel: Channel, id: SIPConnectionID, remote: SIPEndpoint) {
        guard !state.value.closed else {
            channel.close(promise: nil)  // a connect that finished after close()
            return
        }
        state.value.connections[id] = channel
        state.value.remoteOf[id] = remote
        state.value.byRemote[remote] = id
        state.value.counters.connectionsOpened += 1
    }

    func forget(_ id: SIPConnectionID) {
        guard state.value.connections.removeValue(forKey: id) != nil else { return }
        if let remote = state.value.remoteOf.removeValue(forKey: id), state.value.byRemote[remote] == id {
            state.value.byRemote[remote] = nil
        }
        state.value.counters.connectionsClosed += 1
    }
}
