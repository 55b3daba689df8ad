import CNcursesw

/// The colour pairs: one per (foreground, background) combination of `TerminalColor?`,
/// where `nil` is the terminal's default colour.
///
/// Pairs are numbered background-major, so the combinations on the default background
/// (the common case) get the low numbers 0–8 and fit any colour terminal; pair 0 is
/// (default, default), as curses defines it. A terminal with fewer pairs than the 81
/// combinations drops the background of those that do not fit.
struct ColorPalette: Sendable {
    /// `nil` plus the eight colours.
    static let slots = TerminalColor.allCases.count + 1
    static let combinations = slots * slots

    /// How many pairs the terminal has (`COLOR_PAIRS`).
    let available: Int
    /// Whether the terminal accepted `use_default_colors`, so -1 means "default".
    let defaultColors: Bool

    static func slot(_ color: TerminalColor?) -> Int {
        color.map { Int($0.rawValue) + 1 } ?? 0
    }

    /// The pair number of a combination, in 0..<81.
    static func pairIndex(foreground: TerminalColor?, background: TerminalColor?) -> Int {
        slot(background) * slots + slot(foreground)
    }

    /// The combination a pair number stands for (the inverse of `pairIndex`).
    static func colors(ofPair index: Int) -> (foreground: TerminalColor?, background: TerminalColor?) {
        func color(_ slot: Int) -> TerminalColor? { slot == 0 ? nil : TerminalColor(rawValue: UInt8(slot - 1)) }
        return (color(index % slots), color(index / slots))
    }

    /// The pair to draw `style` with on this terminal.
    func pair(for style: Style) -> Int16 {
        let index = Self.pairIndex(foreground: style.foreground, background: style.background)
        if index < available { return Int16(index) }
        let foregroundOnly = Self.pairIndex(foreground: style.foreground, background: nil)
        return foregroundOnly < available ? Int16(foregroundOnly) : 0
    }

    /// The curses colour number for a slot: the colour itself, else -1 (default) or,
    /// without default colours, white on black.
    func cursesColor(_ color: TerminalColor?, foreground: Bool) -> Int16 {
        if let color { return Int16(color.rawValue) }
        if defaultColors { return -1 }
        return foreground ? Int16(COLOR_WHITE) : Int16(COLOR_BLACK)
    }

    /// Defines every pair that fits (pair 0 is fixed by curses).
    func install() {
        for index in 1..<min(Self.combinations, available) {
            let (foreground, background) = Self.colors(ofPair: index)
            init_pair(Int16(index), cursesColor(foreground, foreground: true), cursesColor(background, foreground: false))
        }
    }
}
