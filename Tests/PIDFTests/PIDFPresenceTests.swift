import PIDF
import SoftphoneSIPMapping
import SoftphoneCore
import Testing

/// One row of the publishing table: what the softphone writes for a state.
struct PublishedRow: Sendable, CustomTestStringConvertible {
    var state: PresenceState
    var basic: PIDFDocument.Basic
    var activities: [String]
    var note: String
    /// The note with out of office on.
    var noteOutOfOffice: String

    var testDescription: String { note }
}

let publishedTable: [PublishedRow] = [
    PublishedRow(state: .available, basic: .open, activities: [], note: "Available",
                 noteOutOfOffice: "Available - Out of office"),
    PublishedRow(state: .busy, basic: .open, activities: ["busy"], note: "Busy", noteOutOfOffice: "Busy - Out of office"),
    PublishedRow(state: .doNotDisturb, basic: .open, activities: ["busy"], note: "Do not disturb",
                 noteOutOfOffice: "Do not disturb"),
    PublishedRow(state: .beRightBack, basic: .open, activities: ["away"], note: "Be right back",
                 noteOutOfOffice: "Be right back - Out of office"),
    PublishedRow(state: .away, basic: .open, activities: ["away"], note: "Away", noteOutOfOffice: "Away - Out of office"),
    PublishedRow(state: .appearOffline, basic: .closed, activities: [], note: "Appear offline",
                 noteOutOfOffice: "Appear offline - Out of office"),
    PublishedRow(state: .inACall, basic: .open, activities: ["busy", "on-the-phone"], note: "In a call",
                 noteOutOfOffice: "In a call - Out of office"),
    PublishedRow(state: .inAConferenceCall, basic: .open, activities: ["busy", "on-the-phone"],
                 note: "In a conference call", noteOutOfOffice: "In a conference call - Out of office"),
    PublishedRow(state: .inAMeeting, basic: .open, activities: ["busy", "meeting"], note: "In a meeting",
                 noteOutOfOffice: "In a meeting - Out of office"),
    PublishedRow(state: .presenting, basic: .open, activities: ["busy", "presentation"], note: "Presenting",
                 noteOutOfOffice: "Presenting"),
    PublishedRow(state: .focusing, basic: .open, activities: ["busy"], note: "Focusing", noteOutOfOffice: "Focusing"),
    PublishedRow(state: .offline, basic: .closed, activities: [], note: "Offline", noteOutOfOffice: "Out of office"),
    PublishedRow(state: .logout, basic: .closed, activities: [], note: "Logout", noteOutOfOffice: "Logout"),
    PublishedRow(state: .ring, basic: .open, activities: ["busy"], note: "Ring", noteOutOfOffice: "Ring - Out of office"),
    PublishedRow(state: .onACall, basic: .open, activities: ["busy", "on-the-phone"], note: "On a call",
                 noteOutOfOffice: "On a call - Out of office"),
    PublishedRow(state: .wrapUp, basic: .open, activities: ["busy"], note: "Wrap-up", noteOutOfOffice: "Wrap-up"),
    PublishedRow(state: .unknown, basic: .closed, activities: ["unknown"], note: "Unknown", noteOutOfOffice: "Unknown"),
]

@Suite("PIDF ↔ presence: publishing")
struct PIDFPublishingTests {
    @Test("the table covers every state once")
    func complete() {
        #expect(publishedTable.map(\.state) == PresenceState.allCases)
    }

