#if canImport(FoundationXML)
import FoundationXML
import Foundation
#else
import Foundation
#endif

extension PIDFDocument {
    /// Parses a PIDF body.
    ///
    /// Rejected, with a reason: more than `PIDFLimits.maximumBytes`; an empty body;
    /// anything that is not well-formed, namespace-well-formed XML; any markup
    /// declaration (`<!DOCTYPE`, `<!ENTITY`: no entity is ever expanded or fetched);
    /// nesting deeper than `PIDFLimits.maximumDepth` or more than
    /// `PIDFLimits.maximumElements` elements; a root other than `presence` in the
    /// PIDF namespace; a missing or blank `entity`.
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

/// Checks the raw bytes, then runs FoundationXML's `XMLParser` (libxml2's SAX
/// interface) with namespace processing on and external entities off.
enum PIDFReader {
    static func read(_ bytes: [UInt8]) throws(PIDFError) -> PIDFDocument {
        try precheck(bytes)

        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let handler = PIDFSAXHandler()
        parser.delegate = handler
        let succeeded = parser.parse()
        parser.delegate = nil

        if let failure = handler.failure { throw failure }
        // FoundationXML can return true with an error set (a truncated document,
        // trailing content, an unbound prefix): the error decides, not the result.
        if let error = parser.parserError {
            let code = (error as NSError).code
            throw .malformed(detail: PIDFSAXHandler.describe(code: code, rootClosed: handler.rootClosed),
                             code: code, line: parser.lineNumber, column: parser.columnNumber)
        }
        guard succeeded, handler.rootClosed, let document = handler.document else {
            // An empty or truncated document that the parser did not complain about.
            throw .malformed(detail: "premature end of the document", code: 0,
                             line: parser.lineNumber, column: parser.columnNumber)
        }
        return document
    }

    /// Size, emptiness, "looks like XML", and no markup declarations anywhere
    /// outside comments, CDATA sections and processing instructions.
    static func precheck(_ bytes: [UInt8]) throws(PIDFError) {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count, isSpace(bytes[start]) { start += 1 }
        guard start < bytes.count else { throw .empty }
        guard bytes[start] == UInt8(ascii: "<") else { throw .notXML }

        var i = start
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<"), i + 1 < bytes.count else {
                i += 1
                continue
            }
            switch bytes[i + 1] {
            case UInt8(ascii: "!"):
                if matches(bytes, at: i, "<!--") {
                    guard let end = find(bytes, "-->", from: i + 4) else { return }
                    i = end + 3
                } else if matches(bytes, at: i, "<![CDATA[") {
                    guard let end = find(bytes, "]]>", from: i + 9) else { return }
                    i = end + 3
                } else {
                    throw .declarationNotAllowed
                }
            case UInt8(ascii: "?"):
                guard let end = find(bytes, "?>", from: i + 2) else { return }
                i = end + 2
            default:
                i += 1
            }
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
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

/// The SAX callbacks: a stack of what each open element is, filling in the document.
final class PIDFSAXHandler: NSObject, XMLParserDelegate {
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

    private(set) var failure: PIDFError?
    private(set) var rootClosed = false
    private var stack: [Frame] = []
    private var elementCount = 0

    private var entity = ""
    private var tuples: [PIDFDocument.Tuple] = []
    private var persons: [PIDFDocument.Person] = []
    private var notes: [PIDFDocument.Note] = []
    private var tuple = PIDFDocument.Tuple(id: "", basic: nil)
    private var person = PIDFDocument.Person(id: "")
    private var text = ""
    private var language: String?
    private var sawBasic = false

    var document: PIDFDocument? {
        rootClosed ? PIDFDocument(entity: entity, tuples: tuples, persons: persons, notes: notes) : nil
    }

