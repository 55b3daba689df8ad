import NIOCore
import NIOPosix
import SIP
import Testing
@testable import SIPNetwork

@Suite("SIP transport over UDP and TCP on loopback")
struct TransportTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test("Port 0 gives one port bound for both UDP and TCP")
    func oneAddressForBoth() async throws {
        let peer = try await Peer.start(on: loop)
        defer { Task { await peer.transport.close() } }
        #expect(peer.transport.local.host == "127.0.0.1")
        #expect(peer.transport.local.port > 0)
        // Binding again on the same port fails with a readable error.
        await #expect(throws: SIPTransportError.self) {
            _ = try await SIPTransport.start(host: "127.0.0.1", port: peer.transport.local.port, on: loop,
                                             receiver: { _ in })
        }
    }

    @Test("A request arrives with received/rport stamped; the response goes back along the Via (or its connection)",
          arguments: [SIPTransportKind.udp, .tcp])
    func requestAndResponse(kind: SIPTransportKind) async throws {
        let a = try await Peer.start(on: loop)
        let b = try await Peer.start(on: loop)
        let request = options(from: a.transport.local, kind)
        try await a.transport.send(.request(request), to: b.hop(kind)).get()

        let got = await b.received.wait(for: 1)
        let incoming = try #require(got.first)
        #expect(incoming.transport == kind)
        #expect(incoming.message.request?.method == .options)
        let via = try #require(try incoming.message.headers.topVia)
        #expect(via.rport == UInt16(incoming.remote.port))
        if kind == .tcp { #expect(incoming.connection != nil) } else { #expect(incoming.connection == nil) }

        let reply = SIPResponse(replyingTo: try #require(incoming.message.request), status: 200, toTag: "t1")
        try await b.transport.respond(reply, toRequestFrom: incoming.source).get()
        let back = await a.received.wait(for: 1)
        #expect(back.first?.message.response?.statusCode == 200)
        #expect(back.first?.transport == kind)

        if kind == .tcp {
            // The response used the connection the request came on: B opened none of its own.
            let counters = try await b.transport.counters().get()
            #expect(counters.connectionsOpened == 1)
            #expect(counters.messagesSent == 1)
        }
        await a.transport.close()
        await b.transport.close()
    }

    @Test("TCP: messages split and coalesced on the stream are framed by Content-Length")
    func tcpReusesConnection() async throws {
        let a = try await Peer.start(on: loop)
        let b = try await Peer.start(on: loop)
        for i in 0..<20 {
            a.transport.send(.request(options(from: a.transport.local, .tcp, branch: "z9hG4bK-\(i)")), to: b.hop(.tcp))
        }
        let got = await b.received.wait(for: 20)
        #expect(got.count == 20)
        #expect(Set(got.compactMap(\.connection)).count == 1, "one connection reused for every request")
        let counters = try await a.transport.counters().get()
        #expect(counters.connectionsOpened == 1)
        #expect(counters.messagesSent == 20)
        await a.transport.close()
        await b.transport.close()
    }

    @Test("A broken request that can be answered gets 400 with the reason; garbage gets nothing; neither reaches the receiver")
    func malformedDatagrams() async throws {
        let b = try await Peer.start(on: loop)
        let raw = try await RawSocket(on: loop)
        let broken = "INVITE sip:line@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(raw.port);branch=z9hG4bK-bad\r\n"
            + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:line@127.0.0.1>\r\nCall-ID: broken-1\r\nCSeq: 1 INVITE\r\n"
            + "Max-Forwards: not-a-number\r\nContent-Length: 0\r\n\r\n"
        try await raw.send(Array(broken.utf8), to: b.transport.local.port)
        try await raw.send([0xFF, 0x00, 0x13, 0x37], to: b.transport.local.port)
        try await raw.send(Array("\r\n\r\n".utf8), to: b.transport.local.port)  // keep-alive: silently ignored

        let replies = await raw.wait(for: 1)
        let reply = try SIPParser.parse(try #require(replies.first)).response
        #expect(reply?.statusCode == 400)
        #expect(reply?.reasonPhrase.contains("Max-Forwards") == true)
        #expect(reply?.headers.callID == "broken-1")

        // Wait until both bad datagrams were seen, then check what the receiver got: nothing.
        for _ in 0..<300 where try await b.transport.counters().get().malformed < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let counters = try await b.transport.counters().get()
        #expect(counters.malformed == 2)
        #expect(counters.badRequestsAnswered == 1)
        #expect(b.received.all.isEmpty)
        #expect(b.received.reported.count == 2)
        await raw.close()
        await b.transport.close()
    }

    @Test("TCP: a stream whose framing is lost is closed; the transport keeps serving others")
    func tcpFramingLost() async throws {
        let b = try await Peer.start(on: loop)
        let channel = try await ClientBootstrap(group: loop).connect(host: "127.0.0.1", port: b.transport.local.port).get()
        let bad = "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-x\r\n"
            + "Content-Length: banana\r\n\r\n"
        try await channel.writeAndFlush(channel.allocator.buffer(string: bad))
        try await channel.closeFuture.get()  // the transport hung up

        let a = try await Peer.start(on: loop)
        try await a.transport.send(.request(options(from: a.transport.local, .tcp)), to: b.hop(.tcp)).get()
        #expect(await b.received.wait(for: 1).count == 1)
        await a.transport.close()
        await b.transport.close()
    }

    @Test("TCP to a port nobody listens on fails with a readable error; after close every send fails")
    func failures() async throws {
        let a = try await Peer.start(on: loop)
        let nobody = try await Peer.start(on: loop)
        let deadPort = nobody.transport.local.port
        await nobody.transport.close()
        await #expect(throws: SIPTransportError.self) {
            try await a.transport.send(.request(options(from: a.transport.local, .tcp)),
                                       to: SIPHop(transport: .tcp, host: "127.0.0.1", port: deadPort)).get()
        }
        await a.transport.close()
        await #expect(throws: SIPTransportError.closed) {
            try await a.transport.send(.request(options(from: a.transport.local, .udp)),
                                       to: SIPHop(transport: .udp, host: "127.0.0.1", port: deadPort)).get()
        }
    }
}

