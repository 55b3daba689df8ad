import PIDF
import Testing

@Suite("PIDF documents: what is rejected, and why")
struct PIDFMalformedTests {
    /// Parses `xml`, expecting a rejection; returns it.
    private func rejection(_ xml: String, sourceLocation: SourceLocation = #_sourceLocation) -> PIDFError? {
        rejection(Array(xml.utf8), sourceLocation: sourceLocation)
    }

    private func rejection(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> PIDFError? {
        do {
            let document = try PIDFDocument(parsing: bytes)
            Issue.record("accepted: \(document)", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(!error.description.isEmpty, sourceLocation: sourceLocation)
            return error
        }
    }

    private static let good = Fixtures.pjsipBusy

    @Test("empty and blank bodies")
    func empty() {
        #expect(rejection("") == .empty)
        #expect(rejection(" \r\n\t ") == .empty)
        #expect(rejection([0xEF, 0xBB, 0xBF]) == .empty)
        #expect(PIDFError.empty.description == "not a presence document: the body is empty")
    }

    @Test("not XML at all", arguments: ["Online", "{\"presence\": \"open\"}", "open\r\n", "\u{FEFF}busy", "x<presence/>"])
    func notXML(body: String) {
        #expect(rejection(body) == .notXML)
    }

    @Test("truncated documents, at every length", arguments: [Fixtures.pjsipBusy, Fixtures.rfc4480, Fixtures.kamailioDummy])
    func truncated(document: String) {
        let bytes = Array(document.utf8)
        // Cut anywhere before the end tag of the root is complete.
        let end = bytes.count - (document.hasSuffix("\n") ? 1 : 0)
        for length in 1..<end {
            let prefix = Array(bytes[..<length])
            guard let error = rejection(prefix) else { continue }
            switch error {
            case .malformed, .notXML, .empty: break
            default: Issue.record("length \(length): \(error)")
            }
        }
    }

    @Test("a truncated document says so, with line and column")
    func truncatedReason() throws {
        let error = try #require(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">\n<tuple id=\"t\">"))
        guard case .malformed(let detail, let line, _) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(detail == "premature end of the document")
        #expect(line == 2)
        #expect(error.description.hasPrefix("malformed XML at line 2, column "))
    }

    @Test("malformed XML of every kind", arguments: [
        // Mismatched, unclosed, overlapping tags.
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><tuple></presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><a><b></a></b></presence>",
        // Content after the root.
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"/><presence/>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"/>trailing",
        // Attributes.
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\" entity=\"f\"/>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=e/>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"a<b\"/>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e/>",
        // Entities and characters.
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\">&nbsp;</presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><note>a & b</note></presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><note>&#0;</note></presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><note>&#xD800;</note></presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><note>\u{1}</note></presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><note>]]></note></presence>",
        // Namespaces.
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><dm:person id=\"p\"/></presence>",
        "<p:presence entity=\"e\"/>",
        // Comments, CDATA, PIs not closed; a bad XML declaration.
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><!-- open</presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><note><![CDATA[x</note></presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><?pi </presence>",
        "<?xml version=\"1.0\" encoding=\"no-such-encoding\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"/>",
        "<?xml version=\"1.0\"?><?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"/>",
        "< presence/>",
        "<>",
        "<",
    ])
    func malformed(xml: String) {
        let error = rejection(xml)
        guard case .malformed(let detail, let line, let column)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(!detail.isEmpty && line >= 1 && column >= 1)
    }

    @Test("bytes that are not UTF-8")
    func invalidUTF8() {
        var bytes = Array("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"e\"><note>".utf8)
        bytes += [0xC3, 0x28, 0xFF]
        bytes += Array("</note></presence>".utf8)
        guard case .malformed? = rejection(bytes) else {
            Issue.record("not rejected as malformed")
            return
        }
    }

    @Test("wrong root element")
    func wrongRoot() {
        #expect(rejection("<html><body/></html>") == .wrongRoot(name: "html", namespace: nil))
        #expect(rejection("<tuple xmlns=\"urn:ietf:params:xml:ns:pidf\" id=\"t\"/>")
            == .wrongRoot(name: "tuple", namespace: "urn:ietf:params:xml:ns:pidf"))
        #expect(rejection("<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"0\" state=\"full\" entity=\"e\"/>")
            == .wrongRoot(name: "dialog-info", namespace: "urn:ietf:params:xml:ns:dialog-info"))
        #expect(PIDFError.wrongRoot(name: "html", namespace: nil).description
            == "not a PIDF document: the root element is <html>, expected <presence> in \"urn:ietf:params:xml:ns:pidf\"")
    }

    @Test("presence in the wrong namespace, or in none")
    func wrongNamespace() {
        #expect(rejection("<presence entity=\"sip:a@b\"><tuple id=\"t\"/></presence>")
            == .wrongRoot(name: "presence", namespace: nil))
        #expect(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:cpim-pidf\" entity=\"sip:a@b\"/>")
            == .wrongRoot(name: "presence", namespace: "urn:ietf:params:xml:ns:cpim-pidf"))
        #expect(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"sip:a@b\"/>")
            == .wrongRoot(name: "presence", namespace: "urn:ietf:params:xml:ns:pidf:rpid"))
        #expect(PIDFError.wrongRoot(name: "presence", namespace: nil).description
            == "not a PIDF document: <presence> is in namespace none, expected \"urn:ietf:params:xml:ns:pidf\"")
    }

    @Test("no entity, or a blank one, or one in another namespace")
    func missingEntity() {
        #expect(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t\"/></presence>") == .missingEntity)
        #expect(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"\"/>") == .missingEntity)
        #expect(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\" &#9; \"/>") == .missingEntity)
        #expect(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:x=\"urn:x\" x:entity=\"sip:a@b\"/>")
            == .missingEntity)
        #expect(PIDFError.missingEntity.description == "not a PIDF document: <presence> has no entity attribute")
    }

    @Test("DOCTYPE and entity declarations: internal, external, parameter, billion laughs", arguments: [
        """
        <?xml version="1.0"?>
        <!DOCTYPE presence [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        ]>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><note>&lol9;</note></presence>
        """,
        """
        <?xml version="1.0"?>
        <!DOCTYPE presence [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><note>&xxe;</note></presence>
        """,
        """
        <!DOCTYPE presence SYSTEM "http://192.0.2.1/pidf.dtd">
        <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>
        """,
        """
        <!DOCTYPE presence [<!ENTITY % remote SYSTEM "http://192.0.2.1/x.dtd"> %remote;]>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>
        """,
        "<!doctype presence><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\"/>",
        // A declaration anywhere, even where it is not well-formed, is refused before parsing.
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\"><!ENTITY x \"y\"></presence>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\"/><!DOCTYPE x>",
    ])
    func declarations(xml: String) {
        #expect(rejection(xml) == .declarationNotAllowed)
    }

    @Test("DOCTYPE-like text inside comments, CDATA and processing instructions is just text")
    func declarationLookalikes() throws {
        let xml = """
            <?xml version="1.0"?><?note <!DOCTYPE?>
            <!-- <!DOCTYPE x> <!ENTITY y "z"> -->
            <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">
              <note><![CDATA[<!DOCTYPE not really>]]></note>
            </presence>
            """
        #expect(try PIDFDocument(parsing: xml).notes == ["<!DOCTYPE not really>"])
    }

    @Test("more than 64 KiB is refused before parsing; 64 KiB exactly is parsed")
    func tooLarge() throws {
        let head = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\"><note>"
        let tail = "</note></presence>"
        let fill = PIDFLimits.maximumBytes - head.utf8.count - tail.utf8.count
        let exact = head + String(repeating: "x", count: fill) + tail
        #expect(exact.utf8.count == 65_536)
        #expect(try PIDFDocument(parsing: exact).notes.first?.text.count == fill)
        let over = head + String(repeating: "x", count: fill + 1) + tail
        #expect(rejection(over) == .tooLarge(bytes: 65_537, limit: 65_536))
        #expect(rejection([UInt8](repeating: 0x20, count: 10_000_000)) == .tooLarge(bytes: 10_000_000, limit: 65_536))
        #expect(PIDFError.tooLarge(bytes: 65_537, limit: 65_536).description
            == "presence document too large: 65537 bytes, the limit is 65536")
    }

    @Test("nesting deeper than the limit, in any namespace; the limit itself is fine")
    func tooDeep() throws {
        func nested(_ depth: Int) -> String {
            let inner = depth - 1  // below <presence>
            return "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:x=\"urn:x\" entity=\"sip:a@b\">"
                + String(repeating: "<x:a>", count: inner) + String(repeating: "</x:a>", count: inner) + "</presence>"
        }
        _ = try PIDFDocument(parsing: nested(PIDFLimits.maximumDepth))
        #expect(rejection(nested(PIDFLimits.maximumDepth + 1)) == .tooDeep(limit: 32))
        // Deep and unclosed: still "too deep", found before the end.
        let unclosed = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
            + String(repeating: "<tuple>", count: 5000)
        #expect(rejection(unclosed) == .tooDeep(limit: 32))
    }

    @Test("more elements than the limit")
    func tooManyElements() throws {
        func flat(_ count: Int) -> String {
            "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
                + String(repeating: "<a/>", count: count - 1) + "</presence>"
        }
        _ = try PIDFDocument(parsing: flat(PIDFLimits.maximumElements))
        #expect(rejection(flat(PIDFLimits.maximumElements + 1)) == .tooManyElements(limit: 4096))
    }

    @Test("the first problem is reported: XML errors before what the elements say")
    func firstProblemWins() {
        // Wrong root, but the document breaks before the root is read: malformed.
        guard case .malformed? = rejection("<html x='1' x='2'>") else {
            Issue.record("expected malformed")
            return
        }
        // Right root, then broken: malformed, not "missing entity".
        #expect(rejection("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"") != .missingEntity)
    }

    @Test("pathological but small inputs: many attributes, many namespace declarations, long comments, runs of brackets")
    func pathological() throws {
        let root = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\""
        // One element with thousands of attributes.
        let attributes = (0..<5_000).map { " a\($0)=\"\"" }.joined()
        _ = try PIDFDocument(parsing: root + attributes + "/>")
        // Thousands of prefixes declared, thousands of elements using them.
        let declarations = (0..<1_400).map { " xmlns:p\($0)=\"urn:\($0)\"" }.joined()
        let uses = (0..<1_000).map { "<p\($0):e p\($0 + 1):a=\"1\"/>" }.joined()
        _ = try PIDFDocument(parsing: root + declarations + ">" + uses + "</presence>")
        // Long comment, long runs of "-" and "]", many references, a long CDATA of "]]".
        let fill = 60_000
        _ = try PIDFDocument(parsing: root + "><!--" + String(repeating: "- ", count: fill / 2) + "--></presence>")
        _ = try PIDFDocument(parsing: root + "><note>" + String(repeating: "]", count: fill) + "</note></presence>")
        _ = try PIDFDocument(parsing: root + "><note>" + String(repeating: "&amp;", count: fill / 5) + "</note></presence>")
        _ = try PIDFDocument(parsing: root + "><note><![CDATA[" + String(repeating: "]]", count: fill / 2) + "]]></note></presence>")
        // A very long name, open and closed.
        let name = String(repeating: "n", count: 30_000)
        _ = try PIDFDocument(parsing: root + "><\(name)></\(name)></presence>")
        // Unterminated constructs, repeated.
        for piece in ["<!--", "<?a", "<![CDATA[", "&#x", "<a b=\"", "]]>"] {
            let body = root + ">" + String(repeating: piece, count: fill / piece.utf8.count)
            guard case .malformed? = rejection(body) else {
                Issue.record("\(piece): not malformed")
                continue
            }
        }
    }
}
