/// The `auth-scheme 1#auth-param` shape shared by challenges and credentials
/// (RFC 7235 section 2.1, RFC 7616 section 3.3/3.4, RFC 3261 section 25.1).
struct AuthParameters: Sendable, Equatable {
    /// The scheme as written, e.g. `Digest`.
    var scheme: String
    /// Parameters in order; names lowercased, values unquoted and unescaped.
    var parameters: [(name: String, value: String, quoted: Bool)]

    static func == (lhs: AuthParameters, rhs: AuthParameters) -> Bool {
        lhs.scheme == rhs.scheme && lhs.parameters.elementsEqual(rhs.parameters) {
            $0.name == $1.name && $0.value == $1.value && $0.quoted == $1.quoted
        }
    }

    /// The value of the first parameter named `name` (lowercase).
    func value(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Parses `Scheme name=value, name="quoted \"value\"", ...`.
    static func parse(_ text: String) throws(DigestParseError) -> AuthParameters {
        let chars = Array(text.unicodeScalars)
        var i = 0
        func skipWhitespace() {
            while i < chars.count, isWhitespace(chars[i]) { i += 1 }
        }
        skipWhitespace()
        let schemeStart = i
        while i < chars.count, isTokenChar(chars[i]) { i += 1 }
        if i == schemeStart {
            throw DigestParseError(chars.isEmpty || i >= chars.count ? "empty header value" : "expected an authentication scheme at \"\(rest(chars, from: i))\"")
        }
        let scheme = String(String.UnicodeScalarView(chars[schemeStart..<i]))
        if i < chars.count, !isWhitespace(chars[i]) {
            throw DigestParseError("expected a space after the scheme \"\(scheme)\"")
        }
        var params: [(name: String, value: String, quoted: Bool)] = []
        var seen: Set<String> = []
        while true {
            skipWhitespace()
            // Tolerate empty list elements: "a=1,, b=2".
            while i < chars.count, chars[i] == "," {
                i += 1
                skipWhitespace()
            }
            if i >= chars.count { break }
            let nameStart = i
            while i < chars.count, isTokenChar(chars[i]) { i += 1 }
            if i == nameStart {
                throw DigestParseError("expected a parameter name at \"\(rest(chars, from: i))\"")
            }
            let name = String(String.UnicodeScalarView(chars[nameStart..<i])).lowercased()
            skipWhitespace()
            guard i < chars.count, chars[i] == "=" else {
                throw DigestParseError("parameter \"\(name)\" has no \"=\" and value")
            }
            i += 1
            skipWhitespace()
            var value = String.UnicodeScalarView()
            var quoted = false
            if i < chars.count, chars[i] == "\"" {
                quoted = true
                i += 1
                var closed = false
                while i < chars.count {
                    let ch = chars[i]
                    if ch == "\\" {
                        guard i + 1 < chars.count else { break }
                        value.append(chars[i + 1])
                        i += 2
                    } else if ch == "\"" {
                        closed = true
                        i += 1
                        break
                    } else {
                        value.append(ch)
                        i += 1
                    }
                }
                if !closed {
                    throw DigestParseError("unterminated quoted string in parameter \"\(name)\"")
                }
            } else {
                let valueStart = i
                while i < chars.count, chars[i] != ",", chars[i] != "\"", !isWhitespace(chars[i]) { i += 1 }
                if i == valueStart {
                    throw DigestParseError("parameter \"\(name)\" has an empty value")
                }
                value.append(contentsOf: chars[valueStart..<i])
            }
            if seen.contains(name) {
                throw DigestParseError("parameter \"\(name)\" appears twice")
            }
            seen.insert(name)
            params.append((name, String(value), quoted))
            skipWhitespace()
            if i < chars.count {
                guard chars[i] == "," else {
                    throw DigestParseError("expected \",\" after parameter \"\(name)\" at \"\(rest(chars, from: i))\"")
                }
                i += 1
            }
        }
        return AuthParameters(scheme: scheme, parameters: params)
    }

    /// `name="value"` with `"` and `\` escaped.
    static func quoted(_ name: String, _ value: String) -> String {
        var out = name + "=\""
        for ch in value {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        out.append("\"")
        return out
    }

    private static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n"
    }

    /// RFC 7230 tchar.
    private static func isTokenChar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|", "~": return true
        default: return false
        }
    }

    private static func rest(_ chars: [Unicode.Scalar], from i: Int) -> String {
        let end = min(chars.count, i + 20)
        guard i < end else { return "" }
        return String(String.UnicodeScalarView(chars[i..<end]))
    }
}
