#if canImport(FoundationXML)
import FoundationXML
import Foundation
#else
import Foundation
#endif
import PIDF
import SoftphoneSIPMapping
import SoftphoneCore
import Testing

typealias Tuple = PIDFDocument.Tuple
typealias Person = PIDFDocument.Person
typealias Note = PIDFDocument.Note

@Suite("PIDF documents: parsing")
struct PIDFParsingTests {
    @Test("RFC 3863 section 7: tuples, contacts, notes in two languages, timestamp, a document note")
    func rfc3863() throws {
        let document = try PIDFDocument(parsing: Fixtures.rfc3863)
        #expect(document == PIDFDocument(
            entity: "pres:someone@example.com",
            tuples: [
                Tuple(id: "bs35r9", basic: .open, contact: "im:someone@mobilecarrier.net",
                      notes: [Note("Don't Disturb Please!", language: "en"),
                              Note("Ne dérangez pas, s'il vous plaît", language: "fr")],
                      timestamp: "2001-10-27T16:49:29Z"),
                Tuple(id: "eg92n8", basic: .open, contact: "mailto:someone@example.com"),
            ],
            notes: [Note("I'll be in Tokyo next week", language: "en")]
        ))
    }

    @Test("the PIDF namespace on a prefix reads the same as the default namespace")
    func prefixed() throws {
        #expect(try PIDFDocument(parsing: Fixtures.rfc3863Prefixed) == PIDFDocument(parsing: Fixtures.rfc3863))
    }

    @Test("RFC 4480: RPID in tuples, device, mood, place ignored; activities and their note kept")
    func rfc4480() throws {
        let document = try PIDFDocument(parsing: Fixtures.rfc4480)
        #expect(document.entity == "pres:someone@example.com")
        #expect(document.tuples.map(\.id) == ["bs35r9", "ty4658", "eg92n8"])
        #expect(document.tuples.map(\.basic) == [.open, .open, .open])
        #expect(document.tuples.map(\.contact) == ["im:someone@mobilecarrier.net", "mailto:secretary@example.com",
                                                   "mailto:someone@example.com"])
        #expect(document.tuples[0].notes == [Note("Don't Disturb Please!", language: "en"),
                                             Note("Ne derangez pas, s'il vous plait", language: "fr")])
        #expect(document.tuples[0].timestamp == "2005-10-27T16:49:29Z")
        #expect(document.tuples[1].notes.isEmpty && document.tuples[1].timestamp == nil)
        #expect(document.notes == [Note("I'll be in Tokyo next week", language: "en")])
        // The device's dm:note is not the person's; mood's <r:other> is not an activity.
        #expect(document.persons == [Person(id: "p1", activities: ["away"], notes: ["Far away"])])
    }

    @Test("RFC 4479: capabilities and device ignored, the person on the phone")
    func rfc4479() throws {
        let document = try PIDFDocument(parsing: Fixtures.rfc4479)
        #expect(document == PIDFDocument(
            entity: "pres:someone@example.com",
            tuples: [Tuple(id: "sg89ae", basic: .open, contact: "sip:someone@example.com",
                           timestamp: "2005-07-26T13:20:00Z")],
            persons: [Person(id: "p1", activities: ["on-the-phone"])]
        ))
    }

    @Test("PJSIP: tuple note and dm:note, one activity")
    func pjsip() throws {
        let busy = try PIDFDocument(parsing: Fixtures.pjsipBusy)
        #expect(busy == PIDFDocument(
            entity: "sip:bob@example.com",
            tuples: [Tuple(id: "pj8d5f6a3c", basic: .open, contact: "sip:bob@192.0.2.7:5060", notes: ["Busy"],
                           timestamp: "2025-03-14T09:26:53.589Z")],
            persons: [Person(id: "pj1f0c2e77", activities: ["busy"], notes: ["Busy"])]
        ))
        let online = try PIDFDocument(parsing: Fixtures.pjsipOnline)
        #expect(online.persons == [Person(id: "pj1f0c2e77", activities: ["unknown"], notes: ["Online"])])
        let closed = try PIDFDocument(parsing: Fixtures.pjsipClosed)
        #expect(closed.tuples.map(\.basic) == [.closed] && closed.persons.isEmpty)
    }

    @Test("Kamailio: namespaces declared again on children, an empty activities element")
    func kamailio() throws {
        let dummy = try PIDFDocument(parsing: Fixtures.kamailioDummy)
        #expect(dummy == PIDFDocument(
            entity: "sip:carol@example.com",
            tuples: [Tuple(id: "0123456789abcdef0123456789abcdef", basic: .open)],
            persons: [Person(id: "1", activities: [], notes: ["Available"])],
            notes: ["Available"]
        ))
        let aggregate = try PIDFDocument(parsing: Fixtures.kamailioAggregate)
        #expect(aggregate.tuples.map(\.id) == ["pj77aa01", "softphone"])
        #expect(aggregate.persons.map(\.activities) == [["unknown"], ["busy", "on-the-phone"]])
    }

    @Test("baresip: CR LF line ends, the person before the tuple")
    func baresip() throws {
        let document = try PIDFDocument(parsing: Fixtures.baresip(basic: "open", activity: "busy"))
        #expect(document == PIDFDocument(
            entity: "sip:dave@example.com",
            tuples: [Tuple(id: "t4109", basic: .open, contact: "sip:dave@192.0.2.30")],
            persons: [Person(id: "p4159", activities: ["busy"])]
        ))
    }

    @Test("elements in unknown namespaces, and unknown elements in known ones, are skipped with their content")
    func unknownIgnored() throws {
        let xml = """
            <?xml version="1.0"?>
            <!-- a comment --><?some-pi data?>
            <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:example:other"
                xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
                entity="sip:eve@example.com" x:extra="1">
              stray text
              <x:tuple id="not-pidf"><status><basic>closed</basic></status></x:tuple>
              <x:wrapper><tuple id="nested"><status><basic>closed</basic></status></tuple></x:wrapper>
              <unknown-pidf-element><note>inside unknown</note></unknown-pidf-element>
              <tuple id="t1" x:flag="y">
                <status>
                  <x:basic>closed</x:basic>
                  <basic>open</basic>
                  <x:more><basic>closed</basic></x:more>
                </status>
                <x:note>foreign note</x:note>
                <note>kept <x:b>bold</x:b>text</note>
                <dm:note>not a tuple note</dm:note>
                <x:timestamp>never</x:timestamp>
              </tuple>
              <x:note>foreign note</x:note>
              <note><![CDATA[a <b> & c]]></note>
              <dm:device id="d1"><dm:note>device note</dm:note></dm:device>
              <rpid:activities><rpid:busy/></rpid:activities>
              <dm:person id="p1">
                <x:activities><x:busy/></x:activities>
                <rpid:activities>
                  <x:away/>
                  <rpid:meeting><x:deep><rpid:busy/></x:deep></rpid:meeting>
                  <rpid:note>  about the meeting  </rpid:note>
                </rpid:activities>
                <rpid:mood><rpid:happy/></rpid:mood>
                <x:note>foreign</x:note>
                <dm:note xml:lang="de">Besprechung</dm:note>
              </dm:person>
            </presence>
            """
        let document = try PIDFDocument(parsing: xml)
        #expect(document == PIDFDocument(
            entity: "sip:eve@example.com",
            tuples: [Tuple(id: "t1", basic: .open, notes: ["kept text"])],
            persons: [Person(id: "p1", activities: ["meeting"],
                             notes: ["about the meeting", Note("Besprechung", language: "de")])],
            notes: ["a <b> & c"]
        ))
    }

    @Test("texts are trimmed; entities and character references decoded; the first basic counts")
    func textHandling() throws {
        let xml = """
            <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a&amp;b@example.com">
              <tuple id="t&#x31;">
                <status><basic>
                   OPEN
                </basic><basic>closed</basic></status>
                <contact>
                  sip:a@example.com
                </contact>
                <contact>sip:second@example.com</contact>
                <note>  &lt;tab&gt;&#9;inside &#x263A;  </note>
                <note/>
                <timestamp> 2025-01-01T00:00:00Z </timestamp>
              </tuple>
              <tuple id="t2"><status><basic>maybe</basic></status></tuple>
              <tuple><status/></tuple>
            </presence>
            """
        let document = try PIDFDocument(parsing: xml)
        #expect(document.entity == "sip:a&b@example.com")
        #expect(document.tuples == [
            Tuple(id: "t1", basic: .open, contact: "sip:a@example.com", notes: ["<tab>\tinside ☺", ""],
                  timestamp: "2025-01-01T00:00:00Z"),
            Tuple(id: "t2", basic: nil),
            Tuple(id: "", basic: nil),
        ])
    }

    @Test("a UTF-8 byte order mark and leading white space are accepted; bytes and string parse the same")
    func bomAndBytes() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(" \r\n".utf8) + Array(Fixtures.pjsipAway.utf8)
        #expect(try PIDFDocument(parsing: bytes) == PIDFDocument(parsing: Fixtures.pjsipAway))
        #expect(try PIDFDocument(parsing: Array(Fixtures.pjsipAway.utf8)[...]) == PIDFDocument(parsing: Fixtures.pjsipAway))
    }
}

