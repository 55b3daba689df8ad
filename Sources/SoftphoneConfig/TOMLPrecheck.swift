/// Finds what the TOML parser inside TOMLKit must not be given.
///
/// toml++ (as bundled by TOMLKit 0.6) checks some of its input with assertions instead of
/// parse errors: a table header whose key starts with a character no key can start with
/// (`[é]`, `[=]`, `[[,]]`, `[[[a]]]`) or a malformed date, time or number
/// (`1979-05-27T` followed by a non-digit, …) aborts the process (`assert` in debug builds,
/// undefined behaviour when built with NDEBUG) instead of being reported. Newer toml++
/// fixes some of these (tomlplusplus pull request 301); until TOMLKit bundles one that
/// fixes them all, `Configuration.parse` runs this check first.
///
/// The scan follows toml++ through the document: statements at the top level (blank lines,
/// comments, table headers, `key = value`), values with their strings, arrays and inline
/// tables. Every header must start with a key, and every unquoted value must be written as
/// TOML 1.0 writes a boolean, integer, float, date or time. Where the text stops being TOML
/// in another way, toml++ reports an error of its own there, so the scan stops.
enum TOMLPrecheck {
    struct Problem: Equatable {
        /// 1-based line and column (in characters).
        var line: Int
        var column: Int
        var reason: String
    }

    /// The first header or value toml++ cannot be given, if any.
    static func firstProblem(in text: String) -> Problem? {
        var scanner = Scanner(Array(text.utf8))
        guard let (offset, reason) = scanner.scan() else { return nil }
        let b = scanner.b
        var line = 1, lineStart = 0
        for i in 0..<offset where b[i] == 0x0A { line += 1; lineStart = i + 1 }
        if lineStart == 0 && b.starts(with: [0xEF, 0xBB, 0xBF]) { lineStart = 3 }  // the byte order mark is no column
        let column = b[lineStart..<offset].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return Problem(line: line, column: column, reason: reason)
    }

    /// Thrown inside the scan: toml++ stops with an error of its own here (`nil` problem),
    /// or it must not be given this (`problem`).
    private struct Stop: Error {
        var problem: (offset: Int, reason: String)?
    }

    private struct Scanner {
        let b: [UInt8]
        var i = 0

        init(_ bytes: [UInt8]) {
            b = bytes
            if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }  // byte order mark
        }

        var n: Int { b.count }
        var atEnd: Bool { i >= n }
        var c: UInt8 { b[i] }

        mutating func scan() -> (Int, String)? {
            do {
                try document()
                return nil
            } catch {
                return error.problem.map { ($0.offset, $0.reason) }
            }
        }

        // MARK: statements

        mutating func document() throws(Stop) {
            while !atEnd {
                switch c {
                case 0x20, 0x09, 0x0A, 0x0D, ch("#"): try blankOrComment()
                case ch("["): try tableHeader()
                default:
                    try key()
                    try expect(ch("="))
                    skipBlanks()
                    try value()
                    try endOfLine()
                }
            }
        }

        /// Blanks, a comment, a line break (each optional; at least one character).
        mutating func blankOrComment() throws(Stop) {
            skipBlanks()
            if !atEnd && c == ch("#") { while !atEnd && c != 0x0A { i += 1 } }
            if !atEnd && (c == 0x0A || c == 0x0D) { try lineBreak() }
        }

        mutating func lineBreak() throws(Stop) {
            if c == 0x0D { i += 1; guard !atEnd, c == 0x0A else { throw Stop() } }
            guard c == 0x0A else { throw Stop() }
            i += 1
        }

        /// After a statement: blanks, maybe a comment, then a line break or the end.
        mutating func endOfLine() throws(Stop) {
            skipBlanks()
            guard !atEnd else { return }
            guard c == ch("#") || c == 0x0A || c == 0x0D else { throw Stop() }
            if c == ch("#") { while !atEnd && c != 0x0A { i += 1 } }
            if !atEnd { try lineBreak() }
        }

        mutating func tableHeader() throws(Stop) {
            i += 1
            skipBlanks()
            if !atEnd && c == ch("[") { i += 1; skipBlanks() }
            guard !atEnd else { throw Stop() }
            if c == ch("]") { throw Stop() }
            guard isKeyStart(c) else {
                throw Stop(problem: (i, "a table header must start with a key: a letter, digit, _ or -, or a quoted key"))
            }
            try key()
            try expect(ch("]"))
            if !atEnd && c == ch("]") { i += 1 }
            try endOfLine()
        }

