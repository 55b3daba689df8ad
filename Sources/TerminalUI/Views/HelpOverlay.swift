/// Every key, one per line (SPEC section 6 plus `w` and `s`), in one column or,
/// on a short screen, two with shorter words. Any key closes it.
enum HelpOverlay {
    struct Entry {
        var key: String
        var long: String
        var short: String
    }

    static let entries: [Entry] = [
        Entry(key: "p", long: "presence picker", short: "presence"),
        Entry(key: "1-7", long: "choose in the picker (arrows, Enter; Esc closes)", short: "choose (Esc)"),
        Entry(key: "L", long: "log in / log out", short: "login/logout"),
        Entry(key: "a", long: "accept the ringing call", short: "accept call"),
        Entry(key: "d", long: "decline the ringing call", short: "decline call"),
        Entry(key: "e", long: "end the call", short: "end call"),
        Entry(key: "h", long: "hold / resume the call", short: "hold/resume"),
        Entry(key: "t", long: "transfer the call", short: "transfer"),
        Entry(key: "0-9 * #", long: "send DTMF during a call", short: "DTMF"),
        Entry(key: "m", long: "mute / unmute the microphone", short: "mute/unmute"),
        Entry(key: "c", long: "call a number", short: "call"),
        Entry(key: "w", long: "prolong wrap-up", short: "prolong wrap-up"),
        Entry(key: "Tab", long: "next tab", short: "next tab"),
        Entry(key: "Shift-Tab", long: "previous tab", short: "previous tab"),
        Entry(key: "/", long: "filter the Team tab", short: "filter Team"),
        Entry(key: "s", long: "sort the Team tab", short: "sort Team"),
        Entry(key: "r", long: "resynchronize with Teams now", short: "resync Teams"),
        Entry(key: "Up/Down", long: "scroll (PgUp, PgDn, Home)", short: "scroll"),
        Entry(key: "?", long: "this help", short: "this help"),
        Entry(key: "q", long: "quit (asks first during a call)", short: "quit"),
    ]

    static let footer = "any key closes"

    static func draw(in area: Rect, on canvas: inout Canvas) {
        let keyWidth = entries.map { $0.key.count }.max()! + 1
        let oneColumn = entries.count + 2 <= area.height - 2
        let columns = oneColumn ? 1 : 2
        let perColumn = (entries.count + columns - 1) / columns
        let texts = entries.map { oneColumn ? $0.long : $0.short }
        let columnWidth = min(keyWidth + texts.map(\.count).max()!, (area.width - 4 - 3 * (columns - 1)) / columns)
        let box = Rect.centered(width: columnWidth * columns + 3 * (columns - 1) + 4, height: perColumn + 4, in: area)
        canvas.box(box, title: "Keys", style: Theme.bold)
        let inner = box.inset(dx: 2, dy: 1)
        for (i, entry) in entries.enumerated() {
            let x = inner.x + (i / perColumn) * (columnWidth + 3), y = inner.y + i % perColumn
            guard y < inner.maxY else { continue }
            canvas.put(entry.key, x: x, y: y, style: Theme.key)
            canvas.text(texts[i], x: x + keyWidth, y: y, width: columnWidth - keyWidth)
        }
        canvas.put(footer, x: max(inner.x, inner.maxX - footer.count), y: inner.maxY - 1, style: Theme.dim,
                   limit: inner.maxX)
    }
}