@Suite("PIDF documents: serialisation")
struct PIDFSerialisationTests {
    @Test("the published layout: PIDF default namespace, dm: and rpid: prefixes, schema order")
    func golden() {
        let document = PIDFPresence.document(for: Presence(.inACall, outOfOffice: true), entity: "sip:alice@example.com",
                                             contact: "sip:alice@192.0.2.10:5062")
        #expect(document.xml == """
            <?xml version="1.0" encoding="UTF-8"?>
            <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" \
            xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com">
             <tuple id="softphone">
              <status><basic>open</basic></status>
              <contact>sip:alice@192.0.2.10:5062</contact>
              <note>In a call - Out of office</note>
             </tuple>
             <dm:person id="agent">
              <rpid:activities><rpid:busy/><rpid:on-the-phone/><rpid:vacation/></rpid:activities>
              <dm:note>In a call - Out of office</dm:note>
             </dm:person>
            </presence>

            """)
    }

    @Test("a document with everything, and awkward text, parses back identically")
    func roundTripEverything() throws {
        let document = PIDFDocument(
            entity: "sip:o'brien+\"x\"&<y>@example.com;\tparam\n",
            tuples: [
                Tuple(id: "t1", basic: .open, contact: "sip:a@b?x=1&y=2",
                      notes: [Note("A & B <C> \"D\" 'E' ]]> line\r\nbreak\ttab", language: "en-GB"),
                              Note("ünïcödé ☎️ 電話中 🟢"), Note("")],
                      timestamp: "2025-01-01T00:00:00Z"),
                Tuple(id: "t2", basic: .closed),
                Tuple(id: "t3", basic: nil, contact: ""),
            ],
            persons: [
                Person(id: "p1", activities: ["busy", "on-the-phone", "vacation", "x-custom.activity_2"],
                       notes: [Note("note", language: "fr")]),
                Person(id: "p2"),
            ],
            notes: [Note("Doc note"), Note("<![CDATA[not cdata]]>", language: "x-klingon")]
        )
        #expect(try PIDFDocument(parsing: document.xml) == document)
    }

    @Test("characters XML cannot carry become U+FFFD; an activity that is not a name becomes \"other\"")
    func unrepresentable() throws {
        let document = PIDFDocument(entity: "sip:a@b\u{1}",
                                    tuples: [Tuple(id: "t\u{0}", basic: .open, notes: ["bell\u{7}", "\u{FFFE}x"])],
                                    persons: [Person(id: "p", activities: ["on the phone", "", "rpid:busy", "1st"])])
        let parsed = try PIDFDocument(parsing: document.xml)
        #expect(parsed.entity == "sip:a@b\u{FFFD}")
        #expect(parsed.tuples == [Tuple(id: "t\u{FFFD}", basic: .open, notes: ["bell\u{FFFD}", "\u{FFFD}x"])])
        #expect(parsed.persons == [Person(id: "p", activities: ["other", "other", "other", "other"])])
    }

    @Test("every published document is well-formed, namespace-well-formed XML with elements in the right namespaces",
          arguments: allPresences)
    func wellFormed(presence: Presence) throws {
        let document = PIDFPresence.document(for: presence, entity: "sip:agent@example.com", contact: "sip:agent@192.0.2.1")
        let elements = try IndependentXMLCheck.elements(of: document.xml)
        #expect(elements.first == "{urn:ietf:params:xml:ns:pidf}presence")
        #expect(elements.contains("{urn:ietf:params:xml:ns:pidf}tuple"))
        #expect(elements.contains("{urn:ietf:params:xml:ns:pidf}basic"))
        #expect(elements.contains("{urn:ietf:params:xml:ns:pidf:data-model}person"))
        #expect(elements.contains("{urn:ietf:params:xml:ns:pidf:data-model}note"))
        let activities = elements.filter { $0.hasPrefix("{urn:ietf:params:xml:ns:pidf:rpid}") }
        let expected = PIDFPresence.activities(for: presence)
        #expect(activities == (expected.isEmpty ? [] : ["{urn:ietf:params:xml:ns:pidf:rpid}activities"]
            + expected.map { "{urn:ietf:params:xml:ns:pidf:rpid}\($0)" }))
        #expect(try PIDFDocument(parsing: document.xml) == document)
    }

    @Test("the awkward document is well-formed too")
    func awkwardWellFormed() throws {
        let document = PIDFDocument(entity: "a\"b<c>&d'e\tf\ng\rh",
                                    tuples: [Tuple(id: "]]>", basic: .open, notes: [Note("x]]>y\r", language: "\"")])])
        let elements = try IndependentXMLCheck.elements(of: document.xml)
        #expect(elements.count == 5)
    }
}

let allPresences: [Presence] = PresenceState.allCases.flatMap { [Presence($0), Presence($0, outOfOffice: true)] }

/// Parses with a plain `XMLParser` and lists every element as `{namespace}name`;
/// throws on any parser error.
enum IndependentXMLCheck {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var errors: [String] = []
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append("{\(namespaceURI ?? "")}\(elementName)")
        }
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            errors.append("\(parseError) at \(parser.lineNumber):\(parser.columnNumber)")
        }
    }

    static func elements(of xml: String) throws -> [String] {
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        guard ok, parser.parserError == nil, collector.errors.isEmpty else {
            throw Failure(description: "not well-formed: \(collector.errors) \(String(describing: parser.parserError))")
        }
        return collector.elements
    }
}
