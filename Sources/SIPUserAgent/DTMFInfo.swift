/// DTMF carried by SIP INFO: `application/dtmf-relay` (`Signal=5` / `Duration=160` lines, as
/// Cisco, Asterisk, PJSIP and baresip write it) and `application/dtmf` (the digit alone).
public enum DTMFInfo {
    /// The content type we send.
    public static let contentType = "application/dtmf-relay"
    /// The duration we announce, in milliseconds.
    public static let durationMilliseconds = 160

    /// Whether `c` is a DTMF digit: `0`–`9`, `*`, `#`, `A`–`D`.
    public static func isDigit(_ c: Character) -> Bool {
        "0123456789*#ABCD".contains(c)
    }

    /// `c` as a DTMF digit (`a`–`d` upper-cased), or nil when it is none.
    public static func digit(_ c: Character) -> Character? {
        let upper = c.uppercased()
        guard upper.count == 1, let digit = upper.first, isDigit(digit) else { return nil }
        return digit
    }

    /// The body we send for `digit`.
    public static func body(for digit: Character) -> [UInt8] {
        Array("Signal=\(digit)\r\nDuration=\(durationMilliseconds)\r\n".utf8)
    }

    /// The digit an INFO carries; nil for other content types, bodies without a digit, or a
    /// digit that is none (the body comes from the network: anything may be in it).
    public static func digit(contentType: String?, body: [UInt8]) -> Character? {
        guard let contentType, body.count <= 1024 else { return nil }
        let type = contentType.split(separator: ";").first.map { $0.whitespaceTrimmed.lowercased() } ?? ""
        let text = String(decoding: body, as: UTF8.self)
        switch type {
        case "application/dtmf-relay":
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1)
                guard parts.count == 2,
                      parts[0].whitespaceTrimmed.lowercased() == "signal" else { continue }
                return digit(parts[1].whitespaceTrimmed)
            }
            return nil
        case "application/dtmf":
            return digit(text.whitespaceTrimmed)
        default:
            return nil
        }
    }

    /// A one-character digit (lower-case a–d accepted); RFC 4733's event numbers 10 and 11 as `*`, `#`.
    private static func digit(_ text: String) -> Character? {
        switch text {
        case "10": return "*"
        case "11": return "#"
        default: break
        }
        guard text.count == 1, let c = text.uppercased().first, isDigit(c) else { return nil }
        return c
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space.
    var whitespaceTrimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
