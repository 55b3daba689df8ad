import PIDF
import SoftphoneCore

/// The softphone's presence as a PIDF document, and back.
///
/// ## Publishing (`document(for:entity:contact:)`)
///
/// One tuple (id "softphone": basic status, the contact, a note) and one person
/// (id "agent": RPID activities, a `dm:note`). Both notes carry the presence's
/// `label` as the softphone shows it ("Do not disturb", "Available - Out of office",
/// "Out of office" for Offline with out of office). PJSIP reads the first activity
/// only and knows just `busy` and `away`, so "busy" comes first for every busy or ⛔
/// state, before the more precise activity.
///
/// | state                | basic  | activities                |
/// |----------------------|--------|---------------------------|
/// | Available            | open   | —                         |
/// | Busy                 | open   | busy                      |
/// | Do not disturb       | open   | busy                      |
/// | Be right back        | open   | away                      |
/// | Away                 | open   | away                      |
/// | Appear offline       | closed | —                         |
/// | In a call            | open   | busy, on-the-phone        |
/// | In a conference call | open   | busy, on-the-phone        |
/// | In a meeting         | open   | busy, meeting             |
/// | Presenting           | open   | busy, presentation        |
/// | Focusing             | open   | busy                      |
/// | Offline              | closed | —                         |
/// | Logout               | closed | —                         |
/// | Ring                 | open   | busy                      |
/// | On a call            | open   | busy, on-the-phone        |
/// | Wrap-up              | open   | busy                      |
/// | Unknown              | closed | unknown                   |
/// | + out of office      | same   | the above, then vacation  |
///
/// Note that Appear offline is published as such (closed, note "Appear offline"):
/// whoever publishes decides whether watchers should rather see `Presence(.offline)`.
///
/// ## Reading (`presence(of:)`)
///
/// A note is *recognised* when, trimmed and compared case-insensitively, it is
/// one of the softphone's labels (any state, with or without out of office: it
/// gives exactly that presence) or one of the words other clients use:
/// "Online" → Available, "Idle" → Away, "On the phone" → In a call (PJSIP),
/// "Occupied" → Busy, "Out to lunch" → Away. ("Available", "Busy", "Away",
/// "Be right back", "Offline", "Do not disturb" are labels already.)
///
/// Activities are ranked; the highest present decides:
/// on-the-phone → In a call; presentation → Presenting; meeting, appointment →
/// In a meeting; busy → Busy; away, meal, breakfast, dinner, in-transit, travel,
/// sleeping, shopping, steering → Away. `unknown`, `other` and the rest say nothing.
/// vacation and holiday are not a state: they set the out-of-office overlay.
///
/// The state comes from the first of these that says something:
/// 1. each person: its first recognised note, else its activities. When several
///    persons say something (Kamailio's `presence_xml` aggregates the documents of
///    all publishers into one), the strongest wins, as Teams aggregates sessions:
///    ⛔ > busy > available > away > offline > unknown; the first among equals.
///    (A recognised note comes before activities because PJSIP says "On the phone"
///    with the activity `busy`.)
/// 2. the document's own notes: the first recognised one;
/// 3. the open tuples: their first recognised note, else Available;
/// 4. the other tuples: their first recognised note, else Offline if one is closed.
///
/// Out of office is on when the chosen note says so ("… - Out of office",
/// "Out of office") or any person lists vacation or holiday; a document with only
/// that gives Out of office (Offline with the overlay). Nothing of the above: nil.
public enum PIDFPresence {
    public static let contentType = PIDFDocument.contentType

    /// The tuple's id in published documents.
    public static let tupleID = "softphone"
    /// The person's id in published documents.
    public static let personID = "agent"

    /// The basic status published for a state: open where the agent can be reached.
    public static func basic(for state: PresenceState) -> PIDFDocument.Basic {
        switch state {
        case .appearOffline, .offline, .logout, .unknown: .closed
        case .available, .busy, .doNotDisturb, .beRightBack, .away, .inACall, .inAConferenceCall,
             .inAMeeting, .presenting, .focusing, .ring, .onACall, .wrapUp: .open
        }
    }