    @Test("each state: basic, activities, the label in the tuple and the person", arguments: publishedTable)
    func row(_ row: PublishedRow) {
        let document = PIDFPresence.document(for: Presence(row.state), entity: "sip:alice@example.com",
                                             contact: "sip:alice@192.0.2.10")
        #expect(document == PIDFDocument(
            entity: "sip:alice@example.com",
            tuples: [.init(id: "softphone", basic: row.basic, contact: "sip:alice@192.0.2.10", notes: [.init(row.note)])],
            persons: [.init(id: "agent", activities: row.activities, notes: [.init(row.note)])]
        ))
        #expect(PIDFPresence.basic(for: row.state) == row.basic)
    }

    @Test("each state with out of office: vacation last, the out-of-office label", arguments: publishedTable)
    func rowOutOfOffice(_ row: PublishedRow) {
        let document = PIDFPresence.document(for: Presence(row.state, outOfOffice: true), entity: "sip:alice@example.com")
        #expect(document == PIDFDocument(
            entity: "sip:alice@example.com",
            tuples: [.init(id: "softphone", basic: row.basic, notes: [.init(row.noteOutOfOffice)])],
            persons: [.init(id: "agent", activities: row.activities + ["vacation"], notes: [.init(row.noteOutOfOffice)])]
        ))
    }

    @Test("the content type")
    func contentType() {
        #expect(PIDFPresence.contentType == "application/pidf+xml")
    }
}

@Suite("PIDF ↔ presence: reading")
struct PIDFReadingTests {
    /// A document with one open/closed tuple (or none) and one person (or none).
    private func document(basic: PIDFDocument.Basic? = nil, activities: [String]? = nil, personNotes: [String] = [],
                          tupleNotes: [String] = [], notes: [String] = []) -> PIDFDocument {
        PIDFDocument(
            entity: "sip:bob@example.com",
            tuples: basic == nil && tupleNotes.isEmpty ? [] : [.init(id: "t", basic: basic, notes: tupleNotes.map { .init($0) })],
            persons: activities == nil && personNotes.isEmpty ? [] :
                [.init(id: "p", activities: activities ?? [], notes: personNotes.map { .init($0) })],
            notes: notes.map { .init($0) }
        )
    }

    @Test("softphone → XML → softphone gives back every state, with and without out of office", arguments: allPresences)
    func roundTrip(presence: Presence) throws {
        let published = PIDFPresence.document(for: presence, entity: "sip:alice@example.com", contact: "sip:alice@192.0.2.10")
        let received = try PIDFDocument(parsing: Array(published.xml.utf8))
        #expect(received == published)
        #expect(PIDFPresence.presence(of: received) == presence)
    }

