/// A small, strict, namespace-aware XML 1.0 reader: what a PIDF body needs, no more.
///
/// It checks well-formedness (and namespace well-formedness) of a document held in
/// memory and reports elements and text to a handler, SAX-style. There is no DTD
/// support at all: a `<!DOCTYPE` is refused, so no entity other than the five
/// predefined ones and character references exists, and nothing is ever fetched.
/// The input must be UTF-8. Nesting and element count are bounded.
///
/// Why not FoundationXML: its `XMLParser` on Linux (swift-corelibs-foundation,
/// Swift 6.3) kills the process on some malformed input — a processing instruction
/// without data (`<?x?>`, a null pointer given to `strlen`) and invalid UTF-8 in an
/// element or attribute name (a forced unwrap) — and a presence body comes from the
/// network.
struct XMLReader {
    struct Attribute {
        var namespace: String?
        var localName: String
        var value: String
    }

    struct Element {
        var namespace: String?
        var localName: String
        var attributes: [Attribute]

        /// The value of the attribute `localName` in `namespace` (nil: no namespace, as unprefixed attributes are).
        func attribute(_ localName: String, namespace: String? = nil) -> String? {
            attributes.first { $0.localName == localName && $0.namespace == namespace }?.value
        }
    }

    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
    static let xmlnsNamespace = "http://www.w3.org/2000/xmlns/"

    private let bytes: [UInt8]
    private var index: Int
    private let maximumDepth: Int
    private let maximumElements: Int

    /// Open elements: their qualified names, and the prefixes each declared.
    private var open: [(name: [UInt8], declared: [String])] = []
    /// In-scope namespace bindings: for each prefix its URIs, innermost last; prefix ""
    /// is the default namespace (a nil URI: no namespace).
    private var bindings: [String: [String?]] = [:]
    private var elementCount = 0
    private var text: [UInt8] = []

    /// Reads `bytes` from `start` (after any byte order mark and white space).
    init(_ bytes: [UInt8], start: Int, maximumDepth: Int, maximumElements: Int) {
        self.bytes = bytes
        self.index = start
        self.maximumDepth = maximumDepth
        self.maximumElements = maximumElements
    }

    /// The events of a document.
    enum Event {
        case start(Element)
        case end
        /// Character data (references resolved, CDATA included, line ends normalised),
        /// delivered before the next tag; possibly only white space.
        case text(String)
    }

    /// Reads the whole document, calling `handle` for each event; throws at the first problem.
    mutating func read(_ handle: (Event) -> Void) throws(PIDFError) {
        try validateCharacters()
        try prolog()
        guard index < bytes.count else { throw malformed("no root element", at: index) }
        try element(handle)
        try epilog()
    }

    // MARK: - Characters

