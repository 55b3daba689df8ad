import CNcursesw
import Testing
@testable import TerminalUI

@Suite("Backend: colour pairs and attributes")
struct BackendColorTests {
    static let choices: [TerminalColor?] = [nil] + TerminalColor.allCases.map { $0 }

    @Test("every (foreground, background) combination has its own pair in 0..<81, and back")
    func pairsAreDistinct() {
        var seen = Set<Int>()
        for foreground in Self.choices {
            for background in Self.choices {
                let index = ColorPalette.pairIndex(foreground: foreground, background: background)
                #expect((0..<81).contains(index))
                seen.insert(index)
                let back = ColorPalette.colors(ofPair: index)
                #expect(back.foreground == foreground && back.background == background)
            }
        }
        #expect(seen.count == 81)
    }

    @Test("default on default is pair 0; the default background takes pairs 0–8")
    func defaultsComeFirst() {
        #expect(ColorPalette.pairIndex(foreground: nil, background: nil) == 0)
        for color in TerminalColor.allCases {
            #expect(ColorPalette.pairIndex(foreground: color, background: nil) == Int(color.rawValue) + 1)
        }
        #expect(ColorPalette.pairIndex(foreground: nil, background: .black) == 9)
        #expect(ColorPalette.pairIndex(foreground: .white, background: .white) == 80)
    }

    @Test("with 64 pairs a combination that does not fit keeps its foreground")
    func fewPairs() {
        let palette = ColorPalette(available: 64, defaultColors: true)
        let fits = Style(foreground: .yellow, background: .blue)
        #expect(palette.pair(for: fits) == Int16(ColorPalette.pairIndex(foreground: .yellow, background: .blue)))
        let tooHigh = Style(foreground: .red, background: .white)
        #expect(palette.pair(for: tooHigh) == Int16(ColorPalette.pairIndex(foreground: .red, background: nil)))
        #expect(ColorPalette(available: 1, defaultColors: true).pair(for: tooHigh) == 0)
    }

    @Test("curses colour numbers: the colour itself, -1 for default, white on black without defaults")
    func cursesColors() {
        let withDefaults = ColorPalette(available: 256, defaultColors: true)
        #expect(withDefaults.cursesColor(.red, foreground: true) == Int16(COLOR_RED))
        #expect(withDefaults.cursesColor(.cyan, foreground: false) == Int16(COLOR_CYAN))
        #expect(withDefaults.cursesColor(nil, foreground: true) == -1)
        let without = ColorPalette(available: 256, defaultColors: false)
        #expect(without.cursesColor(nil, foreground: true) == Int16(COLOR_WHITE))
        #expect(without.cursesColor(nil, foreground: false) == Int16(COLOR_BLACK))
    }

    @Test("styles become attributes, with or without colour")
    func attributes() {
        #expect(NcursesTerminal.attributes(for: .plain) == cnc_a_normal())
        let all = Style(foreground: .red, bold: true, reverse: true, dim: true, underline: true)
        #expect(NcursesTerminal.attributes(for: all)
            == cnc_a_bold() | cnc_a_reverse() | cnc_a_dim() | cnc_a_underline())
        #expect(NcursesTerminal.attributes(for: Style(background: .blue, reverse: true)) == cnc_a_reverse())
    }

    @Test("cell text becomes at most one spacing and four combining characters; controls become ?")
    func drawableCharacters() {
        #expect(NcursesTerminal.drawableCharacters("a", ascii: false) == [0x61])
        #expect(NcursesTerminal.drawableCharacters("", ascii: false) == [])
        #expect(NcursesTerminal.drawableCharacters("\u{7}", ascii: false) == [0x3F])
        #expect(NcursesTerminal.drawableCharacters("☎️", ascii: false) == [0x260E, 0xFE0F])
        #expect(NcursesTerminal.drawableCharacters("☎️", ascii: true) == [0x3F])
        #expect(NcursesTerminal.drawableCharacters("e\u{301}\u{302}\u{303}\u{304}\u{305}", ascii: false).count == 5)
    }
}
