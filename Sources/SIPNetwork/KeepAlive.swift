import NIOCore
import SIP

/// Keep-alives to the registrar's hop (RFC 5626 §4.4.1; SPEC section 8): they keep a NAT's
/// mapping of our address and, on a connection, the connection itself: the peer answers with
/// a CRLF "pong" the framer skips, and a connection that carries keep-alives is the line's
/// flow to its registrar, exempt from the idle timeout (which would close it at 300 s while
/// the re-REGISTER comes at ~540 s) until the peer or `close()` ends it.
extension SIPTransport {
    /// The bytes of a keep-alive: a CRLF datagram on UDP, a double CRLF on a connection.
    public static func keepAliveBytes(for transport: SIPTransportKind) -> [UInt8] {
        transport.isStream ? Array("\r\n\r\n".utf8) : Array("\r\n".utf8)
    }

    /// Sends a keep-alive to `hop`: on a connection, the open one to that address (or a new
    /// one, which the registrar's next request or ours then uses).
    @discardableResult
    public func sendKeepAlive(to hop: SIPHop) -> EventLoopFuture<Void> {
        let core = self.core
        let send: @Sendable () -> EventLoopFuture<Void> = { core.sendKeepAlive(to: hop) }
        return eventLoop.inEventLoop ? send() : eventLoop.flatSubmit(send)
    }
}

extension TransportCore {
    func sendKeepAlive(to hop: SIPHop) -> EventLoopFuture<Void> {
        guard !state.value.closed else { return eventLoop.makeFailedFuture(SIPTransportError.closed) }
        let bytes = SIPTransport.keepAliveBytes(for: hop.transport)
        if hop.transport.isStream {
            return connection(for: hop).flatMap { channel in
                Self.holdOpen(channel)
                return channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
            }
        }
        guard let udp = state.value.udp else { return eventLoop.makeFailedFuture(SIPTransportError.closed) }
        return resolve(SIPEndpoint(host: hop.host, port: hop.port)).flatMap { address in
            udp.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: udp.allocator.buffer(bytes: bytes)))
        }
    }

    /// Takes the idle timeout off a connection (on its event loop).
    static func holdOpen(_ channel: Channel) {
        let pipeline = channel.pipeline.syncOperations
        guard let idle = try? pipeline.handler(type: IdleStateHandler.self),
              let context = try? pipeline.context(handler: idle) else { return }
        pipeline.removeHandler(context: context, promise: nil)
    }
}
