/// The icons of the seed's table. Every presence maps to exactly one.
public enum PresenceIcon: String, CaseIterable, Sendable, Hashable {
    case available, away, doNotDisturb, busy, unknown, offline, outOfOffice, busyOutOfOffice

    public var emoji: String {
        switch self {
        case .available: "🟢"
        case .away: "🟡"
        case .doNotDisturb: "⛔"
        case .busy: "🔴"
        case .unknown: "⚪"
        case .offline: "❌"
        case .outOfOffice: "🟣"
        case .busyOutOfOffice: "⭕️"
        }
    }

    /// Three columns, for terminals without UTF-8. All distinct.
    public var ascii: String {
        switch self {
        case .available: "[+]"
        case .away: "[~]"
        case .doNotDisturb: "[-]"
        case .busy: "[*]"
        case .unknown: "[?]"
        case .offline: "[x]"
        case .outOfOffice: "[o]"
        case .busyOutOfOffice: "[O]"
        }
    }

    public func glyph(ascii useASCII: Bool) -> String { useASCII ? ascii : emoji }
}

/// ❎ — not a presence: there is no working connection to Teams (R13).
public enum TeamsDisconnectedIcon {
    public static let emoji = "❎"
    public static let ascii = "[!]"
    public static let label = "Teams not connected"
    /// The label when Teams needs the agent to sign in (SPEC section 9's words).
    public static let signInLabel = "Teams: sign in with `softphone teams login`"
}

extension Presence {
    /// The icon, with the display rules for out of office: ⛔ states hide it,
    /// busy states show ⭕️, every other state 🟣. Logout and Unknown ignore it.
    public var icon: PresenceIcon {
        switch state.category {
        case .unknown: return .unknown
        case .doNotDisturb: return .doNotDisturb
        case _ where state == .logout: return .offline
        case .busy: return outOfOffice ? .busyOutOfOffice : .busy
        case .available: return outOfOffice ? .outOfOffice : .available
        case .away: return outOfOffice ? .outOfOffice : .away
        case .offline: return outOfOffice ? .outOfOffice : .offline
        }
    }

    /// The label beside the icon. With out of office on, a ⛔ state shows its own
    /// label only (Teams would say "Do not disturb, Out of Office"; we say "Do not disturb").
    public var label: String {
        guard outOfOffice, !isDoNotDisturb, state != .logout, state != .unknown else { return state.label }
        if state == .offline { return "Out of office" }
        return "\(state.label) - Out of office"
    }

    /// Icon and label together, as the status bar shows them.
    public func badge(ascii: Bool) -> String { "\(icon.glyph(ascii: ascii)) \(label)" }
}