        /// A dotted key (`a . "b" . c`), then blanks.
        mutating func key() throws(Stop) {
            while true {
                guard !atEnd else { throw Stop() }
                if c == ch("\"") || c == ch("'") {
                    try string()
                } else if isBareKey(c) {
                    while !atEnd && isBareKey(c) { i += 1 }
                } else {
                    throw Stop()
                }
                skipBlanks()
                guard !atEnd, c == ch(".") else { return }
                i += 1
                skipBlanks()
            }
        }

        mutating func expect(_ byte: UInt8) throws(Stop) {
            guard !atEnd, c == byte else { throw Stop() }
            i += 1
            skipBlanks()
        }

        // MARK: values

        mutating func value() throws(Stop) {
            guard !atEnd else { throw Stop() }
            switch c {
            case ch("\""), ch("'"): try string()
            case ch("["): try array()
            case ch("{"): try inlineTable()
            default: try scalar()
            }
        }

        mutating func array() throws(Stop) {
            i += 1
            while true {
                try skipBlanksAndComments()
                guard !atEnd else { throw Stop() }
                if c == ch("]") { i += 1; return }
                try value()
                try skipBlanksAndComments()
                guard !atEnd else { throw Stop() }
                if c == ch(",") { i += 1; continue }
                guard c == ch("]") else { throw Stop() }
                i += 1
                return
            }
        }

        mutating func inlineTable() throws(Stop) {
            i += 1
            skipBlanks()
            guard !atEnd else { throw Stop() }
            if c == ch("}") { i += 1; return }
            while true {
                skipBlanks()
                try key()
                try expect(ch("="))
                skipBlanks()
                try value()
                skipBlanks()
                guard !atEnd else { throw Stop() }
                if c == ch(",") { i += 1; continue }
                guard c == ch("}") else { throw Stop() }
                i += 1
                return
            }
        }

        /// Blanks, line breaks and comments between array elements.
        mutating func skipBlanksAndComments() throws(Stop) {
            while !atEnd {
                if c == 0x20 || c == 0x09 {
                    i += 1
                } else if c == 0x0A || c == 0x0D {
                    try lineBreak()
                } else if c == ch("#") {
                    while !atEnd && c != 0x0A { i += 1 }
                } else {
                    return
                }
            }
        }

        /// A basic, literal, multi-line basic or multi-line literal string.
        mutating func string() throws(Stop) {
            let quote = c
            let escapes = quote == ch("\"")
            let multiline = i + 2 < n && b[i + 1] == quote && b[i + 2] == quote
            i += multiline ? 3 : 1
            while !atEnd {
                if escapes && c == ch("\\") {
                    i += 2
                } else if c == quote {
                    if !multiline { i += 1; return }
                    if i + 2 < n, b[i + 1] == quote, b[i + 2] == quote {
                        i += 3
                        var extra = 0  // up to two more quotes belong to the string: `"""a"""""`
                        while extra < 2, !atEnd, c == quote { i += 1; extra += 1 }
                        return
                    }
                    i += 1
                } else if c == 0x0A && !multiline {
                    throw Stop()
                } else {
                    i += 1
                }
            }
            throw Stop()
        }

        /// An unquoted value: it must be a TOML 1.0 boolean, integer, float, date or time.
        mutating func scalar() throws(Stop) {
            let start = i
            while !atEnd && !isValueTerminator(c) { i += 1 }
            var token = Array(b[start..<i])
            // A date and a time may be separated by one space: `1979-05-27 07:32:00Z`.
            if TOMLSyntax.isDate(token), i + 1 < n, b[i] == 0x20, isDigit(b[i + 1]) {
                i += 1
                while !atEnd && !isValueTerminator(c) { i += 1 }
                token = Array(b[start..<i])
            }
            guard TOMLSyntax.isScalar(token) else {
                let shown = String(decoding: token.prefix(40), as: UTF8.self)
                throw Stop(problem: (start, "not a TOML value: \(shown) (a string needs quotes)"))
            }
        }

        // MARK: characters

        mutating func skipBlanks() { while !atEnd && (c == 0x20 || c == 0x09) { i += 1 } }

        func isValueTerminator(_ c: UInt8) -> Bool {
            c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C
                || c == ch("]") || c == ch("}") || c == ch(",") || c == ch("#")
        }

        func isKeyStart(_ c: UInt8) -> Bool { isBareKey(c) || c == ch("\"") || c == ch("'") }

        func isBareKey(_ c: UInt8) -> Bool {
            (c >= ch("a") && c <= ch("z")) || (c >= ch("A") && c <= ch("Z")) || isDigit(c) || c == ch("_") || c == ch("-")
        }
    }
}

private func ch(_ s: Unicode.Scalar) -> UInt8 { UInt8(ascii: s) }
private func isDigit(_ c: UInt8) -> Bool { c >= ch("0") && c <= ch("9") }

