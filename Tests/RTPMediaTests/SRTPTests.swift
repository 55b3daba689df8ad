import Foundation
import RTPMedia
import Testing

@Suite("SRTP (libsrtp2, AES_CM_128_HMAC_SHA1_80)")
struct SRTPContextTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// The reference packet of libsrtp's own validation (its test driver): master key and salt,
    /// a 16-octet payload of 0xab from SSRC 0xcafebabe, and the protected packet.
    static let vectorKey = hex("e1f97a0d3e018be0d64fa32c06de4139" + "0ec675ad498afeebb6960b3aabe6")
    static let vectorPlain = hex("800f1234decafbadcafebabe" + String(repeating: "ab", count: 16))
    static let vectorProtected = hex("800f1234decafbadcafebabe" + "4e55dc4ce79978d88ca4d215949d2402"
                                     + "b78d6acc99ea179b8dbb")

    static func key(_ seed: UInt8) -> [UInt8] { (0..<30).map { UInt8(truncatingIfNeeded: Int($0) * 7 + Int(seed)) } }

    static func packet(sequence: UInt16, payload: [UInt8] = Array(repeating: 0x55, count: 160)) -> [UInt8] {
        RTPPacket(payloadType: 0, sequenceNumber: sequence, timestamp: UInt32(sequence) * 160, ssrc: 0x1234_5678,
                  payload: payload).bytes
    }

    @Test("the known vector: protect gives libsrtp's reference packet, unprotect gives the plain one back")
    func knownVector() throws {
        let sender = try SRTPContext(.outbound, masterKey: Self.vectorKey)
        #expect(try sender.protect(Self.vectorPlain) == Self.vectorProtected)
        let receiver = try SRTPContext(.inbound, masterKey: Self.vectorKey)
        #expect(try receiver.unprotect(Self.vectorProtected) == Self.vectorPlain)
    }

    @Test("round trip: a stream of packets comes back as sent; the payload on the wire is not the plain one")
    func roundTrip() throws {
        let sender = try SRTPContext(.outbound, masterKey: Self.key(1))
        let receiver = try SRTPContext(.inbound, masterKey: Self.key(1))
        for sequence in UInt16(100)..<150 {
            let plain = Self.packet(sequence: sequence)
            let wire = try sender.protect(plain)
            #expect(wire.count == plain.count + 10)  // the 80-bit authentication tag
            #expect(Array(wire[12..<plain.count]) != Array(plain[12...]))
            #expect(try receiver.unprotect(wire) == plain)
        }
    }

    @Test("a tampered packet, or one under another key, fails authentication and is refused")
    func tamper() throws {
        let sender = try SRTPContext(.outbound, masterKey: Self.key(2))
        let receiver = try SRTPContext(.inbound, masterKey: Self.key(2))
        var wire = try sender.protect(Self.packet(sequence: 7))
        wire[20] ^= 0x01
        #expect(throws: SRTPError.authentication) { try receiver.unprotect(wire) }
        let stranger = try SRTPContext(.outbound, masterKey: Self.key(3))
        #expect(throws: SRTPError.authentication) { try receiver.unprotect(try stranger.protect(Self.packet(sequence: 8))) }
        // The genuine packet still passes afterwards.
        #expect(try receiver.unprotect(try sender.protect(Self.packet(sequence: 9))) == Self.packet(sequence: 9))
    }

    @Test("a replayed packet is refused; so is a plain RTP packet on an encrypted stream")
    func replay() throws {
        let sender = try SRTPContext(.outbound, masterKey: Self.key(4))
        let receiver = try SRTPContext(.inbound, masterKey: Self.key(4))
        let wire = try sender.protect(Self.packet(sequence: 1000))
        _ = try receiver.unprotect(wire)
        #expect(throws: SRTPError.replay) { try receiver.unprotect(wire) }
        #expect(throws: SRTPError.authentication) { try receiver.unprotect(Self.packet(sequence: 1001)) }
    }

    @Test("bad keys and garbage never crash: a wrong key length is refused, short or foreign datagrams are malformed")
    func garbage() throws {
        #expect(throws: SRTPError.badKeyLength(16)) { try SRTPContext(.outbound, masterKey: Array(repeating: 1, count: 16)) }
        let receiver = try SRTPContext(.inbound, masterKey: Self.key(5))
        #expect(throws: SRTPError.malformed) { try receiver.unprotect([UInt8]()) }
        #expect(throws: SRTPError.malformed) { try receiver.unprotect([0x80, 0, 0, 1]) }
        #expect(throws: SRTPError.malformed) { try receiver.unprotect(Array(repeating: UInt8(0x00), count: 40)) }
        var random = SystemRandomNumberGenerator()
        for length in [12, 13, 21, 22, 23, 100, 1500] {
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            bytes[0] = 0x80
            #expect(throws: SRTPError.self) { try receiver.unprotect(bytes) }
        }
        let sender = try SRTPContext(.outbound, masterKey: Self.key(5))
        #expect(throws: SRTPError.malformed) { try sender.protect([0x80, 0]) }
        #expect(SRTPKeys(send: Self.key(1), receive: Self.key(2)).description.contains("hidden"))
    }
}

