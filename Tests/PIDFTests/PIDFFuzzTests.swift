import Foundation
import PIDF
import SoftphoneSIPMapping
import SoftphoneCore
import Testing

@Suite("PIDF documents: random inputs")
struct PIDFFuzzTests {
    static let seeds: [[UInt8]] = ([
        Fixtures.rfc3863, Fixtures.rfc3863Prefixed, Fixtures.rfc4480, Fixtures.rfc4479, Fixtures.pjsipOnline,
        Fixtures.pjsipBusy, Fixtures.pjsipOnThePhone, Fixtures.pjsipClosed, Fixtures.kamailioDummy,
        Fixtures.kamailioOffline, Fixtures.kamailioAggregate, Fixtures.baresip(basic: "open", activity: "busy"),
    ] + [Presence(.doNotDisturb, outOfOffice: true), Presence(.inACall), Presence(.appearOffline)].map {
        PIDFPresence.document(for: $0, entity: "sip:alice@example.com", contact: "sip:alice@192.0.2.10").xml
    }).map { Array($0.utf8) }

    /// Pieces of markup a mutation inserts: structure, escapes, declarations, bad bytes.
    static let tokens: [[UInt8]] = [
        "<", ">", "/", "&", "\"", "'", "=", ":", "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE x>",
        "<!ENTITY a \"b\">", "&amp;", "&lt;", "&#0;", "&#x110000;", "&#65;", "&undefined;", "<?pi x?>",
        "xmlns=\"urn:x\"", "xmlns:dm=\"\"", "xmlns=\"urn:ietf:params:xml:ns:pidf\"", " entity=\"sip:x@y\"",
        "<tuple id=\"z\">", "</tuple>", "<status><basic>open</basic></status>", "<basic>closed</basic>",
        "<dm:person id=\"q\">", "</dm:person>", "<rpid:activities>", "</rpid:activities>", "<rpid:on-the-phone/>",
        "<rpid:vacation/>", "<note>", "</note>", "<note xml:lang=\"en\">Busy</note>", "<dm:note>Away</dm:note>",
        "\u{0}", "\u{1}", "\u{FEFF}", "é", "☎️", "\r\n",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]

    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        // Half the time one mutation (often still well-formed), else two to four.
        let count = Bool.random(using: &rng) ? 1 : Int.random(in: 2...4, using: &rng)
        for _ in 0..<count {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty:  // change a byte
                bytes[min(position, bytes.count - 1)] = UInt8.random(in: 0...255, using: &rng)
            case 1:  // insert a token
                bytes.insert(contentsOf: tokens.randomElement(using: &rng)!, at: position)
            case 2 where !bytes.isEmpty:  // delete a range
                let end = min(bytes.count, position + Int.random(in: 1...40, using: &rng))
                bytes.removeSubrange(min(position, end)..<end)
            case 3 where !bytes.isEmpty:  // repeat a range
                let end = min(bytes.count, position + Int.random(in: 1...60, using: &rng))
                let chunk = bytes[min(position, end)..<end]
                let times = Int.random(in: 1...8, using: &rng)
                bytes.insert(contentsOf: Array(repeatElement(chunk, count: times).joined()), at: end)
            case 4:  // truncate
                bytes.removeSubrange(position...)
            case 5:  // splice in a piece of another document
                let other = seeds.randomElement(using: &rng)!
                let start = Int.random(in: 0..<other.count, using: &rng)
                let end = min(other.count, start + Int.random(in: 1...200, using: &rng))
                bytes.insert(contentsOf: other[start..<end], at: position)
            default:  // swap two bytes
                guard bytes.count > 1 else { break }
                let other = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.swapAt(min(position, bytes.count - 1), other)
            }
        }
        return bytes
    }

    @Test("8,000 mutated documents: each is parsed or rejected with a reason; a parsed one serialises and parses back the same")
    func mutations() {
        var rng = SeededGenerator(seed: 0x5EED_0000_0000_3863)
        var accepted = 0
        var rejected = 0
        var failures: [String] = []
        for iteration in 0..<8_000 {
            let seed = Self.seeds[iteration % Self.seeds.count]
            let input = Self.mutate(seed, &rng)
            do {
                let document = try PIDFDocument(parsing: input)
                accepted += 1
                _ = PIDFPresence.presence(of: document)
                let xml = document.xml
                // Activities that are not ASCII names are written as "other"; oversized output would be refused.
                let nameLike = document.persons.allSatisfy { $0.activities.allSatisfy(Self.isASCIIName) }
                if nameLike, xml.utf8.count <= PIDFLimits.maximumBytes {
                    let again = try PIDFDocument(parsing: xml)
                    if again != document { failures.append("iteration \(iteration): re-parse differs") }
                }
            } catch {
                rejected += 1
                if error.description.isEmpty { failures.append("iteration \(iteration): empty reason") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        // Both outcomes are exercised.
        #expect(accepted > 300)
        #expect(rejected > 3000)
    }

    @Test("random bytes, and random markup tokens, never crash")
    func noise() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            if Bool.random(using: &rng) {
                bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = Array("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\">".utf8)
                for _ in 0..<Int.random(in: 0...60, using: &rng) { bytes += Self.tokens.randomElement(using: &rng)! }
            }
            if let document = try? PIDFDocument(parsing: bytes) {
                _ = PIDFPresence.presence(of: document)
                _ = document.xml
            }
        }
    }

    @Test("random documents with awkward text serialise and parse back identically")
    func randomDocuments() throws {
        var rng = SeededGenerator(seed: 4480)
        let pool: [Character] = Array("abcXYZ019 -_:;/@.&<>\"'=]]>\t\n\r\u{A0}éü☎️🟢電話\u{200D}\u{301}!?#%")
        func text(_ maxLength: Int = 20) -> String {
            let raw = String((0..<Int.random(in: 0...maxLength, using: &rng)).map { _ in pool.randomElement(using: &rng)! })
            return raw.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func note() -> PIDFDocument.Note {
            PIDFDocument.Note(text(), language: Bool.random(using: &rng) ? nil : ["en", "fr", "de-CH", ""].randomElement(using: &rng)!)
        }
        let activities = ["busy", "on-the-phone", "away", "meeting", "vacation", "presentation", "unknown", "other", "x_y.z-1"]
        for _ in 0..<500 {
            var entity = text()
            if entity.isEmpty { entity = "sip:x@y" }
            let document = PIDFDocument(
                entity: entity,
                tuples: (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                    PIDFDocument.Tuple(id: text(8), basic: [nil, .open, .closed].randomElement(using: &rng)!,
                                       contact: Bool.random(using: &rng) ? text() : nil,
                                       notes: (0..<Int.random(in: 0...2, using: &rng)).map { _ in note() },
                                       timestamp: Bool.random(using: &rng) ? text() : nil)
                },
                persons: (0..<Int.random(in: 0...2, using: &rng)).map { _ in
                    PIDFDocument.Person(id: text(8),
                                        activities: (0..<Int.random(in: 0...3, using: &rng)).map { _ in activities.randomElement(using: &rng)! },
                                        notes: (0..<Int.random(in: 0...2, using: &rng)).map { _ in note() })
                },
                notes: (0..<Int.random(in: 0...2, using: &rng)).map { _ in note() }
            )
            let parsed = try PIDFDocument(parsing: document.xml)
            #expect(parsed == document)
            if parsed != document { break }
            _ = PIDFPresence.presence(of: parsed)
        }
    }

    static func isASCIIName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else {
            return false
        }
        return name.utf8.allSatisfy { b in
            (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x5F
        }
    }
}