@Suite("SIP transport: large datagrams and host names")
struct TransportSizeAndNameTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test("A 10 KB request over UDP arrives whole (NIO's default read is 2048 bytes)")
    func largeDatagram() async throws {
        let a = try await Peer.start(on: loop)
        let b = try await Peer.start(on: loop)
        var request = options(from: a.transport.local, .udp)
        request.headers.add("Content-Type", "text/plain")
        request.body = Array(String(repeating: "x", count: 10_000).utf8)
        try await a.transport.send(.request(request), to: b.hop(.udp)).get()
        let got = await b.received.wait(for: 1)
        #expect(got.first?.message.body.count == 10_000)
        await a.transport.close()
        await b.transport.close()
    }

    @Test("A hop named by host name is resolved off the loop; TCP reuses the connection opened for the name")
    func hostNames() async throws {
        let a = try await Peer.start(on: loop)
        let b = try await Peer.start(on: loop)
        let named = SIPHop(transport: .tcp, host: "localhost", port: b.transport.local.port)
        for i in 0..<5 {
            try await a.transport.send(.request(options(from: a.transport.local, .tcp, branch: "z9hG4bK-n\(i)")), to: named).get()
        }
        #expect(await b.received.wait(for: 5).count == 5)
        #expect(try await a.transport.counters().get().connectionsOpened == 1)
        let udp = SIPHop(transport: .udp, host: "localhost", port: b.transport.local.port)
        try await a.transport.send(.request(options(from: a.transport.local, .udp, branch: "z9hG4bK-u")), to: udp).get()
        #expect(await b.received.wait(for: 6).count == 6)
        await a.transport.close()
        await b.transport.close()
    }
}