    private func fail(_ error: PIDFError, _ parser: XMLParser) {
        guard failure == nil else { return }
        failure = error
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        guard failure == nil else { return }
        elementCount += 1
        guard elementCount <= PIDFLimits.maximumElements else {
            return fail(.tooManyElements(limit: PIDFLimits.maximumElements), parser)
        }
        guard stack.count < PIDFLimits.maximumDepth else {
            return fail(.tooDeep(limit: PIDFLimits.maximumDepth), parser)
        }
        let namespace = namespaceURI.flatMap { $0.isEmpty ? nil : $0 }
        let pidf = namespace == PIDFNamespace.pidf
        let dm = namespace == PIDFNamespace.dataModel
        let rpid = namespace == PIDFNamespace.rpid

        let frame: Frame
        switch stack.last {
        case nil:
            guard elementName == "presence", pidf else {
                return fail(.wrongRoot(name: elementName, namespace: namespace), parser)
            }
            guard let value = attributeDict["entity"],
                  !value.trimmingWhitespace().isEmpty else {
                return fail(.missingEntity, parser)
            }
            entity = value
            frame = .root
        case .root?:
            switch elementName {
            case "tuple" where pidf:
                tuple = PIDFDocument.Tuple(id: attributeDict["id"] ?? "", basic: nil)
                sawBasic = false
                frame = .tuple
            case "note" where pidf: frame = .presenceNote
            case "person" where dm:
                person = PIDFDocument.Person(id: attributeDict["id"] ?? "")
                frame = .person
            default: frame = .ignored
            }
        case .tuple?:
            switch elementName {
            case "status" where pidf: frame = .status
            case "contact" where pidf: frame = .contact
            case "note" where pidf: frame = .tupleNote
            case "timestamp" where pidf: frame = .timestamp
            default: frame = .ignored
            }
        case .status?:
            frame = elementName == "basic" && pidf ? .basic : .ignored
        case .person?:
            switch elementName {
            case "activities" where rpid: frame = .activities
            case "note" where dm || pidf: frame = .personNote
            default: frame = .ignored
            }
        case .activities?:
            if rpid && elementName == "note" {
                frame = .personNote
            } else if rpid {
                person.activities.append(elementName)
                frame = .activity
            } else {
                frame = .ignored
            }
        default:
            frame = .ignored
        }
        if frame.collectsText {
            text = ""
            language = attributeDict["xml:lang"]
        }
        stack.append(frame)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        guard failure == nil, let frame = stack.popLast() else { return }
        let value = text.trimmingWhitespace()
        switch frame {
        case .root: rootClosed = true
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
        case .status, .activities, .activity, .ignored: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if failure == nil, stack.last?.collectsText == true { text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if failure == nil, stack.last?.collectsText == true { text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        let code = (parseError as NSError).code
        fail(.malformed(detail: Self.describe(code: code, rootClosed: rootClosed), code: code,
                        line: parser.lineNumber, column: parser.columnNumber), parser)
    }

    /// A readable name for the parser's error code. With FoundationXML on Linux the
    /// code is libxml2's `xmlParserErrors` value, passed through unchanged (the
    /// names of `XMLParser.ErrorCode` do not match it).
    static func describe(code: Int, rootClosed: Bool) -> String {
        #if canImport(FoundationXML)
        switch code {
        case 4: return "no root element (start tag expected)"
        case 5: return rootClosed ? "content after the root element" : "premature end of the document"
        case 6, 7, 8: return "invalid character reference"
        case 9: return "character not allowed in XML"
        case 10...17: return "misplaced character or entity reference"
        case 22, 23: return "malformed entity reference"
        case 26, 27: return "undeclared entity"
        case 31, 32: return "unsupported encoding"
        case 38: return "\"<\" in an attribute value"
        case 39, 40, 41, 44: return "malformed attribute value"
        case 42: return "attribute given twice"
        case 45: return "comment not terminated"
        case 46, 47: return "malformed processing instruction"
        case 57: return "malformed XML declaration"
        case 62: return "\"]]>\" outside a CDATA section"
        case 63: return "CDATA section not terminated"
        case 64: return "reserved name (xml…)"
        case 65: return "space required"
        case 68: return "name expected"
        case 73: return "\">\" expected"
        case 74: return "\"</\" expected"
        case 75: return "\"=\" expected"
        case 76: return "end tag does not match the start tag"
        case 77: return "tag not finished"
        case 81: return "input is not valid in the declared encoding"
        case 85: return "elements not balanced"
        case 86: return "content after the root element"
        case 111: return "parsing aborted"
        case 200: return "misuse of the xml namespace"
        case 201: return "namespace prefix not declared"
        case 202: return "malformed qualified name"
        case 203: return "attribute given twice (same namespace)"
        case 204: return "empty namespace name"
        default: return "not well-formed"
        }
        #else
        return "not well-formed"
        #endif
    }
}
