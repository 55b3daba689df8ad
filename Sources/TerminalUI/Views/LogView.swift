import SoftphoneCore

/// The Log tab: what happened and why, newest first (like History). Long events
/// wrap onto further lines, so a reason such as "not signalled: Do not disturb
/// (R2), reject 486" is readable in full.
enum LogView {
    static func draw(_ model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect)
        let events = model.state.log.events
        let x = rect.x + 1, width = rect.width - 2
        guard !events.isEmpty else {
            canvas.text("Nothing has happened yet.", x: x + 1, y: rect.y + 1, width: width - 1, style: Theme.bold)
            return
        }
        let time = canvas.columns(model.timeOfDay(events[events.count - 1].at))
        let textX = x + time + 1
        let textWidth = max(10, x + width - textX)
        let skip = min(max(0, model.ui.scroll[.log] ?? 0), events.count - 1)
        var y = rect.y
        for event in events.reversed().dropFirst(skip) {
            guard y < rect.maxY else { break }
            let style = event.kind == .error ? Theme.warning : Style.plain
            canvas.put(model.timeOfDay(event.at), x: x, y: y, style: Theme.dim)
            for line in wrap(canvas.clean(event.text), width: textWidth) {
                guard y < rect.maxY else { break }
                canvas.put(line, x: textX, y: y, style: style, limit: textX + textWidth)
                y += 1
            }
        }
    }

    /// `text` in lines of at most `width` columns, broken at spaces where possible.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = "", lineWidth = 0
        var word = "", wordWidth = 0
        func flushWord() {
            guard !word.isEmpty else { return }
            if lineWidth > 0, lineWidth + 1 + wordWidth > width {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            if lineWidth > 0 { line += " "; lineWidth += 1 }
            line += word
            lineWidth += wordWidth
            word = ""
            wordWidth = 0
        }
        for character in text {
            if character == " " { flushWord(); continue }
            let w = TextWidth.columns(of: character) ?? 1
            if wordWidth + w > width {  // a word longer than the line: cut it
                flushWord()
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            word.append(character)
            wordWidth += w
        }
        flushWord()
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
