import NIOCore
import NIOPosix
import RTPMedia
import Synchronization

/// Waits until `condition` holds, polling every 10 ms, for at most `timeout`; returns whether it held.
/// The timeout only bounds a failing test, nothing is asserted about how long it took.
func waitUntil(timeout: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// Runs `body` with a fresh event loop group that is shut down afterwards.
func withEventLoopGroup<T>(_ body: (any EventLoopGroup) async throws -> T) async throws -> T {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    do {
        let result = try await body(group)
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

/// The packets a session received, in order, via its `onPacket` callback.
final class PacketLog: Sendable {
    private let packets = Mutex<[RTPPacket]>([])

    var all: [RTPPacket] { packets.withLock { $0 } }
    var count: Int { packets.withLock { $0.count } }

    func append(_ packet: RTPPacket) {
        packets.withLock { $0.append(packet) }
    }

    /// Packets from one SSRC.
    func from(ssrc: UInt32) -> [RTPPacket] { all.filter { $0.ssrc == ssrc } }
}

/// Opens a session on loopback that logs what it receives.
func openSession(_ group: any EventLoopGroup) async throws -> (RTPSession, PacketLog) {
    let log = PacketLog()
    let session = try await RTPSession.open(host: "127.0.0.1", group: group) { log.append($0) }
    return (session, log)
}

/// A plain UDP socket standing in for a foreign RTP peer: sends arbitrary datagrams and keeps
/// the raw bytes it receives.
final class RawPeer: Sendable {
    private let channel: any Channel
    private let store: Store

    var port: Int { channel.localAddress?.port ?? 0 }
    var datagrams: [[UInt8]] { store.datagrams.withLock { $0 } }

    private init(channel: any Channel, store: Store) {
        self.channel = channel
        self.store = store
    }

    private final class Store: Sendable {
        let datagrams = Mutex<[[UInt8]]>([])
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let store: Store
        init(store: Store) { self.store = store }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
            store.datagrams.withLock { $0.append(bytes) }
        }
    }

    static func open(_ group: any EventLoopGroup) async throws -> RawPeer {
        let store = Store()
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(store: store))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return RawPeer(channel: channel, store: store)
    }

    func send(_ bytes: [UInt8], to port: Int) async throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes))
        try await channel.writeAndFlush(envelope)
    }

    func close() async {
        try? await channel.close()
    }
}

extension RTPSession {
    /// A G.711 stream without telephone-event from a fixed 8 kHz source: what most session tests send.
    func start(remote: (host: String, port: Int), codec: AudioCodec, source: AudioSource) throws(RTPSessionError) {
        try start(remote: remote, stream: MediaStream(codec: VoiceCodec(codec), payloadType: codec.payloadType),
                  source: .audio(source))
    }
}
