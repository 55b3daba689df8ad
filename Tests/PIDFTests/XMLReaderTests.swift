import PIDF
import Testing

/// The XML reader's well-formedness rules, through `PIDFDocument(parsing:)`. Every
/// verdict here was checked against expat (in namespace mode), except where noted.
@Suite("PIDF documents: XML well-formedness")
struct XMLReaderTests {
    static let root = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
    static let end = "</presence>"

    static func wrapped(_ content: String) -> String { root + content + end }

    @Test("well-formed", arguments: [
        // Processing instructions without data: FoundationXML on Linux crashes on these.
        "<?x?>" + root + "<?y?>" + end + "<?z?>",
        wrapped("<tuple id='t1'><status><basic>open</basic></status></tuple>"),
        wrapped("<note>&#x1F7E2;&#128222;</note>"),
        wrapped("<x xmlns=\"urn:x\"><y xmlns=\"\"><z/></y></x>"),
        wrapped("<!-- a - b -->"),
        wrapped("<note>a\r\nb\rc</note>"),
        wrapped("<note>x</note  >"),
        wrapped("<note><![CDATA[]]></note>"),
        wrapped("<x:données xmlns:x=\"urn:x\" x:é=\"1\"/>"),
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>" + root + end,
        "<?xml version=\"1.1\"?>" + root + end,
        wrapped("<a xmlns:p=\"urn:p\"><p:b p:c=\"1\" c=\"2\"/></a>"),
        wrapped("<a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\" p:x=\"1\" q:x=\"2\"/>"),
        wrapped("<a xml:lang=\"en\" xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>"),
        wrapped("<a>]]&gt; ] ]> </a>"),
        wrapped("<a b = \"1\" />"),
    ])
    func wellFormed(xml: String) throws {
        _ = try PIDFDocument(parsing: xml)
    }

