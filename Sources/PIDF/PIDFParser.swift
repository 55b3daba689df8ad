extension PIDFDocument {
    /// Parses a PIDF body.
    ///
    /// Rejected, with a reason: more than `PIDFLimits.maximumBytes`; an empty body;
    /// a body that is not UTF-8, or not well-formed, namespace-well-formed XML; any
    /// markup declaration (`<!DOCTYPE`, `<!ENTITY`: no entity is ever expanded or
    /// fetched); nesting deeper than `PIDFLimits.maximumDepth` or more than
    /// `PIDFLimits.maximumElements` elements; a root other than `presence` in the
    /// PIDF namespace; a missing or blank `entity`. A broken document is reported as
    /// malformed even when its root is wrong.
    ///
    /// Accepted although not quite well-formed: a byte order mark, and white space
    /// before the XML declaration.
    ///
    /// Ignored: elements in other namespaces and unknown elements in known ones
    /// (with everything inside them), text where no text is expected, comments and
    /// processing instructions. Texts are trimmed of white space. Where the schema
    /// allows one element (`basic`, `contact`, `timestamp`) and there are more, the first counts.
    public init(parsing bytes: some Collection<UInt8>) throws(PIDFError) {
        let count = bytes.count
        guard count <= PIDFLimits.maximumBytes else {
            throw .tooLarge(bytes: count, limit: PIDFLimits.maximumBytes)
        }
        self = try PIDFReader.read(Array(bytes))
    }

    /// Parses a PIDF body held as a string (its UTF-8 bytes).
    public init(parsing xml: String) throws(PIDFError) {
        try self.init(parsing: xml.utf8)
    }
}

enum PIDFReader {
    static func read(_ bytes: [UInt8]) throws(PIDFError) -> PIDFDocument {
        let start = try precheck(bytes)
        var reader = XMLReader(bytes, start: start, maximumDepth: PIDFLimits.maximumDepth,
                               maximumElements: PIDFLimits.maximumElements)
        var builder = PIDFBuilder()
        try reader.read { builder.handle($0) }
        // Well-formed: now what the elements say counts.
        if let rejection = builder.rejection { throw rejection }
        return builder.document
    }

    /// Emptiness, "looks like XML", and no markup declaration anywhere outside
    /// comments, CDATA sections and processing instructions (before reading, so that
    /// a document with one is refused as such even if it is broken elsewhere).
    /// Returns where the markup starts (after a byte order mark and white space).
    static func precheck(_ bytes: [UInt8]) throws(PIDFError) -> Int {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        guard start < bytes.count else { throw .empty }
        guard bytes[start] == UInt8(ascii: "<") else { throw .notXML }

        var i = start
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            switch bytes[i + 1] {
            case UInt8(ascii: "!"):
                if matches(bytes, at: i, "<!--") {
                    guard let end = find(bytes, "-->", from: i + 4) else { return start }
                    i = end + 3
                } else if matches(bytes, at: i, "<![CDATA[") {
                    guard let end = find(bytes, "]]>", from: i + 9) else { return start }
                    i = end + 3
                } else {
                    throw .declarationNotAllowed
                }
            case UInt8(ascii: "?"):
                guard let end = find(bytes, "?>", from: i + 2) else { return start }
                i = end + 2
            default:
                i += 1
            }
        }
        return start
    }

    private static func matches(_ bytes: [UInt8], at index: Int, _ pattern: StaticString) -> Bool {
        pattern.withUTF8Buffer { p in
            index + p.count <= bytes.count && (0..<p.count).allSatisfy { bytes[index + $0] == p[$0] }
        }
    }

    private static func find(_ bytes: [UInt8], _ pattern: StaticString, from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            if matches(bytes, at: i, pattern) { return i }
            i += 1
        }
        return nil
    }
}

/// Builds the document from the reader's events: a stack of what each open element is.
struct PIDFBuilder {
    private enum Frame {
        case root, tuple, status, basic, contact, tupleNote, timestamp, presenceNote
        case person, activities, activity, personNote
        case ignored

