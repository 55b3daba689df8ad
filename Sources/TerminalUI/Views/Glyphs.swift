import SoftphoneCore

/// The characters the screen draws with besides text: box edges, separators,
/// arrows. ASCII mode has a plain counterpart for each.
struct Glyphs {
    let ascii: Bool

    var topLeft: String { ascii ? "+" : "┌" }
    var topRight: String { ascii ? "+" : "┐" }
    var bottomLeft: String { ascii ? "+" : "└" }
    var bottomRight: String { ascii ? "+" : "┘" }
    var horizontal: String { ascii ? "-" : "─" }
    var vertical: String { ascii ? "|" : "│" }
    /// Between the parts of the status bar.
    var separator: String { ascii ? " | " : " │ " }
    /// A dash in running text.
    var dash: String { ascii ? "-" : "—" }
    /// The cursor at the end of a prompt.
    var cursor: String { ascii ? "_" : "▏" }
    var times: String { ascii ? "x" : "×" }
    var upDown: String { ascii ? "Up/Down" : "↑↓" }
    var inbound: String { ascii ? "in" : "← in" }
    var outbound: String { ascii ? "out" : "→ out" }
    /// Marks the selected entry of a list, besides reverse video.
    var pointer: String { ascii ? ">" : "▸" }
    /// The microphone is muted (Calls tab, status bar).
    var muted: String { ascii ? "[muted]" : "🔇 muted" }
    /// The call's audio is encrypted (SRTP), before its audio line in the Calls tab.
    var encrypted: String { ascii ? "[SRTP]" : "🔒" }
    var teamsDisconnected: String { ascii ? TeamsDisconnectedIcon.ascii : TeamsDisconnectedIcon.emoji }
}