    @Test("not well-formed", arguments: [
        wrapped("<!-- a -- b -->"),
        wrapped("<!-- a --->"),
        wrapped("<a:b:c xmlns:a=\"urn:a\"/>"),
        wrapped("<:a/>"),
        wrapped("<a: xmlns:a=\"urn:a\"/>"),
        wrapped("<a xmlns:p=\"\"/>"),
        wrapped("<a xmlns:xmlns=\"urn:x\"/>"),
        wrapped("<a xmlns:xml=\"urn:other\"/>"),
        wrapped("<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>"),
        wrapped("<a xmlns:p=\"urn:p\" xmlns:q=\"urn:p\" p:x=\"1\" q:x=\"2\"/>"),
        "<!-- c --><?xml version=\"1.0\"?>" + root + end,
        wrapped("<?XmL x?>"),
        wrapped("<n>&#x0;</n>"), wrapped("<n>&#xFFFE;</n>"), wrapped("<n>&#55296;</n>"), wrapped("<n>&#x110000;</n>"),
        wrapped("<n>&#;</n>"), wrapped("<n>&#x;</n>"), wrapped("<n>&#12a;</n>"), wrapped("<n>&#X41;</n>"),
        wrapped("<n>&#99999999999999999999;</n>"),
        wrapped("<a b=\"1\"c=\"2\"/>"),
        wrapped("<a b/>"),
        wrapped("<a>]]></a>"),
        wrapped("<n>\u{FFFE}</n>"),
        wrapped("<n>\u{1}</n>"),
        wrapped("<1a/>"), wrapped("<-a/>"), wrapped("< a/>"),
        wrapped("<a x='1\"/>"),
        wrapped("<a></A>"),
        wrapped("<a>&amp</a>"),
        wrapped("<a b=\"&lt\"/>"),
        "<?xml version=\"1.0\" ?><?xml version=\"1.0\"?>" + root + end,
        "<?xml encoding=\"UTF-8\"?>" + root + end,
        "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?>" + root + end,
        root + end + "<a/>",
        root + end + "x",
        root + "<a/>",
        // Deliberately stricter than expat: only UTF-8, only XML 1.x.
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + root + end,
        "<?xml version=\"2.0\"?>" + root + end,
    ])
    func notWellFormed(xml: String) {
        #expect {
            try PIDFDocument(parsing: xml)
        } throws: { error in
            guard case .malformed? = error as? PIDFError else { return false }
            return true
        }
    }

    @Test("invalid UTF-8: overlong, surrogate, beyond U+10FFFF, truncated, stray bytes; also in names",
          arguments: [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0x80]] as [[UInt8]])
    func invalidUTF8(sequence: [UInt8]) {
        let inText = Array((Self.root + "<n>").utf8) + sequence + Array(("</n>" + Self.end).utf8)
        // In a name: FoundationXML on Linux traps on this.
        let inName = Array((Self.root + "<n").utf8) + sequence + Array(("/>" + Self.end).utf8)
        let inAttributeName = Array((Self.root + "<n a").utf8) + sequence + Array(("=\"1\"/>" + Self.end).utf8)
        for bytes in [inText, inName, inAttributeName] {
            let error = #expect(throws: PIDFError.self) { try PIDFDocument(parsing: bytes) }
            guard case .malformed(let detail, let line, let column)? = error else {
                Issue.record("\(String(describing: error))")
                continue
            }
            #expect(detail == "not valid UTF-8" && line == 1)
            #expect(column == bytes.firstIndex(of: sequence[0])! + 1 - 0)
        }
    }

    @Test("errors give line and column, in characters")
    func position() {
        let xml = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">\n  <note>é☎ & x</note>\n</presence>"
        #expect(throws: PIDFError.malformed(detail: "name expected", line: 2, column: 13)) {
            try PIDFDocument(parsing: xml)
        }
        let crlf = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">\r\n\r\n<a></b>\r\n</presence>"
        #expect(throws: PIDFError.malformed(detail: "end tag does not match the start tag", line: 3, column: 4)) {
            try PIDFDocument(parsing: crlf)
        }
        #expect(throws: PIDFError.malformed(detail: "undeclared entity &nbsp;", line: 1, column: 67)) {
            try PIDFDocument(parsing: Self.wrapped("<n>&nbsp;</n>"))
        }
        #expect(throws: PIDFError.malformed(detail: "namespace prefix dm not declared", line: 1, column: 64)) {
            try PIDFDocument(parsing: Self.wrapped("<dm:person/>"))
        }
        #expect(throws: PIDFError.malformed(detail: "unsupported encoding \"ISO-8859-1\" (a PIDF body is UTF-8)",
                                            line: 1, column: 1)) {
            try PIDFDocument(parsing: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + Self.root + Self.end)
        }
        #expect(throws: PIDFError.malformed(detail: "premature end of the document", line: 1, column: 71)) {
            try PIDFDocument(parsing: Self.root + "<tuple>")
        }
        #expect(throws: PIDFError.malformed(detail: "content after the root element", line: 1, column: 75)) {
            try PIDFDocument(parsing: Self.root + Self.end + "<a/>")
        }
    }

    @Test("attribute values: white space characters become spaces, references stay as written")
    func attributeNormalisation() throws {
        let document = try PIDFDocument(parsing: Self.wrapped("<tuple id=\"a\tb\nc\r\nd&#9;e&#10;f&#13;g\"/>"))
        #expect(document.tuples.first?.id == "a b c d\te\nf\rg")
    }

    @Test("text: CR LF and CR become LF, also in CDATA; comments and PIs inside text are skipped")
    func lineEnds() throws {
        let document = try PIDFDocument(parsing: Self.wrapped("<note>a\r\nb\rc<![CDATA[d\r\ne]]>f<!-- x -->g<?pi data?>h</note>"))
        #expect(document.notes == ["a\nb\ncd\nefgh"])
    }
}