/// The TOML 1.0 syntax of unquoted values (RFC-style ABNF of toml.abnf).
enum TOMLSyntax {
    static func isScalar(_ t: [UInt8]) -> Bool {
        t == Array("true".utf8) || t == Array("false".utf8) || isInteger(t) || isFloat(t) || isDateTime(t)
    }

    /// `DIGIT *( DIGIT / "_" DIGIT )` in the given digit class, from `at`; the end offset or nil.
    static func digits(_ t: [UInt8], _ at: Int, _ isDigit: (UInt8) -> Bool) -> Int? {
        guard at < t.count, isDigit(t[at]) else { return nil }
        var j = at + 1
        while j < t.count {
            if isDigit(t[j]) { j += 1 } else if t[j] == ch("_"), j + 1 < t.count, isDigit(t[j + 1]) { j += 2 } else { break }
        }
        return j
    }

    /// `[+-] ( "0" / digit1-9 *( DIGIT / "_" DIGIT ) )` from `at`; the end offset or nil.
    static func decimalInteger(_ t: [UInt8], _ at: Int) -> Int? {
        var j = at
        if j < t.count, t[j] == ch("+") || t[j] == ch("-") { j += 1 }
        guard j < t.count, isDigit(t[j]) else { return nil }
        if t[j] == ch("0") { return j + 1 }
        return digits(t, j, isDigit)
    }

    static func isInteger(_ t: [UInt8]) -> Bool {
        if t.count > 2, t[0] == ch("0") {
            let kind: ((UInt8) -> Bool)? = switch t[1] {
            case ch("x"): { isDigit($0) || ($0 >= ch("a") && $0 <= ch("f")) || ($0 >= ch("A") && $0 <= ch("F")) }
            case ch("o"): { $0 >= ch("0") && $0 <= ch("7") }
            case ch("b"): { $0 == ch("0") || $0 == ch("1") }
            default: nil
            }
            if let kind { return digits(t, 2, kind) == t.count }
        }
        return decimalInteger(t, 0) == t.count
    }

    static func isFloat(_ t: [UInt8]) -> Bool {
        var body = t[...]
        if let first = body.first, first == ch("+") || first == ch("-") { body = body.dropFirst() }
        if body.elementsEqual("inf".utf8) || body.elementsEqual("nan".utf8) { return true }
        guard var j = decimalInteger(t, 0) else { return false }
        var fractionOrExponent = false
        if j < t.count, t[j] == ch(".") {
            guard let end = digits(t, j + 1, isDigit) else { return false }
            j = end
            fractionOrExponent = true
        }
        if j < t.count, t[j] == ch("e") || t[j] == ch("E") {
            j += 1
            if j < t.count, t[j] == ch("+") || t[j] == ch("-") { j += 1 }
            guard let end = digits(t, j, isDigit) else { return false }
            j = end
            fractionOrExponent = true
        }
        return fractionOrExponent && j == t.count
    }

    /// `DDDD-DD-DD`
    static func isDate(_ t: [UInt8]) -> Bool { t.count == 10 && matchesDate(t, 0) }

    static func matchesDate(_ t: [UInt8], _ at: Int) -> Bool {
        pattern(t, at, "dddd-dd-dd")
    }

    static func isDateTime(_ t: [UInt8]) -> Bool {
        if isDate(t) { return true }
        if let end = partialTime(t, 0) { return end == t.count }
        guard t.count > 11, matchesDate(t, 0), [ch("T"), ch("t"), ch(" ")].contains(t[10]),
              let end = partialTime(t, 11) else { return false }
        if end == t.count { return true }  // local date-time
        if end + 1 == t.count { return t[end] == ch("Z") || t[end] == ch("z") }
        return end + 6 == t.count && (t[end] == ch("+") || t[end] == ch("-")) && pattern(t, end + 1, "dd:dd")
    }

    /// `DD:DD:DD [ "." 1*DIGIT ]` from `at`; the end offset or nil.
    static func partialTime(_ t: [UInt8], _ at: Int) -> Int? {
        guard pattern(t, at, "dd:dd:dd") else { return nil }
        var j = at + 8
        if j < t.count, t[j] == ch(".") {
            j += 1
            guard j < t.count, isDigit(t[j]) else { return nil }
            while j < t.count, isDigit(t[j]) { j += 1 }
        }
        return j
    }

    /// `d` is a digit, anything else itself.
    static func pattern(_ t: [UInt8], _ at: Int, _ shape: StaticString) -> Bool {
        let count = shape.utf8CodeUnitCount
        guard at + count <= t.count else { return false }
        return shape.withUTF8Buffer { s in
            for k in 0..<count {
                let want = s[k], got = t[at + k]
                if want == ch("d") ? !isDigit(got) : got != want { return false }
            }
            return true
        }
    }
}
