/// A `name-addr` or `addr-spec` with header parameters, as in From, To, Contact, Route,
/// Record-Route, Refer-To (RFC 3261 §20.10, §25.1).
public struct NameAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name, unquoted with escapes resolved (nil when absent).
    public var displayName: String?
    /// The URI.
    public var uri: SIPURI
    /// Header parameters after the URI (`tag`, `expires`, `q`, …).
    public var parameters: SIPParameters

    /// Creates a value.
    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter.
    public var tag: String? {
        get { parameters.value("tag") }
        set { if let newValue { parameters.set("tag", newValue) } else { parameters.remove("tag") } }
    }
    /// The Contact `expires` parameter (nil if absent or not a number below 2³²).
    public var expires: UInt32? { parameters.value("expires").flatMap { parseDecimal($0, limit: UInt64(UInt32.max)) }.map { UInt32($0) } }
    /// The Contact `q` parameter as a string (`"0.33"`).
    public var q: String? { parameters.value("q") }

    /// Always the name-addr form: `"Display" <uri>;params`.
    public var description: String {
        var out = ""
        if let displayName { out = quoteString(displayName) + " " }
        return out + "<" + uri.description + ">" + parameters.serialized
    }

    /// Parses a single value (not a comma list).
    public init(parsing text: String, header: String = "name-addr") throws(SIPParseError) {
        self = try text.withBytes { (buf) throws(SIPParseError) in
            var s = ByteScanner(buf)
            let value = try NameAddress.parse(&s, header: header)
            guard s.atEnd else { throw SIPParseError(.malformedHeader, "unexpected text after the address", header: header) }
            return value
        }
    }

    /// Checks the syntax of a single value without building it.
    static func validate(_ text: String, header: String) throws(SIPParseError) {
        try text.withBytes { (buf) throws(SIPParseError) in
            var s = ByteScanner(buf, build: false)
            _ = try NameAddress.parse(&s, header: header)
            guard s.atEnd else { throw SIPParseError(.malformedHeader, "unexpected text after the address", header: header) }
        }
    }

    /// Parses a field that may hold several comma-separated addresses (Contact, Route, …).
    public static func parseList(_ text: String, header: String) throws(SIPParseError) -> [NameAddress] {
        try parseList(text, header: header, build: true)
    }

    static func parseList(_ text: String, header: String, build: Bool) throws(SIPParseError) -> [NameAddress] {
        try text.withBytes { (buf) throws(SIPParseError) in
            var out: [NameAddress] = []
            var s = ByteScanner(buf, build: build)
            while true {
                s.skipLWS()
                guard let b = s.peek, b != UInt8(ascii: ",") else {
                    throw SIPParseError(.malformedHeader, "empty list element", header: header)
                }
                let value = try NameAddress.parse(&s, header: header)
                if build { out.append(value) }
                s.skipLWS()
                if s.atEnd { return out }
                guard s.consume(UInt8(ascii: ",")) else {
                    throw SIPParseError(.malformedHeader, "unexpected text after the address", header: header)
                }
            }
        }
    }

    static func parse(_ s: inout ByteScanner, header: String) throws(SIPParseError) -> NameAddress {
        func fail(_ why: String) -> SIPParseError { SIPParseError(.malformedHeader, why, header: header) }
        s.skipLWS()
        guard let first = s.peek else { throw fail("empty address") }
        var display: String? = nil
        var angle = false
        if first == UInt8(ascii: "\"") {
            display = try s.readQuotedString(context: header)
            s.skipLWS()
            guard s.peek == UInt8(ascii: "<") else { throw fail("a quoted display name must be followed by <URI>") }
            angle = true
        } else if first == UInt8(ascii: "<") {
            angle = true
        } else {
            // A display name made of tokens, if the tokens are followed by '<'; else an addr-spec.
            let save = s.i
            var words: [String] = []
            var wordCount = 0
            while true {
                let t = s.readToken()
                if t.isEmpty { break }
                wordCount += 1
                if s.build { words.append(s.string(t)) }
                s.skipLWS()
            }
            if wordCount > 0, s.peek == UInt8(ascii: "<") {
                display = words.joined(separator: " ")
                angle = true
            } else {
                s.i = save
            }
        }

        let uri: SIPURI
        if angle {
            s.i += 1  // '<'
            let start = s.i
            while let b = s.peek, b != UInt8(ascii: ">") { s.i += 1 }
            guard s.peek == UInt8(ascii: ">") else { throw fail("missing '>'") }
            do { uri = try SIPURI.parse(s.buf, start..<s.i, build: s.build) } catch { throw fail(error.reason) }
            s.i += 1
        } else {
            // addr-spec: the URI ends at whitespace or ';' (parameters then belong to the header).
            let start = s.i
            while let b = s.peek, b != UInt8(ascii: ";"), b != UInt8(ascii: ","), !ByteClass.isLWS(b) { s.i += 1 }
            do { uri = try SIPURI.parse(s.buf, start..<s.i, build: s.build) } catch { throw fail(error.reason) }
            for j in start..<s.i where s.buf[j] == UInt8(ascii: "?") {
                throw fail("a URI with headers must be enclosed in <>")
            }
        }
        let params = try s.readParameters(context: header, stopAt: UInt8(ascii: ","))
        return NameAddress(displayName: display, uri: uri, parameters: params)
    }
}

/// The value of the Contact header: `*` or a list of addresses.
public enum ContactValue: Sendable, Hashable {
    /// `Contact: *` (remove all bindings, in REGISTER).
    case wildcard
    /// One or more contact addresses.
    case addresses([NameAddress])
}
