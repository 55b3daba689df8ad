import SoftphoneCore
import Foundation
import NIOCore
import RTPMedia
import Testing

@Suite("RTP sessions on loopback")
struct RTPSessionTests {
    /// Checks that `packets` are one unbroken stream: sequence +1 and timestamp +160 each.
    func expectContinuous(_ packets: [RTPPacket], sourceLocation: SourceLocation = #_sourceLocation) {
        for (previous, packet) in zip(packets, packets.dropFirst()) {
            #expect(packet.sequenceNumber == previous.sequenceNumber &+ 1, sourceLocation: sourceLocation)
            #expect(packet.timestamp == previous.timestamp &+ 160, sourceLocation: sourceLocation)
            #expect(packet.ssrc == previous.ssrc, sourceLocation: sourceLocation)
        }
    }

    @Test("sessions bind distinct even ports")
    func evenPorts() async throws {
        try await withEventLoopGroup { group in
            var sessions: [RTPSession] = []
            for _ in 0..<6 {
                sessions.append(try await RTPSession.open(host: "127.0.0.1", group: group))
            }
            #expect(sessions.allSatisfy { $0.localPort % 2 == 0 && $0.localPort > 0 })
            #expect(Set(sessions.map(\.localPort)).count == sessions.count)
            for session in sessions { await session.close() }
        }
    }

    @Test("two sessions exchange G.711 streams: +1 sequence, +160 timestamp, chosen payload types")
    func exchange() async throws {
        try await withEventLoopGroup { group in
            let (alice, aliceLog) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            let tone = (0..<400).map { Int16(($0 % 40) * 500 - 10000) }
            try alice.start(remote: ("127.0.0.1", bob.localPort), codec: .pcmu, source: .silence)
            try bob.start(remote: ("127.0.0.1", alice.localPort), codec: .pcma, source: .samples(tone))

            #expect(await waitUntil { aliceLog.count >= 15 && bobLog.count >= 15 })
            await alice.close()
            await bob.close()

            let fromBob = aliceLog.all
            let fromAlice = bobLog.all
            #expect(fromAlice.allSatisfy { $0.payloadType == 0 && $0.payload == [UInt8](repeating: 0xFF, count: 160) })
            #expect(fromBob.allSatisfy { $0.payloadType == 8 && $0.payload.count == 160 })
            // Bob's payload is his looping tone in A-law, from the start.
            var frames = AudioSource.samples(tone).frames()
            for packet in fromBob.prefix(5) {
                #expect(packet.payload == AudioCodec.pcma.encode(frames.next() ?? []))
            }
            // The first packet of each stream carries the marker bit, no later one does.
            #expect(fromAlice.first?.marker == true && fromBob.first?.marker == true)
            #expect(fromAlice.dropFirst().allSatisfy { !$0.marker } && fromBob.dropFirst().allSatisfy { !$0.marker })
            expectContinuous(fromAlice)
            expectContinuous(fromBob)

            let aliceStats = alice.stats()
            let bobStats = bob.stats()
            #expect(aliceStats.packetsReceived == fromBob.count)
            #expect(aliceStats.bytesReceived == 172 * fromBob.count)
            #expect(aliceStats.remotePayloadType == 8)
            #expect(aliceStats.remoteSSRC == fromBob.last?.ssrc)
            #expect(aliceStats.lastReceived != nil)
            #expect(aliceStats.invalidReceived == 0 && aliceStats.sendErrors == 0)
            #expect(bobStats.remotePayloadType == 0)
            #expect(bobStats.packetsSent >= fromBob.count && bobStats.bytesSent == 172 * bobStats.packetsSent)
            #expect(aliceStats.packetsSent >= fromAlice.count)
            #expect(fromAlice.first?.ssrc != fromBob.first?.ssrc)
        }
    }

    @Test("hold stops sending while the held side keeps counting; resuming continues the stream with a marker")
    func hold() async throws {
        try await withEventLoopGroup { group in
            let (alice, aliceLog) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            try alice.start(remote: ("127.0.0.1", bob.localPort), codec: .pcmu, source: .silence)
            try bob.start(remote: ("127.0.0.1", alice.localPort), codec: .pcmu, source: .silence)
            #expect(await waitUntil { aliceLog.count >= 5 && bobLog.count >= 5 })

            try alice.update(sending: false)
            // Bob's stream is the clock: once Alice has received 10 more packets any packet of hers
            // in flight has arrived, and from then on nothing more may come.
            let mark = aliceLog.count
            #expect(await waitUntil { aliceLog.count >= mark + 10 })
            let sentOnHold = alice.stats().packetsSent
            let bobHeardOnHold = bobLog.count
            #expect(await waitUntil { aliceLog.count >= mark + 25 })
            #expect(alice.stats().packetsSent == sentOnHold)
            #expect(bobLog.count == bobHeardOnHold)
            #expect(alice.stats().packetsReceived >= mark + 25)

            try alice.update(sending: true)
            #expect(await waitUntil { bobLog.count >= bobHeardOnHold + 5 })
            await alice.close()
            await bob.close()

            let stream = bobLog.all
            let before = stream[bobHeardOnHold - 1]
            let resumed = stream[bobHeardOnHold]
            #expect(resumed.marker)
            #expect(resumed.ssrc == before.ssrc)
            #expect(resumed.sequenceNumber == before.sequenceNumber &+ 1)
            // The timestamp kept running through the hold: it jumped by whole frames, many of them.
            let jump = resumed.timestamp &- before.timestamp
            #expect(jump % 160 == 0 && jump >= 160 * 15)
            expectContinuous(Array(stream[..<bobHeardOnHold]))
            expectContinuous(Array(stream[bobHeardOnHold...]))
        }
    }

