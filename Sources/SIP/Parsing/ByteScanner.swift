/// A forward cursor over a contiguous byte buffer, used by all header-value parsers.
/// Every access is bounds-checked by `i < end`; nothing here can trap on input.
struct ByteScanner {
    let buf: UnsafeBufferPointer<UInt8>
    var i: Int
    let end: Int
    /// When false the scanner only validates: strings come back empty and parameters are
    /// not collected (used to check headers quickly during parsing).
    let build: Bool

    init(_ buf: UnsafeBufferPointer<UInt8>, from: Int = 0, to: Int? = nil, build: Bool = true) {
        self.buf = buf
        self.i = from
        self.end = to ?? buf.count
        self.build = build
    }

    var atEnd: Bool { i >= end }
    var peek: UInt8? { i < end ? buf[i] : nil }

    /// Skips SP, HTAB, CR, LF.
    mutating func skipLWS() {
        while i < end, ByteClass.isLWS(buf[i]) { i += 1 }
    }

    /// Consumes `b` (after optional LWS when `lws`) and returns whether it was there.
    mutating func consume(_ b: UInt8) -> Bool {
        if i < end, buf[i] == b { i += 1; return true }
        return false
    }

    /// Reads `1*token`; empty range when none.
    mutating func readToken() -> Range<Int> {
        let start = i
        while i < end, ByteClass.isToken(buf[i]) { i += 1 }
        return start..<i
    }

    func string(_ r: Range<Int>) -> String { build ? String(buf, r) : "" }

    /// Reads a quoted-string starting at `"`, resolving `\` escapes. Throws if unterminated.
    mutating func readQuotedString(context: String) throws(SIPParseError) -> String {
        guard consume(UInt8(ascii: "\"")) else {
            throw SIPParseError(.malformedHeader, "expected a quoted string", header: context)
        }
        var bytes: [UInt8] = []
        var start = i
        while i < end {
            let b = buf[i]
            if b == UInt8(ascii: "\"") {
                if !build {
                    i += 1
                    return ""
                }
                if bytes.isEmpty {
                    let s = String(buf, start..<i)
                    i += 1
                    return s
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i]))
                i += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                if build { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i])) }
                guard i + 1 < end else { break }
                let escaped = buf[i + 1]
                guard escaped != 0x0A && escaped != 0x0D else {
                    throw SIPParseError(.malformedHeader, "invalid quoted-pair", header: context)
                }
                if build { bytes.append(escaped) }
                i += 2
                start = i
                continue
            }
            i += 1
        }
        throw SIPParseError(.malformedHeader, "unterminated quoted string", header: context)
    }

    /// Reads `;name[=value]` parameters until `stop` (not consumed) or the end.
    /// Empty names (`;;`) are errors. Values are tokens, host-like text, or quoted strings.
    mutating func readParameters(context: String, stopAt stop: UInt8? = nil) throws(SIPParseError) -> SIPParameters {
        guard build else {
            try scanParameters(context: context, stopAt: stop) { (_, _, _) throws(SIPParseError) in }
            return SIPParameters()
        }
        var params: [SIPParameter] = []
        let buf = self.buf
        try scanParameters(context: context, stopAt: stop) { (name, value, quoted) throws(SIPParseError) in
            if let quoted {
                params.append(SIPParameter(name: String(buf, name), value: quoted, isQuoted: true))
            } else {
                params.append(SIPParameter(name: String(buf, name), value: value.map { String(buf, $0) }))
            }
        }
        return SIPParameters(params)
    }

    /// Scans parameters, calling `visit` with the name range, the value range (nil for a
    /// flag), and — for quoted values when building — the unescaped value.
    mutating func scanParameters(
        context: String, stopAt stop: UInt8?,
        _ visit: (Range<Int>, Range<Int>?, String?) throws(SIPParseError) -> Void
    ) throws(SIPParseError) {
        while true {
            skipLWS()
            guard let b = peek else { return }
            if let stop, b == stop { return }
            guard b == UInt8(ascii: ";") else {
                throw SIPParseError(.malformedHeader, "unexpected character '\(Character(Unicode.Scalar(b)))' where a parameter was expected", header: context)
            }
            i += 1
            skipLWS()
            let name = readToken()
            guard !name.isEmpty else {
                throw SIPParseError(.malformedHeader, "empty parameter", header: context)
            }
            skipLWS()
            if consume(UInt8(ascii: "=")) {
                skipLWS()
                if peek == UInt8(ascii: "\"") {
                    let start = i
                    let v = try readQuotedString(context: context)
                    try visit(name, start..<i, build ? v : nil)
                } else {
                    let start = i
                    while i < end, ByteClass.isParamValue(buf[i]) { i += 1 }
                    guard i > start else {
                        throw SIPParseError(.malformedHeader, "parameter '\(String(buf, name))' has an empty value", header: context)
                    }
                    try visit(name, start..<i, nil)
                }
            } else {
                try visit(name, nil, nil)
            }
        }
    }

    /// Whether `buf[r]` equals the lowercase ASCII literal, ignoring case.
    func equalsLowercase(_ r: Range<Int>, _ literal: StaticString) -> Bool {
        guard r.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for (n, j) in r.enumerated() where ByteClass.lower(buf[j]) != p[n] { return false }
        return true
    }
}
