import SoftphoneCore

/// The presence picker: a centred box with the six choices and Logout, numbered
/// 1–7 as the keys that choose them, the selection in reverse video with a pointer,
/// the agent's current choice marked, and a note when Teams shows a state the agent
/// cannot choose (Presenting, In a meeting).
enum PresencePicker {
    /// "1 🟢 Available" … "7 ❌ Logout".
    static func entries(ascii: Bool) -> [String] {
        let states = UserChoice.allCases.map { ($0.label, Presence($0.state).icon) }
            + [(PresenceState.logout.label, Presence(.logout).icon)]
        return states.enumerated().map { "\($0.offset + 1) \($0.element.1.glyph(ascii: ascii)) \($0.element.0)" }
    }

    /// "now: ⛔ Presenting (set by Teams) — cannot be chosen", when the base presence is app-configured.
    static func note(_ state: SoftphoneState, ascii: Bool) -> String? {
        guard state.loggedIn, state.base.state.isAppConfigured else { return nil }
        return "now: \(state.base.badge(ascii: ascii)) (set by \(state.baseSetBy.label)) "
            + "\(Glyphs(ascii: ascii).dash) cannot be chosen"
    }

    static let currentMark = "current"

    static func draw(_ model: ScreenModel, selection: Int, in area: Rect, on canvas: inout Canvas) {
        let entries = entries(ascii: canvas.ascii)
        let note = note(model.state, ascii: canvas.ascii)
        let current = model.state.loggedIn ? UserChoice.allCases.firstIndex(of: model.state.choice) : entries.count - 1
        let entryWidth = entries.map(canvas.columns).max()! + 2 + currentMark.count + 2
        let contentWidth = max(entryWidth, note.map(canvas.columns) ?? 0, 24)
        let height = entries.count + 2 + (note == nil ? 0 : 2)
        let box = Rect.centered(width: contentWidth + 4, height: height, in: area)
        canvas.box(box, title: "Presence", style: Theme.bold)
        let inner = box.inset(dx: 2, dy: 1)
        let pointer = canvas.glyphs.pointer
        for (i, entry) in entries.enumerated() where i < inner.height {
            let y = inner.y + i
            let selected = i == selection
            if selected {
                canvas.fill(Rect(x: inner.x - 1, y: y, width: inner.width + 2, height: 1), style: Theme.selected)
            }
            let style = selected ? Theme.selected : Style.plain
            if selected { canvas.put(pointer, x: inner.x - 1, y: y, style: style) }
            canvas.text(entry, x: inner.x + 1, y: y, width: inner.width - 1, style: style)
            if i == current {
                canvas.put(currentMark, x: inner.maxX - currentMark.count, y: y, style: selected ? style : Theme.dim)
            }
        }
        if let note, inner.height > entries.count + 1 {
            canvas.text(note, x: inner.x, y: inner.y + entries.count + 1, width: inner.width, style: Theme.notice)
        }
    }
}
