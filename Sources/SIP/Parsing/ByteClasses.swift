/// Character classes from the RFC 3261 ABNF, as fast byte predicates.
@usableFromInline
enum ByteClass {
    @inlinable static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inlinable static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inlinable static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }
    @inlinable static func isHex(_ b: UInt8) -> Bool { isDigit(b) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66) }
    /// SP or HTAB.
    @inlinable static func isWSP(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    /// SP, HTAB, CR or LF.
    @inlinable static func isLWS(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    /// `token` = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
    @inlinable static func isToken(_ b: UInt8) -> Bool {
        if isAlnum(b) { return true }
        switch b {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
             UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Characters allowed in a generic parameter value that is not quoted: token plus the
    /// characters of `host` (IPv6 references) and a few that appear in practice (`:` `/` `[` `]` `@`).
    @inlinable static func isParamValue(_ b: UInt8) -> Bool {
        if isToken(b) { return true }
        switch b {
        case UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "/"), UInt8(ascii: "@"),
             UInt8(ascii: "&"), UInt8(ascii: "$"), UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "{"),
             UInt8(ascii: "}"), UInt8(ascii: "|"), UInt8(ascii: "?"), UInt8(ascii: "("), UInt8(ascii: ")"):
            return true
        default:
            return b >= 0x80
        }
    }

    /// Bytes allowed anywhere inside a URI as we accept it (printable ASCII except the
    /// delimiters that can never appear raw in a URI: SP, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`).
    @inlinable static func isURIChar(_ b: UInt8) -> Bool {
        guard b > 0x20 && b < 0x7F else { return false }
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "^"),
             UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
            return false
        default:
            return true
        }
    }

    @inlinable static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    @inlinable static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}

/// Checked decimal parsing: digits only, no sign, value clamped by `limit` (returns nil above it).
@usableFromInline
func parseDecimal(_ bytes: UnsafeBufferPointer<UInt8>, limit: UInt64) -> UInt64? {
    guard !bytes.isEmpty else { return nil }
    var value: UInt64 = 0
    for b in bytes {
        guard ByteClass.isDigit(b) else { return nil }
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
        if o1 || o2 || s > limit { return nil }
        value = s
    }
    return value
}

/// Checked decimal parsing of a string (see `parseDecimal(_:limit:)`).
@usableFromInline
func parseDecimal(_ string: some StringProtocol, limit: UInt64) -> UInt64? {
    var value: UInt64 = 0
    var any = false
    for b in string.utf8 {
        guard ByteClass.isDigit(b) else { return nil }
        let (m, o1) = value.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
        if o1 || o2 || s > limit { return nil }
        value = s
        any = true
    }
    return any ? value : nil
}

extension String {
    /// Builds a string from a byte range of a buffer (invalid UTF-8 is repaired, never trapping).
    @inlinable
    init(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self = String(decoding: UnsafeBufferPointer(rebasing: buf[range]), as: UTF8.self)
    }

    /// Calls `body` with the string's contiguous UTF-8 bytes.
    @inlinable
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws(SIPParseError) -> R) throws(SIPParseError) -> R {
        var copy = self
        let result: Result<R, SIPParseError> = copy.withUTF8 { buf in
            do throws(SIPParseError) { return .success(try body(buf)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// ASCII-lowercased copy (non-ASCII bytes unchanged).
    var asciiLowercased: String {
        if !utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return self }
        return String(decoding: utf8.map(ByteClass.lower), as: UTF8.self)
    }

    /// Case-insensitive ASCII comparison.
    func asciiCaseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        var i = a.startIndex, j = b.startIndex
        while i != a.endIndex {
            if ByteClass.lower(a[i]) != ByteClass.lower(b[j]) { return false }
            a.formIndex(after: &i)
            b.formIndex(after: &j)
        }
        return true
    }
}
