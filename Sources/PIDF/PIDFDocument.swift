/// A presence document: PIDF (RFC 3863) with the person element of the presence
/// data model (RFC 4479) and RPID activities (RFC 4480).
///
/// Only what the softphone reads or writes is kept: the presentity, each tuple's
/// basic status, contact, notes and timestamp, each person's activities and notes,
/// and the document's own notes. Everything else in a parsed document (unknown
/// elements, other namespaces, devices, moods, places…) is skipped.
///
/// Text is trimmed when parsed, so `PIDFDocument(parsing: document.xml) == document`
/// holds for documents whose texts have no leading or trailing white space
/// (and whose `entity` is not blank).
public struct PIDFDocument: Sendable, Hashable {
    /// The media type of a PIDF body (RFC 3863).
    public static let contentType = "application/pidf+xml"

    /// `<status><basic>`: whether the tuple's contact can be reached.
    public enum Basic: String, Sendable, Equatable, CaseIterable {
        case open, closed
    }

    /// `<note>` (or `<dm:note>` in a person): free text, optionally tagged with its language.
    public struct Note: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var text: String
        /// The `xml:lang` attribute, e.g. "en".
        public var language: String?

        public init(_ text: String, language: String? = nil) {
            self.text = text
            self.language = language
        }

        public init(stringLiteral value: String) {
            self.init(value)
        }

        public var description: String { text }
    }

    /// `<tuple>`: one way of reaching the presentity (RFC 3863 section 4.1.2;
    /// a service in RFC 4479).
    public struct Tuple: Sendable, Hashable {
        public var id: String
        public var basic: Basic?
        public var contact: String?
        public var notes: [Note]
        public var timestamp: String?

        public init(id: String, basic: Basic?, contact: String? = nil, notes: [Note] = [], timestamp: String? = nil) {
            self.id = id
            self.basic = basic
            self.contact = contact
            self.notes = notes
            self.timestamp = timestamp
        }
    }

    /// `<dm:person>` (RFC 4479 section 3.1) with its RPID activities.
    public struct Person: Sendable, Hashable {
        public var id: String
        /// The local names of the elements in `<rpid:activities>`, in document
        /// order: "busy", "on-the-phone", "away", "meeting", "vacation",
        /// "presentation", "unknown", … (`<rpid:other>` is "other"; its text is not kept).
        public var activities: [String]
        /// `<dm:note>` of the person; when parsing, also `<rpid:note>` inside `<rpid:activities>`.
        public var notes: [Note]

        public init(id: String, activities: [String] = [], notes: [Note] = []) {
            self.id = id
            self.activities = activities
            self.notes = notes
        }
    }

    /// The presentity URI (`entity` attribute of `<presence>`).
    public var entity: String
    public var tuples: [Tuple]
    public var persons: [Person]
    /// `<note>` directly under `<presence>`.
    public var notes: [Note]

    public init(entity: String, tuples: [Tuple] = [], persons: [Person] = [], notes: [Note] = []) {
        self.entity = entity
        self.tuples = tuples
        self.persons = persons
        self.notes = notes
    }
}

/// The namespaces of a presence document.
public enum PIDFNamespace {
    /// RFC 3863: `presence`, `tuple`, `status`, `basic`, `contact`, `note`, `timestamp`.
    public static let pidf = "urn:ietf:params:xml:ns:pidf"
    /// RFC 4479: `person`, `device`, `note`, `timestamp`, `deviceID`.
    public static let dataModel = "urn:ietf:params:xml:ns:pidf:data-model"
    /// RFC 4480: `activities` and the activity elements.
    public static let rpid = "urn:ietf:params:xml:ns:pidf:rpid"
    /// The `xml:` prefix (`xml:lang`).
    public static let xml = "http://www.w3.org/XML/1998/namespace"
}

// MARK: - Serialisation

