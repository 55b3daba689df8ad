import NIOCore
import NIOPosix
import SIP
import Synchronization
import Testing
@testable import SIPNetwork

/// What a transport's tracer saw.
final class Traces: Sendable {
    private let events = Mutex<[SIPTraceEvent]>([])
    var tracer: SIPTracer { { event in self.events.withLock { $0.append(event) } } }
    var all: [SIPTraceEvent] { events.withLock { $0 } }

    /// Waits (bounded) until `count` events were seen.
    func wait(for count: Int, seconds: Int = 5) async -> [SIPTraceEvent] {
        for _ in 0..<(seconds * 100) {
            if all.count >= count { return all }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return all
    }
}

@Suite("SIP transport: --trace-sip sees every message, both ways, whole")
struct TraceTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test("A request and its response are traced by both sides, with direction, transport and addresses",
          arguments: [SIPTransportKind.udp, .tcp])
    func bothWays(kind: SIPTransportKind) async throws {
        let traceA = Traces(), traceB = Traces()
        let a = try await Peer.start(on: loop, configuration: SIPTransportConfiguration(trace: traceA.tracer))
        let b = try await Peer.start(on: loop, configuration: SIPTransportConfiguration(trace: traceB.tracer))
        let request = options(from: a.transport.local, kind)
        try await a.transport.send(.request(request), to: b.hop(kind)).get()
        let incoming = try #require(await b.received.wait(for: 1).first)
        let reply = SIPResponse(replyingTo: try #require(incoming.message.request), status: 200, toTag: "t1")
        try await b.transport.respond(reply, toRequestFrom: incoming.source).get()
        _ = await a.received.wait(for: 1)

        let seenByB = await traceB.wait(for: 2)
        let seenByA = await traceA.wait(for: 2)
        try #require(seenByA.count == 2 && seenByB.count == 2)
        let bReceived = seenByB[0], bSent = seenByB[1]
        #expect(bReceived.direction == .received && bReceived.transport == kind)
        #expect(bReceived.bytes == request.bytes, "the request as it was on the wire, before Via stamping")
        #expect(bReceived.local == b.transport.local)
        #expect(bReceived.remote == incoming.remote)
        #expect(bReceived.note == nil)
        #expect(bSent.direction == .sent && bSent.bytes == reply.bytes && bSent.remote == incoming.remote)
        #expect(seenByA[0].direction == .sent && seenByA[0].bytes == request.bytes)
        #expect(seenByA[0].remote == b.transport.local)
        #expect(seenByA[1].direction == .received && seenByA[1].bytes == reply.bytes)
        #expect(bReceived.summary
            == "received \(kind.viaToken) \(b.transport.local) <- \(incoming.remote) (\(request.bytes.count) bytes)")
        #expect(bReceived.text.hasPrefix("OPTIONS sip:line@127.0.0.1 SIP/2.0\r\nVia: "))
        await a.transport.close()
        await b.transport.close()
    }

    @Test("Bytes that do not parse are traced as bytes with a note; the 400 sent back is traced too")
    func malformed() async throws {
        let trace = Traces()
        let b = try await Peer.start(on: loop, configuration: SIPTransportConfiguration(trace: trace.tracer))
        let raw = try await RawSocket(on: loop)
        let broken = "INVITE sip:line@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(raw.port);branch=z9hG4bK-bad\r\n"
            + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:line@127.0.0.1>\r\nCall-ID: broken-1\r\nCSeq: 1 INVITE\r\n"
            + "Max-Forwards: not-a-number\r\nContent-Length: 0\r\n\r\n"
        try await raw.send(Array(broken.utf8), to: b.transport.local.port)
        _ = await trace.wait(for: 2)
        try await raw.send([0xFF, 0x00, 0x41, 0x0D, 0x0A], to: b.transport.local.port)
        let seen = await trace.wait(for: 3)
        try #require(seen.count == 3)
        #expect(seen[0].direction == .received && seen[0].bytes == Array(broken.utf8))
        #expect(seen[0].note?.hasPrefix("did not parse: ") == true)
        #expect(seen[0].summary.contains("; did not parse: "))
        #expect(seen[1].direction == .sent && String(decoding: seen[1].bytes, as: UTF8.self).hasPrefix("SIP/2.0 400 "))
        #expect(seen[1].remote.port == raw.port)
        #expect(seen[2].note != nil)
        #expect(seen[2].text == "\\xFF\\x00A\r\n")
        await raw.close()
        await b.transport.close()
    }

    @Test("TCP: messages coalesced on the stream are traced one by one, keep-alives left out; lost framing is traced")
    func tcpStream() async throws {
        let trace = Traces()
        let b = try await Peer.start(on: loop, configuration: SIPTransportConfiguration(trace: trace.tracer))
        let channel = try await ClientBootstrap(group: loop).connect(host: "127.0.0.1", port: b.transport.local.port).get()
        let local = try #require(SIPEndpoint(channel.localAddress))
        let first = options(from: local, .tcp, branch: "z9hG4bK-1").bytes
        let second = options(from: local, .tcp, branch: "z9hG4bK-2").bytes
        let bad = Array("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: banana\r\n\r\n".utf8)
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: first + Array("\r\n\r\n".utf8) + second + bad))
        try await channel.closeFuture.get()
        let seen = await trace.wait(for: 3)
        try #require(seen.count == 3)
        #expect(seen[0].bytes == first && seen[0].note == nil)
        #expect(seen[1].bytes == second && seen[1].note == nil)
        #expect(seen[2].bytes == bad && seen[2].note?.hasPrefix("framing lost") == true)
        #expect(seen.allSatisfy { $0.remote == local && $0.transport == .tcp && $0.direction == .received })
        await b.transport.close()
    }
}
