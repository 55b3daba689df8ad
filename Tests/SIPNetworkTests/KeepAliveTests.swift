import NIOCore
import NIOEmbedded
import NIOPosix
import SIP
import Testing
@testable import SIPNetwork

@Suite("SIP transport: keep-alives (RFC 5626 §4.4.1)")
struct KeepAliveTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test("A CRLF datagram on UDP, a double CRLF on a connection")
    func bytes() {
        #expect(SIPTransport.keepAliveBytes(for: .udp) == [0x0D, 0x0A])
        #expect(SIPTransport.keepAliveBytes(for: .tcp) == [0x0D, 0x0A, 0x0D, 0x0A])
    }

    @Test("UDP: the keep-alive datagram reaches the registrar's address")
    func udpDatagram() async throws {
        let line = try await Peer.start(on: loop)
        let registrar = try await RawSocket(on: loop)
        let port = try #require(registrar.channel.localAddress?.port)
        try await line.transport.sendKeepAlive(to: SIPHop(transport: .udp, host: "127.0.0.1", port: port)).get()
        #expect(await registrar.wait(for: 1) == [[0x0D, 0x0A]])
        await registrar.close()
        await line.transport.close()
    }

    @Test("TCP: the double CRLF goes on the registrar's connection, which still frames the messages after it")
    func tcpStream() async throws {
        let line = try await Peer.start(on: loop)
        let registrar = try await Peer.start(on: loop)
        line.transport.send(.request(options(from: line.transport.local, .tcp, branch: "z9hG4bK-ka-1")),
                            to: registrar.hop(.tcp))
        _ = await registrar.received.wait(for: 1)
        try await line.transport.sendKeepAlive(to: registrar.hop(.tcp)).get()
        line.transport.send(.request(options(from: line.transport.local, .tcp, branch: "z9hG4bK-ka-2")),
                            to: registrar.hop(.tcp))
        let got = await registrar.received.wait(for: 2)
        #expect(got.count == 2)
        #expect(Set(got.compactMap(\.connection)).count == 1, "the keep-alive used the open connection")
        #expect(try await line.transport.counters().get().connectionsOpened == 1)
        await line.transport.close()
        await registrar.transport.close()
    }

    @Test("A connection that carries keep-alives loses its idle timeout; others keep it")
    func heldOpen() throws {
        let channel = EmbeddedChannel()
        let core = TransportCore(eventLoop: channel.embeddedEventLoop, configuration: SIPTransportConfiguration(),
                                 receiver: { _ in }, problem: { _ in })
        try core.addStreamHandlers(to: channel)
        let other = EmbeddedChannel(loop: channel.embeddedEventLoop)
        try core.addStreamHandlers(to: other)
        channel.remoteAddress = try SocketAddress(ipAddress: "192.0.2.1", port: 5060)
        other.remoteAddress = try SocketAddress(ipAddress: "192.0.2.2", port: 5060)
        try channel.connect(to: #require(channel.remoteAddress)).wait()
        try other.connect(to: #require(other.remoteAddress)).wait()
        #expect((try? channel.pipeline.syncOperations.handler(type: IdleStateHandler.self)) != nil)

        let sent = core.sendKeepAlive(to: SIPHop(transport: .tcp, host: "192.0.2.1", port: 5060))
        channel.embeddedEventLoop.run()
        try sent.wait()
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(written.readableBytesView) == Array("\r\n\r\n".utf8))
        #expect((try? channel.pipeline.syncOperations.handler(type: IdleStateHandler.self)) == nil)
        #expect((try? other.pipeline.syncOperations.handler(type: IdleStateHandler.self)) != nil)
        #expect(channel.isActive)
        _ = try? channel.finish()
        _ = try? other.finish()
    }
}
