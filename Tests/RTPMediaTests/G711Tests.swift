import Testing
import RTPMedia

@Suite("G.711 µ-law and A-law (ITU-T G.711)")
struct G711Tests {
    @Test("digital silence is 0xFF in µ-law and 0xD5 in A-law")
    func silence() {
        #expect(G711.encodeMuLaw(0) == 0xFF)
        #expect(G711.encodeALaw(0) == 0xD5)
        #expect(AudioCodec.pcmu.silence == 0xFF)
        #expect(AudioCodec.pcma.silence == 0xD5)
        #expect(G711.decodeMuLaw(0xFF) == 0)
        #expect(G711.decodeMuLaw(0x7F) == 0)
        #expect(G711.decodeALaw(0xD5) == 8)
        #expect(G711.decodeALaw(0x55) == -8)
    }

    // Reference codes as produced by the classic CCITT/G.191 implementations.
    static let encodings: [(sample: Int16, muLaw: UInt8, aLaw: UInt8)] = [
        (0, 0xFF, 0xD5), (-1, 0x7F, 0x55), (8, 0xFE, 0xD5), (-8, 0x7E, 0x55),
        (100, 0xF2, 0xD3), (1000, 0xCE, 0xFA), (-1000, 0x4E, 0x7A), (5000, 0xAB, 0x86),
        (-5000, 0x2B, 0x06), (12345, 0x97, 0xBD), (-12345, 0x17, 0x3D),
        (32767, 0x80, 0xAA), (-32768, 0x00, 0x2A),
    ]

    @Test("reference samples encode to the reference codes", arguments: encodings.indices)
    func referenceEncodings(index: Int) {
        let entry = Self.encodings[index]
        #expect(G711.encodeMuLaw(entry.sample) == entry.muLaw)
        #expect(G711.encodeALaw(entry.sample) == entry.aLaw)
    }

    static let decodings: [(code: UInt8, muLaw: Int16, aLaw: Int16)] = [
        (0x00, -32124, -5504), (0x80, 32124, 5504), (0xFF, 0, 848), (0x7F, 0, -848),
        (0x7E, -8, -880), (0xEF, 132, 1696), (0xCE, 988, 440), (0x20, -7932, -22016),
        (0x9A, 10876, 4032), (0xAA, 5372, 32256), (0x2A, -5372, -32256),
    ]

    @Test("reference codes decode to the reference samples", arguments: decodings.indices)
    func referenceDecodings(index: Int) {
        let entry = Self.decodings[index]
        #expect(G711.decodeMuLaw(entry.code) == entry.muLaw)
        #expect(G711.decodeALaw(entry.code) == entry.aLaw)
    }

    @Test("every code survives decode then encode")
    func codesRoundTrip() {
        for code in UInt8.min...UInt8.max {
            let muLaw = G711.encodeMuLaw(G711.decodeMuLaw(code))
            // µ-law has two zeros (0x7F and 0xFF); both decode to 0, which encodes to 0xFF.
            #expect(muLaw == code || (code == 0x7F && muLaw == 0xFF), "µ-law \(code)")
            #expect(G711.encodeALaw(G711.decodeALaw(code)) == code, "A-law \(code)")
        }
    }

    @Test("every sample round-trips within the quantisation step of its segment")
    func samplesRoundTrip() {
        var failures: [String] = []
        for value in Int(Int16.min)...Int(Int16.max) where failures.count < 5 {
            let sample = Int16(value)
            let magnitude = abs(value)
            // µ-law: half a step is at most (|x| + 132) / 32; beyond the clip level add the clip error.
            let muLawError = abs(Int(G711.decodeMuLaw(G711.encodeMuLaw(sample))) - value)
            if muLawError > (magnitude + 132) / 32 + 1 + max(0, magnitude - 32635) {
                failures.append("µ-law \(value): error \(muLawError)")
            }
            // A-law: the step of segments 0 and 1 is 16; above, half a step is at most |x| / 32.
            let aLawError = abs(Int(G711.decodeALaw(G711.encodeALaw(sample))) - value)
            if aLawError > max(16, magnitude / 32 + 8) {
                failures.append("A-law \(value): error \(aLawError)")
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("decode(encode(x)) never decreases as x increases")
    func monotonic() {
        var lastMuLaw = Int16.min
        var lastALaw = Int16.min
        for value in Int(Int16.min)...Int(Int16.max) {
            let muLaw = G711.decodeMuLaw(G711.encodeMuLaw(Int16(value)))
            let aLaw = G711.decodeALaw(G711.encodeALaw(Int16(value)))
            guard muLaw >= lastMuLaw, aLaw >= lastALaw else {
                Issue.record("not monotonic at \(value): µ-law \(lastMuLaw) → \(muLaw), A-law \(lastALaw) → \(aLaw)")
                return
            }
            lastMuLaw = muLaw
            lastALaw = aLaw
        }
    }

    @Test("codec values: payload types 0 and 8, 8 kHz, names, frame encoding")
    func codec() {
        #expect(AudioCodec.pcmu.payloadType == 0)
        #expect(AudioCodec.pcma.payloadType == 8)
        #expect(AudioCodec.pcmu.clockRate == 8000)
        #expect(AudioCodec.pcma.clockRate == 8000)
        #expect(AudioCodec(payloadType: 0) == .pcmu)
        #expect(AudioCodec(payloadType: 8) == .pcma)
        #expect(AudioCodec(payloadType: 18) == nil)
        #expect(AudioCodec.pcmu.encodingName == "PCMU")
        #expect(AudioCodec.pcma.encodingName == "PCMA")
        #expect(AudioCodec.pcmu.encode([0, 1000, -1000]) == [0xFF, 0xCE, 0x4E])
        #expect(AudioCodec.pcma.encode([0, 1000, -1000]) == [0xD5, 0xFA, 0x7A])
        #expect(AudioCodec.pcmu.decode([0xFF, 0xCE]) == [0, 988])
        #expect(AudioCodec.pcma.encode([Int16](repeating: 0, count: 160)) == [UInt8](repeating: 0xD5, count: 160))
    }
}