        var collectsText: Bool {
            switch self {
            case .basic, .contact, .tupleNote, .timestamp, .presenceNote, .personNote: true
            default: false
            }
        }
    }

    /// Not a PIDF document (wrong root, no entity); reported once the document is known to be well-formed.
    private(set) var rejection: PIDFError?
    private var stack: [Frame] = []

    private var entity = ""
    private var tuples: [PIDFDocument.Tuple] = []
    private var persons: [PIDFDocument.Person] = []
    private var notes: [PIDFDocument.Note] = []
    private var tuple = PIDFDocument.Tuple(id: "", basic: nil)
    private var person = PIDFDocument.Person(id: "")
    private var text = ""
    private var language: String?
    private var sawBasic = false

    var document: PIDFDocument {
        PIDFDocument(entity: entity, tuples: tuples, persons: persons, notes: notes)
    }

    mutating func handle(_ event: XMLReader.Event) {
        switch event {
        case .start(let element): start(element)
        case .end: end()
        case .text(let string): if stack.last?.collectsText == true { text += string }
        }
    }

    private mutating func start(_ element: XMLReader.Element) {
        let name = element.localName
        let pidf = element.namespace == PIDFNamespace.pidf
        let dm = element.namespace == PIDFNamespace.dataModel
        let rpid = element.namespace == PIDFNamespace.rpid

        let frame: Frame
        switch stack.last {
        case nil:
            if !(name == "presence" && pidf) {
                rejection = .wrongRoot(name: name, namespace: element.namespace)
            } else if let value = element.attribute("entity"), !value.trimmingWhitespace().isEmpty {
                entity = value
            } else {
                rejection = .missingEntity
            }
            frame = .root
        case .root?:
            switch name {
            case "tuple" where pidf:
                tuple = PIDFDocument.Tuple(id: element.attribute("id") ?? "", basic: nil)
                sawBasic = false
                frame = .tuple
            case "note" where pidf: frame = .presenceNote
            case "person" where dm:
                person = PIDFDocument.Person(id: element.attribute("id") ?? "")
                frame = .person
            default: frame = .ignored
            }
        case .tuple?:
            switch name {
            case "status" where pidf: frame = .status
            case "contact" where pidf: frame = .contact
            case "note" where pidf: frame = .tupleNote
            case "timestamp" where pidf: frame = .timestamp
            default: frame = .ignored
            }
        case .status?:
            frame = name == "basic" && pidf ? .basic : .ignored
        case .person?:
            switch name {
            case "activities" where rpid: frame = .activities
            case "note" where dm || pidf: frame = .personNote
            default: frame = .ignored
            }
        case .activities?:
            if rpid && name == "note" {
                frame = .personNote
            } else if rpid {
                person.activities.append(name)
                frame = .activity
            } else {
                frame = .ignored
            }
        default:
            frame = .ignored
        }
        if frame.collectsText {
            text = ""
            language = element.attribute("lang", namespace: XMLReader.xmlNamespace)
        }
        stack.append(frame)
    }

    private mutating func end() {
        guard let frame = stack.popLast() else { return }
        let value = frame.collectsText ? text.trimmingWhitespace() : ""
        switch frame {
        case .tuple: tuples.append(tuple)
        case .basic:
            if !sawBasic {
                sawBasic = true
                tuple.basic = PIDFDocument.Basic(rawValue: value.lowercased())
            }
        case .contact: if tuple.contact == nil { tuple.contact = value }
        case .tupleNote: tuple.notes.append(PIDFDocument.Note(value, language: language))
        case .timestamp: if tuple.timestamp == nil { tuple.timestamp = value }
        case .presenceNote: notes.append(PIDFDocument.Note(value, language: language))
        case .person: persons.append(person)
        case .personNote: person.notes.append(PIDFDocument.Note(value, language: language))
        case .root, .status, .activities, .activity, .ignored: break
        }
    }
}

extension String {
    /// Without leading and trailing white space (Unicode `White_Space`), no Foundation needed.
    package func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