    /// The whole input must be UTF-8 and every character an XML `Char`.
    private func validateCharacters() throws(PIDFError) {
        var i = index
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D {
                    throw malformed("character not allowed in XML (U+\(hex(UInt32(b))))", at: i)
                }
                i += 1
                continue
            }
            guard let (scalar, length) = Self.decodeUTF8(bytes, at: i) else {
                throw malformed("not valid UTF-8", at: i)
            }
            if (0xFFFE...0xFFFF).contains(scalar) {
                throw malformed("character not allowed in XML (U+\(hex(scalar)))", at: i)
            }
            i += length
        }
    }

    /// Decodes one multi-byte UTF-8 sequence strictly (no overlongs, no surrogates, at most U+10FFFF).
    static func decodeUTF8(_ bytes: [UInt8], at i: Int) -> (UInt32, Int)? {
        let b0 = bytes[i]
        func continuation(_ k: Int) -> UInt32? {
            guard i + k < bytes.count, bytes[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(bytes[i + k] & 0x3F)
        }
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = continuation(1) else { return nil }
            return (UInt32(b0 & 0x1F) << 6 | c1, 2)
        case 0xE0...0xEF:
            guard let c1 = continuation(1), let c2 = continuation(2) else { return nil }
            let scalar = UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2
            guard scalar >= 0x800, !(0xD800...0xDFFF).contains(scalar) else { return nil }
            return (scalar, 3)
        case 0xF0...0xF4:
            guard let c1 = continuation(1), let c2 = continuation(2), let c3 = continuation(3) else { return nil }
            let scalar = UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            guard (0x10000...0x10FFFF).contains(scalar) else { return nil }
            return (scalar, 4)
        default:
            return nil
        }
    }

    /// The scalar at `i` and its length (the input is valid UTF-8 by now).
    private func scalar(at i: Int) -> (UInt32, Int) {
        let b = bytes[i]
        if b < 0x80 { return (UInt32(b), 1) }
        return Self.decodeUTF8(bytes, at: i) ?? (0xFFFD, 1)
    }

    // MARK: - Prolog and epilog

    private mutating func prolog() throws(PIDFError) {
        if starts(with: "<?xml"), let next = byte(at: index + 5), isSpace(next) || next == UInt8(ascii: "?") {
            try xmlDeclaration()
        }
        try miscellany()
    }

    private mutating func epilog() throws(PIDFError) {
        try miscellany()
        if index < bytes.count {
            throw malformed("content after the root element", at: index)
        }
    }

    /// Comments, processing instructions and white space, up to the next element or the end.
    private mutating func miscellany() throws(PIDFError) {
        while index < bytes.count {
            if isSpace(bytes[index]) {
                index += 1
            } else if starts(with: "<!--") {
                try comment()
            } else if starts(with: "<?") {
                try processingInstruction()
            } else if starts(with: "<!") {
                throw .declarationNotAllowed
            } else if bytes[index] == UInt8(ascii: "<") {
                return  // the root element (in the epilog: content after it)
            } else {
                throw malformed(elementCount == 0 ? "text before the root element" : "content after the root element",
                                at: index)
            }
        }
    }

    /// `<?xml version="1.x" encoding="UTF-8" standalone="yes|no"?>`: only UTF-8 (or ASCII) is accepted.
    private mutating func xmlDeclaration() throws(PIDFError) {
        let start = index
        index += 5
        var pseudo: [(String, String)] = []
        while true {
            let hadSpace = skipSpace()
            if starts(with: "?>") {
                index += 2
                break
            }
            guard hadSpace, let name = try? asciiName() else { throw malformed("malformed XML declaration", at: index) }
            skipSpace()
            guard byte(at: index) == UInt8(ascii: "=") else { throw malformed("\"=\" expected", at: index) }
            index += 1
            skipSpace()
            guard let quote = byte(at: index), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw malformed("malformed XML declaration", at: index)
            }
            let valueStart = index + 1
            guard let end = find(quote, from: valueStart) else { throw malformed("malformed XML declaration", at: index) }
            pseudo.append((name, String(decoding: bytes[valueStart..<end], as: UTF8.self)))
            index = end + 1
        }
        let names = pseudo.map(\.0)
        guard names == ["version"] || names == ["version", "encoding"] || names == ["version", "standalone"]
            || names == ["version", "encoding", "standalone"] else {
            throw malformed("malformed XML declaration", at: start)
        }
        for (name, value) in pseudo {
            switch name {
            case "version":
                guard value.hasPrefix("1."), value.count > 2, value.dropFirst(2).allSatisfy(\.isASCIIDigit) else {
                    throw malformed("unsupported XML version \"\(value)\"", at: start)
                }
            case "encoding":
                guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(value.lowercased()) else {
                    throw malformed("unsupported encoding \"\(value)\" (a PIDF body is UTF-8)", at: start)
                }
            default:
                guard value == "yes" || value == "no" else { throw malformed("malformed XML declaration", at: start) }
            }
        }
    }

    private mutating func comment() throws(PIDFError) {
        let start = index
        index += 4
        guard let dashes = find("--", from: index) else { throw malformed("comment not terminated", at: start) }
        guard byte(at: dashes + 2) == UInt8(ascii: ">") else { throw malformed("\"--\" inside a comment", at: dashes) }
        index = dashes + 3
    }

    private mutating func processingInstruction() throws(PIDFError) {
        let start = index
        index += 2
        let target = try name()
        if target.lowercased() == "xml" { throw malformed("XML declaration not at the start (reserved name)", at: start) }
        if target.contains(":") { throw malformed("processing instruction target with a colon", at: start) }
        if starts(with: "?>") {
            index += 2
            return
        }
        guard let b = byte(at: index), isSpace(b) else { throw malformed("malformed processing instruction", at: index) }
        guard let end = find("?>", from: index) else { throw malformed("processing instruction not terminated", at: start) }
        index = end + 2
    }

    // MARK: - Elements

    private mutating func element(_ handle: (Event) -> Void) throws(PIDFError) {
        try startTag(handle)
        while !open.isEmpty {
            guard index < bytes.count else { throw malformed("premature end of the document", at: index) }
            if bytes[index] == UInt8(ascii: "<") {
                if starts(with: "</") {
                    flushText(handle)
                    try endTag(handle)
                } else if starts(with: "<!--") {
                    try comment()
                } else if starts(with: "<![CDATA[") {
                    try cdata()
                } else if starts(with: "<?") {
                    try processingInstruction()
                } else if starts(with: "<!") {
                    throw .declarationNotAllowed
                } else {
                    flushText(handle)
                    try startTag(handle)
                }
            } else if bytes[index] == UInt8(ascii: "&") {
                text += try reference()
            } else {
                try characterData()
            }
        }
    }

    private mutating func startTag(_ handle: (Event) -> Void) throws(PIDFError) {
        let tagStart = index
        index += 1
        let qname = try nameBytes()
        var raw: [(name: [UInt8], value: String, at: Int)] = []
        var seen: Set<[UInt8]> = []
        var selfClosing = false
        while true {
            let hadSpace = skipSpace()
            guard let b = byte(at: index) else { throw malformed("premature end of the document", at: index) }
            if b == UInt8(ascii: ">") {
                index += 1
                break
            }
            if b == UInt8(ascii: "/") {
                guard byte(at: index + 1) == UInt8(ascii: ">") else { throw malformed("\">\" expected", at: index + 1) }
                index += 2
                selfClosing = true
                break
            }
            guard hadSpace else { throw malformed("space required between attributes", at: index) }
            let attributeStart = index
            let attributeName = try nameBytes()
            skipSpace()
            guard byte(at: index) == UInt8(ascii: "=") else { throw malformed("\"=\" expected", at: index) }
            index += 1
            skipSpace()
            let value = try attributeValue()
            guard seen.insert(attributeName).inserted else {
                throw malformed("attribute given twice", at: attributeStart)
            }
            raw.append((attributeName, value, attributeStart))
        }

        elementCount += 1
        guard elementCount <= maximumElements else { throw .tooManyElements(limit: maximumElements) }
        guard open.count < maximumDepth else { throw .tooDeep(limit: maximumDepth) }

        // Namespace declarations first: they apply to the element's own name and attributes.
        var declaredPrefixes: [String] = []
        for attribute in raw {
            let (prefix, local) = try split(attribute.name, at: attribute.at)
            let declared: String?
            if prefix == nil && local == "xmlns" {
                declared = ""
            } else if prefix == "xmlns" {
                declared = local
            } else {
                declared = nil
            }
            guard let declared else { continue }
            let uri = attribute.value
            if declared == "xmlns" { throw malformed("the xmlns prefix cannot be declared", at: attribute.at) }
            if declared == "xml" ? uri != Self.xmlNamespace : (uri == Self.xmlNamespace || uri == Self.xmlnsNamespace) {
                throw malformed("misuse of the xml namespace", at: attribute.at)
            }
            if !declared.isEmpty && uri.isEmpty { throw malformed("empty namespace name for prefix \(declared)", at: attribute.at) }
            bindings[declared, default: []].append(uri.isEmpty ? nil : uri)
            declaredPrefixes.append(declared)
        }
        open.append((qname, declaredPrefixes))

        let (prefix, local) = try split(qname, at: tagStart + 1)
        let namespace = try resolve(prefix ?? "", at: tagStart)
        var attributes: [Attribute] = []
        var expandedNames: Set<String> = []
        for attribute in raw {
            let (attributePrefix, attributeLocal) = try split(attribute.name, at: attribute.at)
            if attributePrefix == "xmlns" || (attributePrefix == nil && attributeLocal == "xmlns") { continue }
            var attributeNamespace: String? = nil
            if let attributePrefix { attributeNamespace = try resolve(attributePrefix, at: attribute.at) }
            if let attributeNamespace, !expandedNames.insert(attributeNamespace + " " + attributeLocal).inserted {
                throw malformed("attribute given twice (same namespace)", at: attribute.at)
            }
            attributes.append(Attribute(namespace: attributeNamespace, localName: attributeLocal, value: attribute.value))
        }
        handle(.start(Element(namespace: namespace, localName: local, attributes: attributes)))
        if selfClosing {
            closeElement(handle)
        }
    }

    private mutating func endTag(_ handle: (Event) -> Void) throws(PIDFError) {
        let start = index
        index += 2
        let qname = try nameBytes()
        skipSpace()
        guard byte(at: index) == UInt8(ascii: ">") else {
            throw malformed(index >= bytes.count ? "premature end of the document" : "\">\" expected", at: index)
        }
        guard let top = open.last, top.name == qname else {
            throw malformed("end tag does not match the start tag", at: start)
        }
        index += 1
        closeElement(handle)
    }

    private mutating func closeElement(_ handle: (Event) -> Void) {
        let closed = open.removeLast()
        for prefix in closed.declared {
            bindings[prefix]?.removeLast()
        }
        handle(.end)
    }

    /// Splits a qualified name into prefix and local part; both must be non-empty names without a colon.
    private func split(_ qname: [UInt8], at position: Int) throws(PIDFError) -> (String?, String) {
        let colon = UInt8(ascii: ":")
        guard let i = qname.firstIndex(of: colon) else { return (nil, String(decoding: qname, as: UTF8.self)) }
        let prefix = qname[..<i]
        let local = qname[(i + 1)...]
        guard !prefix.isEmpty, !local.isEmpty, !local.contains(colon), let first = local.first,
              Self.isNameStart(first < 0x80 ? UInt32(first) : Self.decodeUTF8(Array(local), at: 0)?.0 ?? 0) else {
            throw malformed("malformed qualified name", at: position)
        }
        return (String(decoding: prefix, as: UTF8.self), String(decoding: local, as: UTF8.self))
    }

    private func resolve(_ prefix: String, at position: Int) throws(PIDFError) -> String? {
        if prefix == "xml" { return Self.xmlNamespace }
        if let uris = bindings[prefix], let innermost = uris.last { return innermost }
        if prefix.isEmpty { return nil }
        throw malformed("namespace prefix \(prefix) not declared", at: position)
    }

    // MARK: - Content

    private mutating func characterData() throws(PIDFError) {
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "<") || b == UInt8(ascii: "&") { return }
            if b == UInt8(ascii: "]"), starts(with: "]]>") { throw malformed("\"]]>\" outside a CDATA section", at: index) }
            appendNormalisingLineEnd(b)
            index += 1
        }
    }

    private mutating func cdata() throws(PIDFError) {
        let start = index
        index += 9
        guard let end = find("]]>", from: index) else { throw malformed("CDATA section not terminated", at: start) }
        while index < end {
            appendNormalisingLineEnd(bytes[index])
            index += 1
        }
        index = end + 3
    }

    /// CR LF and a lone CR become LF.
    private mutating func appendNormalisingLineEnd(_ b: UInt8) {
        if b == 0x0D {
            if byte(at: index + 1) != 0x0A { text.append(0x0A) }
        } else {
            text.append(b)
        }
    }

    private mutating func flushText(_ handle: (Event) -> Void) {
        guard !text.isEmpty else { return }
        handle(.text(String(decoding: text, as: UTF8.self)))
        text.removeAll(keepingCapacity: true)
    }

    /// `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` and character references; nothing else is declared.
    private mutating func reference() throws(PIDFError) -> [UInt8] {
        let start = index
        index += 1
        if byte(at: index) == UInt8(ascii: "#") {
            index += 1
            var radix: UInt32 = 10
            if byte(at: index) == UInt8(ascii: "x") {
                radix = 16
                index += 1
            }
            var value: UInt32 = 0
            var digits = 0
            while let b = byte(at: index), let digit = Self.digit(b, radix: radix) {
                value = min(value * radix + digit, 0x110000)
                digits += 1
                index += 1
            }
            guard digits > 0, byte(at: index) == UInt8(ascii: ";") else {
                throw malformed("malformed character reference", at: start)
            }
            index += 1
            guard Self.isXMLChar(value), let scalar = Unicode.Scalar(value) else {
                throw malformed("character reference to a character not allowed in XML", at: start)
            }
            return Array(String(Character(scalar)).utf8)
        }
        let name = try nameBytes()
        guard byte(at: index) == UInt8(ascii: ";") else { throw malformed("malformed entity reference", at: start) }
        index += 1
        switch String(decoding: name, as: UTF8.self) {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "apos": return [UInt8(ascii: "'")]
        case "quot": return [UInt8(ascii: "\"")]
        case let other: throw malformed("undeclared entity &\(other);", at: start)
        }
    }

    /// A quoted attribute value, references resolved, white space characters turned into spaces.
    private mutating func attributeValue() throws(PIDFError) -> String {
        guard let quote = byte(at: index), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw malformed("attribute value must be quoted", at: index)
        }
        let start = index
        index += 1
        var value: [UInt8] = []
        while true {
            guard let b = byte(at: index) else { throw malformed("attribute value not terminated", at: start) }
            switch b {
            case quote:
                index += 1
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "<"):
                throw malformed("\"<\" in an attribute value", at: index)
            case UInt8(ascii: "&"):
                value += try reference()
            case 0x0D:
                if byte(at: index + 1) != 0x0A { value.append(0x20) }
                index += 1
            case 0x09, 0x0A:
                value.append(0x20)
                index += 1
            default:
                value.append(b)
                index += 1
            }
        }
    }

    // MARK: - Names

    /// An XML `Name` (colons allowed; split later), as its bytes.
    private mutating func nameBytes() throws(PIDFError) -> [UInt8] {
        let start = index
        guard index < bytes.count else { throw malformed("premature end of the document", at: index) }
        let (first, firstLength) = scalar(at: index)
        guard Self.isNameStart(first) else { throw malformed("name expected", at: index) }
        index += firstLength
        while index < bytes.count {
            let (next, length) = scalar(at: index)
            guard Self.isNameChar(next) else { break }
            index += length
        }
        return Array(bytes[start..<index])
    }

    private mutating func name() throws(PIDFError) -> String {
        String(decoding: try nameBytes(), as: UTF8.self)
    }

    private mutating func asciiName() throws(PIDFError) -> String {
        let start = index
        while let b = byte(at: index), (b >= 0x61 && b <= 0x7A) { index += 1 }
        guard index > start else { throw malformed("name expected", at: index) }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// XML 1.0 (fifth edition) `NameStartChar`.
    static func isNameStart(_ c: UInt32) -> Bool {
        switch c {
        case 0x3A, 0x41...0x5A, 0x5F, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D,
             0x37F...0x1FFF, 0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF,
             0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            true
        default:
            false
        }
    }

    /// XML 1.0 (fifth edition) `NameChar`.
    static func isNameChar(_ c: UInt32) -> Bool {
        switch c {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true
        default: isNameStart(c)
        }
    }

    /// XML 1.0 `Char`.
    static func isXMLChar(_ c: UInt32) -> Bool {
        switch c {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func digit(_ b: UInt8, radix: UInt32) -> UInt32? {
        switch b {
        case 0x30...0x39: UInt32(b - 0x30)
        case 0x61...0x66 where radix == 16: UInt32(b - 0x61 + 10)
        case 0x41...0x46 where radix == 16: UInt32(b - 0x41 + 10)
        default: nil
        }
    }

    // MARK: - Scanning

    private func byte(at i: Int) -> UInt8? {
        i >= 0 && i < bytes.count ? bytes[i] : nil
    }

    private func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = index
        while let b = byte(at: index), isSpace(b) { index += 1 }
        return index > start
    }

    private func starts(with pattern: StaticString) -> Bool {
        pattern.withUTF8Buffer { p in
            index + p.count <= bytes.count && (0..<p.count).allSatisfy { bytes[index + $0] == p[$0] }
        }
    }

    private func find(_ pattern: StaticString, from start: Int) -> Int? {
        pattern.withUTF8Buffer { p -> Int? in
            guard p.count <= bytes.count else { return nil }
            var i = start
            while i + p.count <= bytes.count {
                if (0..<p.count).allSatisfy({ bytes[i + $0] == p[$0] }) { return i }
                i += 1
            }
            return nil
        }
    }

    private func find(_ byte: UInt8, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return bytes[start...].firstIndex(of: byte)
    }

    // MARK: - Errors

    /// A malformed-XML error at byte offset `offset`, with its 1-based line and column (in characters).
    private func malformed(_ detail: String, at offset: Int) -> PIDFError {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var column = 1
        var i = 0
        while i < end {
            let b = bytes[i]
            if b == 0x0A || (b == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 && b != 0x0D {
                column += 1
            }
            i += 1
        }
        return .malformed(detail: detail, line: line, column: column)
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