    @Test("every label gives exactly its presence, in any case and with white space around", arguments: allPresences)
    func labels(presence: Presence) {
        // Where the label hides out of office (⛔ states, Logout, Unknown) vacation carries it.
        let activities = presence.outOfOffice ? ["vacation"] : []
        #expect(PIDFPresence.presence(of: document(activities: activities, personNotes: [presence.label])) == presence)
        #expect(PIDFPresence.presence(of: document(activities: activities, personNotes: ["  \(presence.label.uppercased())\n"]))
            == presence)
        // In a closed tuple too: the note wins over basic.
        #expect(PIDFPresence.presence(of: document(basic: .closed, activities: activities, tupleNotes: [presence.label]))
            == presence)
    }

    @Test("activities, each alone in an open document", arguments: [
        ("on-the-phone", PresenceState.inACall), ("presentation", .presenting), ("meeting", .inAMeeting),
        ("appointment", .inAMeeting), ("busy", .busy), ("away", .away), ("meal", .away), ("breakfast", .away),
        ("dinner", .away), ("in-transit", .away), ("travel", .away), ("sleeping", .away), ("shopping", .away),
        ("steering", .away),
        // Saying nothing: the open tuple decides.
        ("unknown", .available), ("other", .available), ("working", .available), ("playing", .available),
        ("tv", .available), ("worship", .available), ("performance", .available), ("spectator", .available),
        ("looking-for-work", .available), ("permanent-absence", .available),
    ] as [(String, PresenceState)])
    func activity(_ activity: String, _ state: PresenceState) {
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: [activity])) == Presence(state))
        // Person activities come before the tuples' basic status.
        let closed = PIDFPresence.presence(of: document(basic: .closed, activities: [activity]))
        #expect(closed == Presence(state == .available ? .offline : state))
    }

    @Test("the highest-ranked activity wins, in any order", arguments: [
        (["busy", "on-the-phone"], PresenceState.inACall), (["on-the-phone", "busy"], .inACall),
        (["meeting", "presentation"], .presenting), (["away", "meeting"], .inAMeeting), (["away", "busy"], .busy),
        (["unknown", "away"], .away), (["appointment", "on-the-phone", "busy"], .inACall),
    ] as [([String], PresenceState)])
    func ranking(_ activities: [String], _ state: PresenceState) {
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: activities)) == Presence(state))
    }

    @Test("vacation and holiday are the out-of-office overlay")
    func outOfOffice() {
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["vacation"])) == Presence(.available, outOfOffice: true))
        #expect(PIDFPresence.presence(of: document(basic: .closed, activities: ["vacation"])) == Presence(.offline, outOfOffice: true))
        #expect(PIDFPresence.presence(of: document(activities: ["vacation"])) == Presence(.offline, outOfOffice: true))
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["holiday"])) == Presence(.available, outOfOffice: true))
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["away", "vacation"])) == Presence(.away, outOfOffice: true))
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["vacation", "on-the-phone"]))
            == Presence(.inACall, outOfOffice: true))
        // The label says out of office without vacation.
        #expect(PIDFPresence.presence(of: document(basic: .open, personNotes: ["Busy - Out of office"]))
            == Presence(.busy, outOfOffice: true))
        #expect(PIDFPresence.presence(of: document(basic: .closed, personNotes: ["Out of office"]))
            == Presence(.offline, outOfOffice: true))
        // Vacation with a label that has no overlay: the overlay is added.
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["busy", "vacation"], personNotes: ["Do not disturb"]))
            == Presence(.doNotDisturb, outOfOffice: true))
    }

    @Test("other clients' notes", arguments: [
        ("Online", PresenceState.available), ("online", .available), ("Available", .available), ("Busy", .busy),
        ("Away", .away), ("Idle", .away), ("On the phone", .inACall), ("Be right back", .beRightBack),
        ("Offline", .offline), ("Occupied", .busy), ("Out to lunch", .away), ("Do not disturb", .doNotDisturb),
    ] as [(String, PresenceState)])
    func foreignNotes(_ note: String, _ state: PresenceState) {
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["unknown"], personNotes: [note])) == Presence(state))
        #expect(PIDFPresence.presence(of: document(basic: .open, tupleNotes: [note])) == Presence(state))
        #expect(PIDFPresence.presence(of: document(notes: [note])) == Presence(state))
    }

    @Test("a recognised note comes before the person's activities (PJSIP: busy + \"On the phone\")")
    func noteBeforeActivities() {
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["busy"], personNotes: ["On the phone"]))
            == Presence(.inACall))
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["busy"], personNotes: ["Back at 3pm", "Away"]))
            == Presence(.away))
        // Free text is not recognised: the activities decide.
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["meeting"], personNotes: ["Budget review"]))
            == Presence(.inAMeeting))
    }

    @Test("PJSIP documents", arguments: [
        (Fixtures.pjsipOnline, Presence(.available)), (Fixtures.pjsipAvailable, Presence(.available)),
        (Fixtures.pjsipBusy, Presence(.busy)), (Fixtures.pjsipAway, Presence(.away)), (Fixtures.pjsipIdle, Presence(.away)),
        (Fixtures.pjsipOnThePhone, Presence(.inACall)), (Fixtures.pjsipBeRightBack, Presence(.beRightBack)),
        (Fixtures.pjsipClosed, Presence(.offline)), (Fixtures.pjsipOffline, Presence(.offline)),
    ])
    func pjsip(_ xml: String, _ presence: Presence) throws {
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: xml)) == presence)
    }

    @Test("baresip documents", arguments: [
        ("open", "busy", Presence(.busy)), ("open", nil, Presence(.available)), ("open", "away", Presence(.away)),
        ("closed", nil, Presence(.offline)),
    ] as [(String, String?, Presence)])
    func baresip(_ basic: String, _ activity: String?, _ presence: Presence) throws {
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Fixtures.baresip(basic: basic, activity: activity))) == presence)
    }

    @Test("Kamailio: the dummy document, the expired publication, the aggregate of two publishers")
    func kamailio() throws {
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Fixtures.kamailioDummy)) == Presence(.available))
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Fixtures.kamailioOffline)) == Presence(.offline))
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Fixtures.kamailioAggregate)) == Presence(.inACall))
    }

    @Test("the RFC examples")
    func rfcExamples() throws {
        // Open tuples, notes in free text: available.
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Fixtures.rfc3863)) == Presence(.available))
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Fixtures.rfc4480)) == Presence(.away))
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Fixtures.rfc4479)) == Presence(.inACall))
    }

    @Test("several persons: the strongest wins, as Teams aggregates (⛔ > busy > available > away > offline > unknown)",
          arguments: [
              (["Away", "Do not disturb"], PresenceState.doNotDisturb), (["Available", "Away"], .available),
              (["Away", "Available"], .available), (["Offline", "Away"], .away), (["Unknown", "Offline"], .offline),
              (["Busy", "In a meeting"], .busy), (["In a meeting", "Busy"], .inAMeeting), (["Presenting", "Busy"], .presenting),
              (["Online", "On the phone"], .inACall),
          ] as [([String], PresenceState)])
    func severalPersons(_ notes: [String], _ state: PresenceState) {
        let document = PIDFDocument(entity: "sip:bob@example.com", tuples: [.init(id: "t", basic: .open)],
                                    persons: notes.enumerated().map { .init(id: "p\($0.offset)", notes: [.init($0.element)]) })
        #expect(PIDFPresence.presence(of: document) == Presence(state))
    }

    @Test("persons before the document's notes before open tuples before the others")
    func precedence() {
        // A person with something to say beats everything else.
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["away"], tupleNotes: ["Online"], notes: ["Busy"]))
            == Presence(.away))
        // A person saying nothing does not count.
        #expect(PIDFPresence.presence(of: document(basic: .open, activities: ["unknown"], personNotes: ["Hello"],
                                                   tupleNotes: ["On the phone"])) == Presence(.inACall))
        // The document's note beats the tuples.
        #expect(PIDFPresence.presence(of: document(basic: .open, tupleNotes: ["Away"], notes: ["Busy"])) == Presence(.busy))
        // An open tuple beats closed ones, its note beats a closed tuple's.
        let mixed = PIDFDocument(entity: "sip:bob@example.com", tuples: [
            .init(id: "a", basic: .closed, notes: ["Offline"]),
            .init(id: "b", basic: .open, notes: ["Busy"]),
            .init(id: "c", basic: .open),
        ])
        #expect(PIDFPresence.presence(of: mixed) == Presence(.busy))
        let openWins = PIDFDocument(entity: "sip:bob@example.com", tuples: [
            .init(id: "a", basic: .closed), .init(id: "b", basic: .open), .init(id: "c", basic: nil),
        ])
        #expect(PIDFPresence.presence(of: openWins) == Presence(.available))
        // Only closed tuples: their recognised note, else offline.
        #expect(PIDFPresence.presence(of: document(basic: .closed, tupleNotes: ["Away"])) == Presence(.away))
        #expect(PIDFPresence.presence(of: document(basic: .closed, tupleNotes: ["Gone fishing"])) == Presence(.offline))
    }

    @Test("nothing usable: nil")
    func nothing() {
        #expect(PIDFPresence.presence(of: PIDFDocument(entity: "sip:bob@example.com")) == nil)
        #expect(PIDFPresence.presence(of: document(basic: nil, tupleNotes: ["Gone fishing"])) == nil)
        #expect(PIDFPresence.presence(of: document(activities: ["unknown", "working"], personNotes: ["Hello"])) == nil)
        #expect(PIDFPresence.presence(of: document(notes: ["I'll be in Tokyo next week"])) == nil)
        let noBasic = PIDFDocument(entity: "sip:bob@example.com", tuples: [.init(id: "t", basic: nil, contact: "sip:bob@x")])
        #expect(PIDFPresence.presence(of: noBasic) == nil)
    }
}
