import SoftphoneCore

/// The screen's styles. Colour only repeats what text, brackets and reverse
/// video already say, so a monochrome terminal loses nothing.
enum Theme {
    static let header = Style(reverse: true)
    static let bold = Style(bold: true)
    static let dim = Style(dim: true)
    static let columnHeader = Style(bold: true, underline: true)
    static let selected = Style(bold: true, reverse: true)
    static let key = Style(foreground: .cyan, bold: true)
    static let notice = Style(foreground: .yellow, bold: true)
    static let warning = Style(foreground: .red, bold: true)

    /// Green available, yellow away, red busy and ⛔, magenta out of office.
    static func color(of icon: PresenceIcon) -> TerminalColor? {
        switch icon {
        case .available: .green
        case .away: .yellow
        case .busy, .doNotDisturb: .red
        case .outOfOffice, .busyOutOfOffice: .magenta
        case .offline, .unknown: nil
        }
    }

    /// A presence icon or label in its colour.
    static func presence(_ icon: PresenceIcon, bold: Bool = false) -> Style {
        Style(foreground: color(of: icon), bold: bold)
    }
}
