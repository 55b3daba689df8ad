import SoftphoneCore

/// The last row: the keys that do something now, or the notice when there is one.
/// Hints that do not fit are left out from the end.
enum KeyHints {
    struct Hint: Equatable {
        var key: String
        var label: String
    }

    static func draw(_ model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect)
        if let notice = model.ui.notice {
            canvas.text(notice, x: rect.x + 1, y: rect.y, width: rect.width - 2, style: Theme.notice)
            return
        }
        var x = rect.x + 1
        for (i, hint) in hints(model, ascii: canvas.ascii).enumerated() {
            let width = (i > 0 ? 2 : 0) + canvas.columns(hint.key) + 1 + canvas.columns(hint.label)
            guard x + width <= rect.maxX - 1 else { break }
            if i > 0 { x += 2 }
            x = canvas.put(hint.key, x: x, y: rect.y, style: Theme.key)
            x = canvas.put(" " + hint.label, x: x, y: rect.y)
        }
    }

    /// The hints for what is on screen: an overlay's own keys, a ringing call,
    /// a call in progress, or the idle keys.
    static func hints(_ model: ScreenModel, ascii: Bool) -> [Hint] {
        let state = model.state
        switch model.ui.overlay {
        case .picker:
            return [Hint(key: "1-7", label: "choose"), Hint(key: Glyphs(ascii: ascii).upDown, label: "move"),
                    Hint(key: "Enter", label: "choose"), Hint(key: "Esc", label: "close")]
        case .help: return [Hint(key: "any key", label: "closes")]
        case .confirmQuit: return [Hint(key: "y", label: "quit"), Hint(key: "n", label: "stay")]
        case .prompt, nil: break
        }
        var hints: [Hint] = []
        if state.calls.contains(where: { $0.phase == .ringing }) {
            hints += [Hint(key: "a", label: "accept"), Hint(key: "d", label: "decline")]
        }
        if let connected = state.calls.last(where: \.isConnected) {
            hints += [Hint(key: "e", label: "end"), Hint(key: "h", label: connected.phase == .held ? "resume" : "hold"),
                      Hint(key: "t", label: "transfer"),
                      Hint(key: "m", label: (KeyMap.currentConnected(state)?.muted ?? false) ? "unmute" : "mute")]
        } else if state.calls.contains(where: { $0.phase == .dialing }) {
            hints.append(Hint(key: "e", label: "cancel"))
        }
        if state.calls.isEmpty {
            if state.wrapUp != nil { hints.append(Hint(key: "w", label: "prolong wrap-up")) }
            hints += [Hint(key: "p", label: "presence"), Hint(key: "L", label: state.loggedIn ? "logout" : "login")]
            if state.loggedIn { hints.append(Hint(key: "c", label: "call")) }
        }
        hints += [Hint(key: "Tab", label: "tabs"), Hint(key: "/", label: "filter")]
        if model.ui.tab == .team { hints.append(Hint(key: "s", label: "sort")) }
        hints += [Hint(key: "r", label: "resync"), Hint(key: "?", label: "help"), Hint(key: "q", label: "quit")]
        return hints
    }
}
