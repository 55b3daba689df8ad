import Testing
import RTPMedia

@Suite("RTP packets (RFC 3550 section 5.1)")
struct RTPPacketTests {
    @Test("a plain G.711 packet has the exact wire format")
    func wireFormat() throws {
        let packet = RTPPacket(payloadType: 8, sequenceNumber: 0x1234, timestamp: 0xDEAD_BEEF,
                               ssrc: 0x0102_0304, marker: true, payload: [0xD5, 0xD5])
        #expect(packet.bytes == [0x80, 0x88, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0xD5, 0xD5])
        #expect(packet.version == 2)
        #expect(!packet.hasPadding && !packet.hasExtension && packet.csrcCount == 0)
        #expect(try RTPPacket(parsing: packet.bytes) == packet)
    }

    @Test("CSRCs, extension and padding round-trip")
    func fullRoundTrip() throws {
        let packet = RTPPacket(payloadType: 0, sequenceNumber: 65535, timestamp: 160, ssrc: 42, marker: false,
                               csrcs: [1, 2, 0xFFFF_FFFF],
                               headerExtension: RTPHeaderExtension(profile: 0xBEDE, data: [1, 2, 3, 4, 5, 6, 7, 8]),
                               paddingLength: 3, payload: Array(0..<160))
        let bytes = packet.bytes
        #expect(bytes[0] == 0x80 | 0x20 | 0x10 | 3)
        #expect(bytes.count == 12 + 12 + 4 + 8 + 160 + 3)
        #expect(bytes.last == 3)
        let parsed = try RTPPacket(parsing: bytes)
        #expect(parsed == packet)
        #expect(parsed.csrcCount == 3 && parsed.hasPadding && parsed.hasExtension)
    }

    @Test("an empty extension and an empty payload are valid")
    func emptyParts() throws {
        let packet = RTPPacket(payloadType: 127, sequenceNumber: 1, timestamp: 2, ssrc: 3,
                               headerExtension: RTPHeaderExtension(profile: 0x1000, data: []), payload: [])
        #expect(packet.bytes.count == 16)
        #expect(try RTPPacket(parsing: packet.bytes) == packet)
    }

    @Test("extension data is padded to 32-bit words, payload type to 7 bits, CSRCs to 15")
    func serialisationLimits() throws {
        var packet = RTPPacket(payloadType: 0xFF, sequenceNumber: 0, timestamp: 0, ssrc: 0,
                               headerExtension: RTPHeaderExtension(profile: 1, data: [9]), payload: [])
        packet.csrcs = Array(0..<20)
        let parsed = try RTPPacket(parsing: packet.bytes)
        #expect(parsed.payloadType == 0x7F)
        #expect(parsed.csrcs == Array(0..<15))
        #expect(parsed.headerExtension == RTPHeaderExtension(profile: 1, data: [9, 0, 0, 0]))
    }

    @Test("parsing accepts any collection, such as a slice")
    func parsesSlices() throws {
        let bytes: [UInt8] = [0xAA, 0xAA] + RTPPacket(payloadType: 0, sequenceNumber: 7, timestamp: 8, ssrc: 9, payload: [1]).bytes
        let parsed = try RTPPacket(parsing: bytes[2...])
        #expect(parsed.sequenceNumber == 7 && parsed.payload == [1])
    }

    static let valid = RTPPacket(payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: [0xFF, 0xFF]).bytes

    /// The fixed header of `valid` with a different first octet, followed by `rest`.
    static func packet(first: UInt8, _ rest: [UInt8] = []) -> [UInt8] {
        [first] + Array(valid[1..<12]) + rest
    }

    static let malformed: [(name: String, bytes: [UInt8], error: RTPParseError)] = [
        ("empty", [], .tooShort(length: 0)),
        ("11 octets", Array(valid.prefix(11)), .tooShort(length: 11)),
        ("version 0", packet(first: 0x00, [0xFF]), .unsupportedVersion(0)),
        ("version 1", packet(first: 0x40, [0xFF]), .unsupportedVersion(1)),
        ("version 3", packet(first: 0xC0, [0xFF]), .unsupportedVersion(3)),
        ("CSRC count beyond the end", packet(first: 0x81, [0xFF, 0xFF]), .csrcListTruncated(count: 1, length: 14)),
        ("15 CSRCs in a short packet", packet(first: 0x8F, [0xFF, 0xFF]), .csrcListTruncated(count: 15, length: 14)),
        ("extension header cut off", packet(first: 0x90, [0xFF, 0xFF]), .extensionTruncated(needed: 16, length: 14)),
        ("extension length beyond the end", packet(first: 0x90, [0xBE, 0xDE, 0x00, 0x01, 0xFF, 0xFF]),
         .extensionTruncated(needed: 20, length: 18)),
        ("extension length 65535", packet(first: 0x90, [0xBE, 0xDE, 0xFF, 0xFF, 0xFF, 0xFF]),
         .extensionTruncated(needed: 16 + 4 * 65535, length: 18)),
        ("extension after CSRCs cut off", packet(first: 0x91, [0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x02, 0xFF]),
         .extensionTruncated(needed: 28, length: 21)),
        ("padding count 0", packet(first: 0xA0, [0xFF, 0xFF, 0x00]), .invalidPadding(count: 0, available: 3)),
        ("padding longer than the payload", packet(first: 0xA0, [0xFF, 0xFF, 0x04]), .invalidPadding(count: 4, available: 3)),
        ("padding bit, no payload", packet(first: 0xA0), .invalidPadding(count: 0, available: 0)),
        ("padding into the CSRC list", packet(first: 0xA1, [0, 0, 0, 0, 0xFF, 0x05]), .invalidPadding(count: 5, available: 2)),
        ("padding into the extension", packet(first: 0xB0, [0xBE, 0xDE, 0x00, 0x00, 0xFF, 0x08]),
         .invalidPadding(count: 8, available: 2)),
    ]

    @Test("malformed packets are rejected with the reason", arguments: malformed.indices)
    func rejectsMalformed(index: Int) {
        let entry = Self.malformed[index]
        #expect(throws: entry.error, "\(entry.name)") { try RTPPacket(parsing: entry.bytes) }
    }

    @Test("padding that fills the whole payload is valid")
    func paddingOnly() throws {
        let parsed = try RTPPacket(parsing: Self.packet(first: 0xA0, [0, 0, 3]))
        #expect(parsed.payload.isEmpty && parsed.paddingLength == 3)
    }

    @Test("every parse error has a readable description")
    func descriptions() {
        for entry in Self.malformed {
            #expect(!entry.error.description.isEmpty)
        }
        #expect(RTPParseError.unsupportedVersion(1).description.contains("version 1"))
    }
}