extension PIDFDocument {
    /// The document as XML, UTF-8, in the layout PJSIP uses: PIDF is the default
    /// namespace (PJSIP looks for unprefixed `presence`, `tuple`, `status`, `basic`),
    /// the data model is `dm:` and RPID `rpid:`. Order follows the schemas:
    /// tuples, then notes, then persons; in a tuple status, contact, notes,
    /// timestamp; in a person activities, then notes.
    ///
    /// Text and attribute values are escaped; characters XML 1.0 cannot carry at all
    /// (C0 controls other than tab, line feed and carriage return, U+FFFE, U+FFFF)
    /// are replaced with U+FFFD.
    public var xml: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<presence xmlns=\"\(PIDFNamespace.pidf)\" xmlns:dm=\"\(PIDFNamespace.dataModel)\""
        out += " xmlns:rpid=\"\(PIDFNamespace.rpid)\" entity=\"\(XMLEscape.attribute(entity))\">\n"
        for tuple in tuples {
            out += " <tuple id=\"\(XMLEscape.attribute(tuple.id))\">\n"
            if let basic = tuple.basic {
                out += "  <status><basic>\(basic.rawValue)</basic></status>\n"
            } else {
                out += "  <status/>\n"
            }
            if let contact = tuple.contact {
                out += "  <contact>\(XMLEscape.text(contact))</contact>\n"
            }
            for note in tuple.notes {
                out += "  " + Self.element("note", note) + "\n"
            }
            if let timestamp = tuple.timestamp {
                out += "  <timestamp>\(XMLEscape.text(timestamp))</timestamp>\n"
            }
            out += " </tuple>\n"
        }
        for note in notes {
            out += " " + Self.element("note", note) + "\n"
        }
        for person in persons {
            out += " <dm:person id=\"\(XMLEscape.attribute(person.id))\">\n"
            if !person.activities.isEmpty {
                out += "  <rpid:activities>"
                for activity in person.activities {
                    out += "<rpid:\(Self.activityName(activity))/>"
                }
                out += "</rpid:activities>\n"
            }
            for note in person.notes {
                out += "  " + Self.element("dm:note", note) + "\n"
            }
            out += " </dm:person>\n"
        }
        out += "</presence>\n"
        return out
    }

    private static func element(_ name: String, _ note: Note) -> String {
        let lang = note.language.map { " xml:lang=\"\(XMLEscape.attribute($0))\"" } ?? ""
        return "<\(name)\(lang)>\(XMLEscape.text(note.text))</\(name)>"
    }

    /// An activity is written as an element name; anything that is not an XML
    /// name (it cannot have come from a parsed document) is written as "other".
    private static func activityName(_ activity: String) -> String {
        XMLEscape.isNCName(activity) ? activity : "other"
    }
}

/// Escaping for XML 1.0 text and attribute values.
enum XMLEscape {
    static func text(_ string: String) -> String {
        escape(string, attribute: false)
    }

    static func attribute(_ string: String) -> String {
        escape(string, attribute: true)
    }

    private static func escape(_ string: String, attribute: Bool) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(string.unicodeScalars.count)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            // A parser turns a literal CR (and CR LF) into LF, and in attribute values
            // tab and LF into spaces: character references keep them.
            case "\r": out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            case "\n" where attribute: out += "&#10;"
            case _ where !isXMLChar(scalar): out.unicodeScalars.append("\u{FFFD}")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// XML 1.0 `Char` (Swift strings hold no surrogates).
    static func isXMLChar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// An XML name without a colon, restricted to ASCII (which every XML 1.0 parser
    /// accepts): a letter or "_", then letters, digits, "-", "_", ".".
    static func isNCName(_ string: String) -> Bool {
        func isStart(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
        func isName(_ b: UInt8) -> Bool { isStart(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E }
        let bytes = Array(string.utf8)
        guard let first = bytes.first, isStart(first) else { return false }
        return bytes.dropFirst().allSatisfy(isName)
    }
}
