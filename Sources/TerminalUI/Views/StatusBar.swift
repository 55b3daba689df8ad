import SoftphoneCore

/// Row 0: presence badge and who set it, the agent, the line, Teams sync, missed
/// calls and the clock; ❎ in the top-right corner while Teams is not connected (R13) —
/// never when Teams is not configured at all (then the bar says "Teams off").
/// When the row is too narrow the least important parts go first; the badge and ❎ stay.
enum StatusBar {
    /// How long a change may wait for Teams before the bar says "out of sync".
    static let outOfSyncAfter = Duration.seconds(5)

    static func draw(_ model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect, style: Theme.header)
        let g = canvas.glyphs
        let state = model.state
        // The Teams slot is always reserved, so the rest does not move when ❎ comes and goes.
        let slot = canvas.columns(g.teamsDisconnected)
        if model.teamsConfigured, !state.teamsConnected {
            canvas.put(g.teamsDisconnected, x: rect.maxX - slot, y: rect.y,
                       style: Style(foreground: .red, bold: true, reverse: true))
        }
        let room = rect.width - 1 - slot - 1
        let separator = canvas.columns(g.separator)
        let parts = LinePart.fitting(parts(model), width: room, gap: separator, measure: canvas.columns)
        // Left-aligned parts from the left edge; the clock and the Teams label end just before the slot.
        var x = rect.x + 1
        for (i, part) in parts.enumerated() where !part.right {
            if i > 0 { x = canvas.put(part.attached ? " " : g.separator, x: x, y: rect.y, style: Theme.header) }
            x = canvas.text(part.text, x: x, y: rect.y, width: rect.x + 1 + room - x, style: part.style)
        }
        let right = parts.filter(\.right)
        var end = rect.x + 1 + room
        for (i, part) in right.enumerated().reversed() {
            end -= canvas.columns(part.text)
            canvas.put(part.text, x: end, y: rect.y, style: part.style)
            if i > 0 {
                end -= separator
                canvas.put(g.separator, x: end, y: rect.y, style: Theme.header)
            }
        }
    }

    /// Every part, in screen order, each with its importance: presence, who set it,
    /// the agent, the line, Teams sync, missed calls; on the right the clock and the Teams label.
    static func parts(_ model: ScreenModel) -> [LinePart] {
        let state = model.state
        let presence = state.presence
        var badgeStyle = Theme.presence(presence.icon, bold: true)
        badgeStyle.reverse = true
        var parts = [
            LinePart(text: presence.badge(ascii: model.ascii), style: badgeStyle, priority: 0),
            LinePart(text: "(set by \(state.presenceSetBy.label))", style: Theme.header, priority: 5, attached: true),
            LinePart(text: identity(model.identity), style: Theme.header, priority: 8),
            LinePart(text: state.loggedIn ? "line \(state.line.label)" : "logged out",
                     style: lineHealthy(state) ? Theme.header : warning, priority: 1),
        ]
        if let call = KeyMap.currentConnected(state), call.muted {
            parts.append(LinePart(text: Glyphs(ascii: model.ascii).muted,
                                  style: warning, priority: 1))
        }
        parts.append(sync(model))
        if state.missedCount > 0 {
            parts.append(LinePart(text: "\(state.missedCount) missed", style: warning, priority: 4))
        }
        parts.append(LinePart(text: model.clock, style: Theme.header, priority: 7, right: true))
        if model.teamsConfigured, !state.teamsConnected {
            let label = state.teamsSignInNeeded ? TeamsDisconnectedIcon.signInLabel : TeamsDisconnectedIcon.label
            parts.append(LinePart(text: label, style: warning, priority: 2, right: true))
        }
        return parts
    }

    static let warning = Style(foreground: .red, bold: true, reverse: true)

    static func identity(_ identity: ScreenModel.Identity) -> String {
        identity.extensionNumber.map { "\(identity.name) ext \($0)" } ?? identity.name
    }

    static func lineHealthy(_ state: SoftphoneState) -> Bool {
        switch state.line {
        case .registered, .listening: true
        case .unregistered, .registering: state.loggedIn
        case .failed: false
        }
    }

    /// "in sync", "syncing", "out of sync since 14:02", "Teams off", "sync off", or why sync
    /// is slowed (Graph asked to wait; the request budget) — slow is not disconnected: no ❎.
    static func sync(_ model: ScreenModel) -> LinePart {
        let state = model.state
        guard model.teamsConfigured else { return LinePart(text: "Teams off", style: Theme.header, priority: 6) }
        guard state.settings.sync != .off else { return LinePart(text: "sync off", style: Theme.header, priority: 6) }
        if let wait = state.teamsWait, wait.until > model.now {
            // A long wait (Graph may ask for hours) says until when.
            let until = wait.asked >= .seconds(10 * 60) ? " (until \(model.timeOfDay(wait.until)))" : ""
            return LinePart(text: "Teams: sync slowed — Graph asked to wait \(spoken(wait.asked))\(until)",
                            style: Theme.header, priority: 3)
        }
        if state.teamsPending {
            if let since = state.teamsPendingSince, model.now - since > outOfSyncAfter {
                return LinePart(text: "out of sync since \(model.timeOfDay(since))", style: warning, priority: 3)
            }
            return LinePart(text: "syncing", style: Theme.header, priority: 6)
        }
        if let budget = state.teamsSlowedByBudget {
            return LinePart(text: "Teams: sync slowed to stay within \(budget) requests per 30 s", style: Theme.header, priority: 6)
        }
        return LinePart(text: "in sync", style: Theme.header, priority: 6)
    }

    /// "20 s", "5 min", "3 h 20 min".
    static func spoken(_ duration: Duration) -> String {
        let seconds = min(max(0, duration.wholeSeconds), 366 * 24 * 3600)  // no overflow below
        if seconds < 120 { return "\(seconds) s" }
        let minutes = (seconds + 59) / 60
        if minutes < 120 { return "\(minutes) min" }
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }
}
