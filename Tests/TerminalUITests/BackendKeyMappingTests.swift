import CNcursesw
import Testing
@testable import TerminalUI

/// One `wget_wch` result and the key it must become.
struct KeyCase: Sendable, CustomTestStringConvertible {
    var status: Int32
    var value: wint_t
    var key: KeyInput?

    init(_ status: Int32, _ value: Int32, _ key: KeyInput?) {
        self.status = status
        self.value = wint_t(bitPattern: value)
        self.key = key
    }

    var testDescription: String {
        "\(status == OK ? "char" : "code") \(value) → \(key.map { "\($0)" } ?? "nothing")"
    }
}

@Suite("Backend: decoding keys")
struct BackendKeyMappingTests {
    static let table: [KeyCase] = [
        KeyCase(OK, 0x61, .character("a")),
        KeyCase(OK, 0x4C, .character("L")),
        KeyCase(OK, 0x3F, .character("?")),
        KeyCase(OK, 0x2F, .character("/")),
        KeyCase(OK, 0x20, .character(" ")),
        KeyCase(OK, 0x37, .character("7")),
        KeyCase(OK, 0xE9, .character("é")),
        KeyCase(OK, 0x260E, .character("☎")),
        KeyCase(OK, 0x1F600, .character("😀")),
        KeyCase(OK, 9, .tab),
        KeyCase(OK, 10, .enter),
        KeyCase(OK, 13, .enter),
        KeyCase(OK, 27, .escape),
        KeyCase(OK, 127, .backspace),
        KeyCase(OK, 8, .backspace),
        KeyCase(OK, 0, nil),
        KeyCase(OK, 3, nil),
        KeyCase(OK, 4, nil),
        KeyCase(OK, 0x85, nil),
        KeyCase(OK, 0xD800, nil),
        KeyCase(KEY_CODE_YES, KEY_BTAB, .backTab),
        KeyCase(KEY_CODE_YES, KEY_ENTER, .enter),
        KeyCase(KEY_CODE_YES, KEY_BACKSPACE, .backspace),
        KeyCase(KEY_CODE_YES, KEY_UP, .up),
        KeyCase(KEY_CODE_YES, KEY_DOWN, .down),
        KeyCase(KEY_CODE_YES, KEY_LEFT, .left),
        KeyCase(KEY_CODE_YES, KEY_RIGHT, .right),
        KeyCase(KEY_CODE_YES, KEY_PPAGE, .pageUp),
        KeyCase(KEY_CODE_YES, KEY_NPAGE, .pageDown),
        KeyCase(KEY_CODE_YES, KEY_HOME, .home),
        KeyCase(KEY_CODE_YES, KEY_END, .end),
        KeyCase(KEY_CODE_YES, KEY_RESIZE, .resize),
        KeyCase(KEY_CODE_YES, KEY_DC, nil),
        KeyCase(KEY_CODE_YES, KEY_F0 + 1, nil),
        KeyCase(ERR, 0x61, nil),
    ]

    @Test("wget_wch results map to keys", arguments: table)
    func mapping(_ entry: KeyCase) {
        #expect(NcursesTerminal.key(status: entry.status, value: entry.value) == entry.key)
    }

    @Test("a function key's code is not read as a character of the same number")
    func codesAreNotCharacters() {
        // KEY_UP is 0o403 = 259, which as a character would be "ă".
        #expect(NcursesTerminal.key(status: OK, value: wint_t(KEY_UP)) == .character("ă"))
        #expect(NcursesTerminal.key(status: KEY_CODE_YES, value: wint_t(KEY_UP)) == .up)
    }
}
