import NIOCore
import NIOPosix
import SIP
import Synchronization
@testable import SIPNetwork

/// Messages a transport received, collected for assertions.
final class Received: Sendable {
    private let items = Mutex<[IncomingMessage]>([])
    private let problems = Mutex<[String]>([])

    var receiver: SIPTransport.Receiver { { message in self.items.withLock { $0.append(message) } } }
    var reporter: SIPTransport.ProblemReporter { { text in self.problems.withLock { $0.append(text) } } }

    var all: [IncomingMessage] { items.withLock { $0 } }
    var reported: [String] { problems.withLock { $0 } }

    /// Waits (bounded) until `count` messages arrived.
    func wait(for count: Int, seconds: Int = 5) async -> [IncomingMessage] {
        for _ in 0..<(seconds * 100) {
            let now = all
            if now.count >= count { return now }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return all
    }
}

/// A transport on 127.0.0.1 with a port chosen by the system, and what it received.
struct Peer {
    let transport: SIPTransport
    let received: Received

    static func start(on loop: EventLoop, configuration: SIPTransportConfiguration = SIPTransportConfiguration()) async throws -> Peer {
        let received = Received()
        let transport = try await SIPTransport.start(host: "127.0.0.1", port: 0, on: loop, configuration: configuration,
                                                     receiver: received.receiver, problem: received.reporter)
        return Peer(transport: transport, received: received)
    }

    func hop(_ kind: SIPTransportKind) -> SIPHop {
        SIPHop(transport: kind, host: transport.local.host, port: transport.local.port)
    }
}

/// An OPTIONS request from `from`'s address over `kind`.
func options(from local: SIPEndpoint, _ kind: SIPTransportKind, branch: String = "z9hG4bK-test-1") -> SIPRequest {
    var headers = SIPHeaders()
    headers.add("Via", "SIP/2.0/\(kind.viaToken) \(local.host):\(local.port);branch=\(branch);rport")
    headers.add("Max-Forwards", "70")
    headers.add("From", "<sip:tester@127.0.0.1>;tag=abc")
    headers.add("To", "<sip:line@127.0.0.1>")
    headers.add("Call-ID", "call-\(branch)")
    headers.add("CSeq", "1 OPTIONS")
    return SIPRequest(method: .options, uri: SIPURI(user: "line", host: "127.0.0.1"), headers: headers)
}

/// A raw UDP socket for sending bytes the codec would never produce, and reading what comes back.
final class RawSocket: Sendable {
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let datagrams = Mutex<[[UInt8]]>([])
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
            datagrams.withLock { $0.append(bytes) }
        }
    }

    let channel: Channel
    private let collector = Collector()

    init(on loop: EventLoop) async throws {
        let collector = self.collector
        channel = try await DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    func send(_ bytes: [UInt8], to port: Int) async throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes)))
    }

    /// Waits (bounded) until `count` datagrams came back.
    func wait(for count: Int, seconds: Int = 3) async -> [[UInt8]] {
        for _ in 0..<(seconds * 100) {
            let now = collector.datagrams.withLock { $0 }
            if now.count >= count { return now }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return collector.datagrams.withLock { $0 }
    }

    func close() async { try? await channel.close() }
}
