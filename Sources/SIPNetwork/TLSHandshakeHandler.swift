import NIOCore
import NIOSSL
import NIOTLS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sits right after a connection's `NIOSSLClientHandler`: completes `done` when the
/// handshake completes, or fails it with `SIPTransportError.tls` saying why in words. Later
/// errors pass on to the stream handler.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let host: String
    private let tls: NIOSSLClientHandler
    private let done: EventLoopPromise<Void>
    private var finished = false

    init(host: String, tls: NIOSSLClientHandler, done: EventLoopPromise<Void>) {
        self.host = host
        self.tls = tls
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent, !finished {
            finished = true
            done.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !finished else { return context.fireErrorCaught(error) }
        finished = true
        // The peer's certificate is still there while the handler closes the connection.
        let certificate = tls.peerCertificate.map(PeerCertificateFacts.init)
        let now = Int(time(nil))
        done.fail(SIPTransportError.tls(host: host, reason: TLSFailure.reason(error, host: host, certificate: certificate,
                                                                              now: now)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            done.fail(SIPTransportError.tls(host: host, reason: "\(host) closed the connection during the handshake"))
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            done.fail(SIPTransportError.closed)
        }
    }
}