    @Test("a changed remote address (re-INVITE) moves the stream without restarting it")
    func changeRemote() async throws {
        try await withEventLoopGroup { group in
            let (alice, _) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            let (carol, carolLog) = try await openSession(group)
            try alice.start(remote: ("127.0.0.1", bob.localPort), codec: .pcma, source: .silence)
            #expect(await waitUntil { bobLog.count >= 5 })
            try alice.update(remote: ("127.0.0.1", carol.localPort), sending: true)
            #expect(await waitUntil { carolLog.count >= 5 })
            await alice.close()
            let lastToBob = try #require(bobLog.all.last)
            let firstToCarol = try #require(carolLog.all.first)
            #expect(firstToCarol.ssrc == lastToBob.ssrc)
            #expect(firstToCarol.sequenceNumber == lastToBob.sequenceNumber &+ 1)
            #expect(firstToCarol.timestamp == lastToBob.timestamp &+ 160)
            #expect(!firstToCarol.marker)
            await bob.close()
            await carol.close()
        }
    }

    @Test("what arrives on the wire is plain RTP a foreign peer reads")
    func wireFormat() async throws {
        try await withEventLoopGroup { group in
            let peer = try await RawPeer.open(group)
            let session = try await RTPSession.open(host: "127.0.0.1", group: group)
            try session.start(remote: ("127.0.0.1", peer.port), codec: .pcma, source: .silence)
            #expect(await waitUntil { peer.datagrams.count >= 3 })
            await session.close()
            let datagrams = peer.datagrams
            for (index, datagram) in datagrams.enumerated() {
                #expect(datagram.count == 12 + 160)
                #expect(datagram[0] == 0x80)  // V=2, no padding, no extension, no CSRC
                #expect(datagram[1] == (index == 0 ? 0x88 : 0x08))  // marker on the first, PT 8
                #expect(datagram[12...].allSatisfy { $0 == 0xD5 })
            }
        }
    }

    @Test("garbage datagrams are counted as invalid and do not stop the session")
    func garbage() async throws {
        try await withEventLoopGroup { group in
            let peer = try await RawPeer.open(group)
            let (session, log) = try await openSession(group)
            try session.start(remote: ("127.0.0.1", peer.port), codec: .pcmu, source: .silence)

            var generator = SeededGenerator(seed: 99)
            var garbage: [[UInt8]] = [
                [0x00], Array(repeating: 0x80, count: 11), Array("INVITE sip:bob@example.com SIP/2.0\r\n".utf8),
                [0x40] + Array(repeating: 0, count: 19),  // version 1
                [0x8F] + Array(repeating: 0, count: 19),  // 15 CSRCs announced
                [0xA0] + Array(repeating: 0, count: 12),  // padding count 0
            ]
            for _ in 0..<200 {
                // Random bytes with version 0, 1 or 3, never valid RTP.
                var bytes = (0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if bytes[0] >> 6 == 2 { bytes[0] ^= 0x40 }
                garbage.append(bytes)
            }
            for datagram in garbage {
                try await peer.send(datagram, to: session.localPort)
            }
            // An RTCP receiver report (RFC 3550 6.4.2) is counted apart.
            try await peer.send([0x80, 201, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78], to: session.localPort)
            #expect(await waitUntil { session.stats().invalidReceived == garbage.count && session.stats().rtcpReceived == 1 })

            let valid = RTPPacket(payloadType: 0, sequenceNumber: 9, timestamp: 99, ssrc: 0xCAFE, payload: [0xFF])
            try await peer.send(valid.bytes, to: session.localPort)
            #expect(await waitUntil { log.count == 1 })
            #expect(log.all == [valid])
            let stats = session.stats()
            #expect(stats.packetsReceived == 1 && stats.bytesReceived == 13 && stats.remoteSSRC == 0xCAFE)
            // Still sending.
            let sent = peer.datagrams.count
            #expect(await waitUntil { peer.datagrams.count >= sent + 5 })
            await session.close()
            await peer.close()
        }
    }

    @Test("a destination the socket cannot send to counts send errors and the session keeps receiving")
    func unreachable() async throws {
        try await withEventLoopGroup { group in
            let (alice, aliceLog) = try await openSession(group)
            let (bob, _) = try await openSession(group)
            // A socket bound to 127.0.0.1 cannot send to a non-loopback address (EINVAL on Linux).
            try alice.start(remote: ("192.0.2.1", 4000), codec: .pcmu, source: .silence)
            try bob.start(remote: ("127.0.0.1", alice.localPort), codec: .pcmu, source: .silence)
            #expect(await waitUntil { alice.stats().sendErrors >= 3 && aliceLog.count >= 3 })
            let received = aliceLog.count
            #expect(await waitUntil { aliceLog.count >= received + 10 })
            #expect(alice.stats().packetsSent == 0)
            #expect(alice.stats().lastSendError != nil)
            // Once the destination is fixed, the same socket sends again.
            try alice.update(remote: ("127.0.0.1", bob.localPort), sending: true)
            #expect(await waitUntil { bob.stats().packetsReceived >= 3 })
            await alice.close()
            await bob.close()
        }
    }

    @Test("close is idempotent, also concurrently; a closed session refuses to start and keeps its stats")
    func closeTwice() async throws {
        try await withEventLoopGroup { group in
            let peer = try await RawPeer.open(group)
            let session = try await RTPSession.open(host: "127.0.0.1", group: group)
            try session.start(remote: ("127.0.0.1", peer.port), codec: .pcmu, source: .silence)
            #expect(await waitUntil { peer.datagrams.count >= 2 })
            await session.close()
            await session.close()
            await withTaskGroup(of: Void.self) { tasks in
                for _ in 0..<4 { tasks.addTask { await session.close() } }
            }
            #expect(throws: RTPSessionError.closed) {
                try session.start(remote: ("127.0.0.1", peer.port), codec: .pcmu, source: .silence)
            }
            #expect(throws: RTPSessionError.closed) { try session.update(sending: true) }
            #expect(session.stats().packetsSent >= 2)
            await peer.close()
        }
    }

