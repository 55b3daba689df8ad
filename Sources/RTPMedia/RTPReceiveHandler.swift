import NIOCore

/// Counts every datagram arriving on an RTP socket; nothing received can fail it.
final class RTPReceiveHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let counters: RTPCounters

    init(counters: RTPCounters) {
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        counters.received(envelope.data.readableBytesView, at: .now)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Datagram errors such as ECONNREFUSED after an ICMP port unreachable are transient;
        // NIO closes the channel itself on the fatal ones. Nothing to do either way.
    }
}