@Suite("RTP sessions carrying sound through SRTP on loopback")
struct SRTPSessionTests {
    static let aliceKey = SRTPContextTests.key(10)
    static let bobKey = SRTPContextTests.key(20)
    static func stream(send: [UInt8], receive: [UInt8]) -> MediaStream {
        MediaStream(codec: .opus, payloadType: 111, telephoneEventPayloadType: 101,
                    srtp: SRTPKeys(send: send, receive: receive))
    }

    @Test("a 440 Hz tone crosses an SRTP call: encrypted on the wire, heard as the tone")
    func toneThroughSRTP() async throws {
        try await withEventLoopGroup { group in
            let (alice, _) = try await openSession(group)
            let (bob, bobLog) = try await openSession(group)
            let microphone = ToneMicrophone(frequency: 440)
            try alice.start(remote: ("127.0.0.1", bob.localPort), stream: Self.stream(send: Self.aliceKey, receive: Self.bobKey),
                            source: .capture { microphone.frame() })
            let receiver = try bob.start(remote: ("127.0.0.1", alice.localPort),
                                         stream: Self.stream(send: Self.bobKey, receive: Self.aliceKey), source: .capture { nil })
            #expect(await waitUntil { bobLog.count >= 5 })
            var heard: [Int16] = []
            for _ in 0..<60 {
                try await Task.sleep(for: .milliseconds(20))  // pacing like a device, nothing timed
                heard += receiver.nextFrame(at: .now)
            }
            await alice.close()
            await bob.close()
            let loud = stride(from: 0, to: heard.count, by: 960).map { Array(heard[$0..<min($0 + 960, heard.count)]) }
                .filter { Goertzel.energy(of: $0) > 1e3 }
            #expect(loud.count >= 20)
            let fractions = loud.map { Goertzel.fractionOfEnergy(at: 440, in: $0, sampleRate: 48000) }.sorted()
            #expect(fractions.isEmpty || fractions[fractions.count / 2] > 0.8)
            #expect(bobLog.all.allSatisfy { $0.payloadType == 111 })
            #expect(bob.stats().srtpAuthenticationFailures == 0)
            #expect(bob.stats().invalidReceived == 0)
        }
    }

    @Test("what an encrypted session sends only opens with the key; plain RTP and forgeries are dropped and counted")
    func wireIsEncrypted() async throws {
        try await withEventLoopGroup { group in
            let peer = try await RawPeer.open(group)
            let (session, log) = try await openSession(group)
            try session.start(remote: ("127.0.0.1", peer.port), stream: Self.stream(send: Self.aliceKey, receive: Self.bobKey),
                              source: .audio(.silence))
            #expect(await waitUntil { peer.datagrams.count >= 3 })
            let opener = try SRTPContext(.inbound, masterKey: Self.aliceKey)
            for datagram in peer.datagrams.prefix(3) {
                let plain = try opener.unprotect(datagram)
                #expect(try RTPPacket(parsing: plain).payloadType == 111)
            }
            // Plain RTP, a forgery under another key, and a replay of a genuine packet: all dropped.
            let plain = RTPPacket(payloadType: 111, sequenceNumber: 1, timestamp: 1, ssrc: 9,
                                  payload: Array(repeating: 0x42, count: 160)).bytes
            try await peer.send(plain, to: session.localPort)
            let forger = try SRTPContext(.outbound, masterKey: Self.aliceKey)
            try await peer.send(try forger.protect(plain), to: session.localPort)
            let genuine = try SRTPContext(.outbound, masterKey: Self.bobKey)
            let wire = try genuine.protect(RTPPacket(payloadType: 111, sequenceNumber: 5, timestamp: 5, ssrc: 7,
                                                     payload: [0xf8, 0xff, 0xfe]).bytes)
            try await peer.send(wire, to: session.localPort)
            try await peer.send(wire, to: session.localPort)
            #expect(await waitUntil { session.stats().srtpAuthenticationFailures == 2 && session.stats().srtpReplays == 1 })
            #expect(log.count == 1)
            #expect(log.all.first?.ssrc == 7)
            await session.close()
            await peer.close()
        }
    }
}