    /// The RPID activities published for a presence (see the table above).
    public static func activities(for presence: Presence) -> [String] {
        var activities: [String]
        switch presence.state {
        case .available, .appearOffline, .offline, .logout: activities = []
        case .busy, .doNotDisturb, .focusing, .ring, .wrapUp: activities = ["busy"]
        case .beRightBack, .away: activities = ["away"]
        case .inACall, .inAConferenceCall, .onACall: activities = ["busy", "on-the-phone"]
        case .inAMeeting: activities = ["busy", "meeting"]
        case .presenting: activities = ["busy", "presentation"]
        case .unknown: activities = ["unknown"]
        }
        if presence.outOfOffice { activities.append("vacation") }
        return activities
    }

    /// The document the softphone publishes for `presence`.
    public static func document(for presence: Presence, entity: String, contact: String? = nil) -> PIDFDocument {
        let note = PIDFDocument.Note(presence.label)
        return PIDFDocument(
            entity: entity,
            tuples: [PIDFDocument.Tuple(id: tupleID, basic: basic(for: presence.state), contact: contact, notes: [note])],
            persons: [PIDFDocument.Person(id: personID, activities: activities(for: presence), notes: [note])]
        )
    }

    /// What a document means in the softphone's model; nil when it says nothing usable.
    public static func presence(of document: PIDFDocument) -> Presence? {
        let vacation = document.persons.contains { person in
            person.activities.contains { outOfOfficeActivities.contains($0) }
        }

        var found: Presence? = nil
        for person in document.persons {
            guard let candidate = recognised(person.notes) ?? activityState(person.activities).map({ Presence($0) })
            else { continue }
            if found.map({ strength(candidate.state) > strength($0.state) }) ?? true { found = candidate }
        }
        if found == nil {
            found = recognised(document.notes)
        }
        let open = document.tuples.filter { $0.basic == .open }
        if found == nil, !open.isEmpty {
            found = recognised(open.flatMap(\.notes)) ?? Presence(.available)
        }
        if found == nil {
            let others = document.tuples.filter { $0.basic != .open }
            found = recognised(others.flatMap(\.notes))
                ?? (others.contains { $0.basic == .closed } ? Presence(.offline) : nil)
        }

        guard vacation else { return found }
        return Presence(found?.state ?? .offline, outOfOffice: true)
    }

    // MARK: - Reading, the tables

    private static let outOfOfficeActivities: Set<String> = ["vacation", "holiday"]

    /// Every label the softphone shows, and the other clients' words, lower-cased.
    private static let notePresences: [String: Presence] = {
        var table: [String: Presence] = [
            "online": Presence(.available),
            "idle": Presence(.away),
            "on the phone": Presence(.inACall),
            "occupied": Presence(.busy),
            "out to lunch": Presence(.away),
        ]
        // Without out of office first: where the overlay does not change the label
        // (⛔ states, Logout, Unknown) the label means the state alone.
        for outOfOffice in [false, true] {
            for state in PresenceState.allCases {
                let presence = Presence(state, outOfOffice: outOfOffice)
                let key = presence.label.lowercased()
                if table[key] == nil { table[key] = presence }
            }
        }
        return table
    }()

    private static func recognised(_ notes: [PIDFDocument.Note]) -> Presence? {
        for note in notes {
            let key = note.text.trimmingWhitespace().lowercased()
            if let presence = notePresences[key] { return presence }
        }
        return nil
    }

    /// Activities in rank order, each with the state it means.
    private static let activityRanks: [(activities: Set<String>, state: PresenceState)] = [
        (["on-the-phone"], .inACall),
        (["presentation"], .presenting),
        (["meeting", "appointment"], .inAMeeting),
        (["busy"], .busy),
        (["away", "meal", "breakfast", "dinner", "in-transit", "travel", "sleeping", "shopping", "steering"], .away),
    ]

    private static func activityState(_ activities: [String]) -> PresenceState? {
        let present = Set(activities)
        return activityRanks.first { !$0.activities.isDisjoint(with: present) }?.state
    }

    /// Teams' aggregation order: DoNotDisturb > Busy > Available > Away, then offline, then unknown.
    private static func strength(_ state: PresenceState) -> Int {
        switch state.category {
        case .doNotDisturb: 5
        case .busy: 4
        case .available: 3
        case .away: 2
        case .offline: 1
        case .unknown: 0
        }
    }
}
