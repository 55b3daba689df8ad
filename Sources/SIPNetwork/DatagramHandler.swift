import NIOCore
import SIP

/// The UDP channel's handler: each datagram is one message (RFC 3261 §18.1.1).
final class DatagramHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let core: TransportCore

    init(core: TransportCore) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let remote = SIPEndpoint(envelope.remoteAddress) else { return }
        let bytes = envelope.data.readableBytesView
        // Keep-alives (RFC 5626 CRLF pings) are not messages.
        if bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) { return }
        do {
            let message = try SIPParser.parse(bytes)
            core.trace(.received, .udp, remote: remote, bytes: Array(bytes))
            core.deliver(message, transport: .udp, from: remote, connection: nil)
        } catch {
            core.trace(.received, .udp, remote: remote, bytes: Array(bytes), note: "did not parse: \(error)")
            core.malformed(error, transport: .udp, from: remote) { response in
                let destination = ResponseRoute.destination(for: response.headers) ?? remote
                guard let address = try? destination.socketAddress() else { return }
                core.trace(.sent, .udp, remote: destination, bytes: response.bytes)
                let buffer = context.channel.allocator.buffer(bytes: response.bytes)
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: address, data: buffer)),
                                      promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors and the like on an unconnected socket: nothing to do but say so.
        core.problem("UDP: \(error)")
    }
}
