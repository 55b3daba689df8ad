import SIP

extension String {
    /// Without leading and trailing white space.
    var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}

/// Turns what the agent typed (a number, `user@host`, or a SIP URI) into a SIP URI.
enum TargetURI {
    /// - `sip:…` / `sips:…` / `tel:…` as written (tel becomes a phone-number user at the domain);
    /// - `user@host` becomes `sip:user@host`;
    /// - digits with `+ * #` and spaces, dashes, dots, parentheses become `sip:NUMBER@domain`
    ///   (separators removed, `;user=phone` for numbers starting with `+`).
    /// Nil for anything else.
    static func uri(for target: String, domain: String) -> SIPURI? {
        let text = target.trimmed
        guard !text.isEmpty else { return nil }
        let lower = text.lowercased()
        if lower.hasPrefix("sip:") || lower.hasPrefix("sips:") {
            return SIPURI(text)
        }
        if lower.hasPrefix("tel:") {
            return number(String(text.dropFirst(4)), domain: domain)
        }
        if text.contains("@") {
            return SIPURI("sip:" + text)
        }
        return number(text, domain: domain)
    }

    private static func number(_ text: String, domain: String) -> SIPURI? {
        let separators: Set<Character> = [" ", "-", ".", "(", ")", "/"]
        let digits = String(text.filter { !separators.contains($0) })
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || "+*#".contains($0)) }),
              !digits.dropFirst().contains("+") else { return nil }
        let escaped = digits.map { $0 == "#" ? "%23" : String($0) }.joined()
        let phone = digits.hasPrefix("+") ? ";user=phone" : ""
        return SIPURI("sip:\(escaped)@\(domain)\(phone)")
    }
}
