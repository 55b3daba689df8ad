/// The last row while the agent types a number or a filter: "Call: 1002▏".
/// A long entry scrolls so its end and the cursor stay visible.
enum PromptLine {
    static func draw(_ prompt: Prompt, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect)
        let hint = prompt.kind == .filter ? "Enter keep  Esc clear" : "Enter ok  Esc cancel"
        var x = canvas.put("\(prompt.title): ", x: rect.x + 1, y: rect.y, style: Theme.bold)
        let hintWidth = canvas.columns(hint) + 2
        let showHint = rect.maxX - 1 - x - hintWidth >= 12
        let room = rect.maxX - 1 - x - (showHint ? hintWidth : 0) - canvas.columns(canvas.glyphs.cursor)
        x = canvas.put(tail(canvas.clean(prompt.text), fitting: room), x: x, y: rect.y, limit: x + room)
        canvas.put(canvas.glyphs.cursor, x: x, y: rect.y, style: Theme.bold)
        if showHint {
            canvas.put(hint, x: rect.maxX - 1 - canvas.columns(hint), y: rect.y, style: Theme.dim)
        }
    }

    /// The end of `text` that fits in `width` columns.
    static func tail(_ text: String, fitting width: Int) -> String {
        var result = "", used = 0
        for character in text.reversed() {
            let w = TextWidth.columns(of: character) ?? 1
            if used + w > width { break }
            result.insert(character, at: result.startIndex)
            used += w
        }
        return result
    }
}
