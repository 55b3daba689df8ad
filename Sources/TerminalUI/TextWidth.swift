#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesw

/// Terminal column widths, measured with `wcwidth` (so they agree with the
/// terminal's locale tables), never assumed. Requires an initialised locale:
/// the app calls `setlocale(LC_ALL, "")` at start, tests set a UTF-8 locale.
public enum TextWidth {
    /// Columns a character takes: 0 (combining/zero width), 1 or 2.
    /// `nil` when it cannot be shown: a control character, or text the locale cannot encode.
    public static func columns(of character: Character) -> Int? {
        if character.isASCII {
            guard let v = character.asciiValue, v >= 0x20, v != 0x7f else { return nil }
            return 1
        }
        var width = 0
        var printable = false
        for scalar in character.unicodeScalars {
            let w = wcwidth(wchar_t(bitPattern: scalar.value))
            if w >= 0 { printable = true }
            if w > 0 { width += Int(w) }
        }
        guard printable else { return nil }
        return min(width, 2)
    }

    /// Columns a string takes; characters that cannot be shown count as one column
    /// (they are drawn as `?`).
    public static func columns(of text: some StringProtocol) -> Int {
        var total = 0
        for character in text { total += columns(of: character) ?? 1 }
        return total
    }

    /// The longest prefix of `text` that fits in `width` columns, with `…` when cut
    /// (`...` in ASCII mode).
    public static func truncate(_ text: String, to width: Int, ascii: Bool = false) -> String {
        guard width > 0 else { return "" }
        if columns(of: text) <= width { return text }
        let ellipsis = ascii ? "..." : "…"
        let room = width - columns(of: ellipsis)
        guard room > 0 else { return String(repeating: ".", count: width) }
        var result = ""
        var used = 0
        for character in text {
            let w = columns(of: character) ?? 1
            if used + w > room { break }
            result.append(character)
            used += w
        }
        return result + ellipsis
    }

    /// `text` padded with spaces (or cut) to exactly `width` columns.
    public static func pad(_ text: String, to width: Int, ascii: Bool = false) -> String {
        let cut = truncate(text, to: width, ascii: ascii)
        return cut + String(repeating: " ", count: max(0, width - columns(of: cut)))
    }
}