    #if os(Linux)
    @Test("sessions release their sockets, whether closed or only dropped")
    func noDescriptorLeak() async throws {
        func openDescriptors() -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        }
        try await withEventLoopGroup { group in
            let before = openDescriptors()
            for index in 0..<100 {
                let session = try await RTPSession.open(host: "127.0.0.1", group: group)
                try session.start(remote: ("127.0.0.1", 9), codec: .pcmu, source: .silence)
                if index % 2 == 0 { await session.close() }
            }
            // Other tests run in parallel and hold a few sockets; a leak here would be 100 or more.
            #expect(await waitUntil { openDescriptors() < before + 50 })
        }
    }
    #endif

    @Test("invalid use is reported: update before start, bad ports, wrong address family")
    func misuse() async throws {
        try await withEventLoopGroup { group in
            let session = try await RTPSession.open(host: "127.0.0.1", group: group)
            #expect(throws: RTPSessionError.notStarted) { try session.update(sending: false) }
            #expect(throws: RTPSessionError.self) {
                try session.start(remote: ("127.0.0.1", 70000), codec: .pcmu, source: .silence)
            }
            #expect(throws: RTPSessionError.self) {
                try session.start(remote: ("::1", 4000), codec: .pcmu, source: .silence)
            }
            #expect(throws: RTPSessionError.self) {
                try session.start(remote: ("no-such-host.invalid", 4000), codec: .pcmu, source: .silence)
            }
            await session.close()
        }
    }

    @Test("a 0.0.0.0 or port-0 destination (old-style hold) sends nothing, also when set by update")
    func unspecifiedRemote() async throws {
        try await withEventLoopGroup { group in
            let (alice, aliceLog) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            try alice.start(remote: ("0.0.0.0", bob.localPort), codec: .pcmu, source: .silence)
            try bob.start(remote: ("127.0.0.1", alice.localPort), codec: .pcmu, source: .silence)
            // Bob's stream is the clock, as in the hold test.
            #expect(await waitUntil { aliceLog.count >= 10 })
            #expect(alice.stats().packetsSent == 0)
            #expect(bobLog.count == 0)

            try alice.update(remote: ("127.0.0.1", bob.localPort), sending: true)
            #expect(await waitUntil { bobLog.count >= 3 })
            try alice.update(remote: ("127.0.0.1", 0), sending: true)
            let mark = aliceLog.count
            #expect(await waitUntil { aliceLog.count >= mark + 10 })
            let heard = bobLog.count
            #expect(await waitUntil { aliceLog.count >= mark + 25 })
            #expect(bobLog.count == heard)
            await alice.close()
            await bob.close()
        }
    }

    @Test("isSilent reports a call without incoming audio only after the interval")
    func silence() {
        let start = ContinuousClock.now
        var stats = RTPStats()
        #expect(!stats.isSilent(for: .seconds(5), since: start, now: start + .seconds(4)))
        #expect(stats.isSilent(for: .seconds(5), since: start, now: start + .seconds(5)))
        stats.lastReceived = start + .seconds(3)
        #expect(!stats.isSilent(for: .seconds(5), since: start, now: start + .seconds(7)))
        #expect(stats.isSilent(for: .seconds(5), since: start, now: start + .seconds(9)))
    }
}
