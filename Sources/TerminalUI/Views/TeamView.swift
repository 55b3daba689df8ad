import SoftphoneCore

/// The Team tab (the live agent dashboard): counts per icon, filter and sort,
/// then one row per colleague. Only the rows that fit are drawn, so thousands
/// of colleagues cost no more than a screenful.
enum TeamView {
    static func draw(_ model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect)
        guard rect.height >= 4 else { return }
        let table = model.team
        let x = rect.x + 1, width = rect.width - 2
        drawCounts(table, ascii: canvas.ascii, x: x, y: rect.y, width: width, on: &canvas)

        let bodyTop = rect.y + 3
        let visible = max(0, rect.maxY - bodyTop)
        let first = firstRow(requested: model.ui.scroll[.team] ?? 0, rows: table.rows.count, visible: visible)
        drawSummary(model, first: first, visible: visible, x: x, y: rect.y + 1, width: width, on: &canvas)

        guard !table.rows.isEmpty else {
            let empty = table.total == 0 ? "No colleagues configured."
                : "No one matches \"\(model.ui.teamFilter)\". / changes the filter."
            canvas.text(empty, x: x + 1, y: bodyTop, width: width - 1, style: Theme.bold)
            return
        }
        let iconWidth = canvas.columns(PresenceIcon.available.glyph(ascii: canvas.ascii))
        let columns = Columns(width: width, iconWidth: iconWidth)
        columns.header(on: &canvas, x: x, y: rect.y + 2)
        let last = min(table.rows.count, first + visible)
        for (offset, colleague) in table.rows[first..<last].enumerated() {
            columns.row(colleague, now: model.now, on: &canvas, x: x, y: bodyTop + offset)
        }
    }

    /// The scroll offset, clamped so the last page is full and never negative.
    static func firstRow(requested: Int, rows: Int, visible: Int) -> Int {
        max(0, min(requested, rows - visible))
    }

    /// "🟢 12  🔴 5  ⛔ 3  of 40": icons in the dashboard's order, only those present.
    static func drawCounts(_ table: TeamTable, ascii: Bool, x: Int, y: Int, width: Int, on canvas: inout Canvas) {
        let icons = Roster.iconOrder.sorted { $0.value < $1.value }.map(\.key)
        var column = x
        for icon in icons {
            guard let count = table.counts[icon], count > 0 else { continue }
            column = canvas.put(icon.glyph(ascii: ascii), x: column, y: y, limit: x + width)
            column = canvas.put(" \(count)  ", x: column, y: y, style: Theme.presence(icon, bold: true),
                                limit: x + width)
        }
        canvas.put("of \(table.total)", x: column, y: y, limit: x + width)
    }

    /// "filter: bo   sort: state (s)   rows 1-12 of 40"
    static func drawSummary(_ model: ScreenModel, first: Int, visible: Int, x: Int, y: Int, width: Int,
                            on canvas: inout Canvas) {
        let rows = model.team.rows.count
        var parts: [String] = []
        if !model.ui.teamFilter.isEmpty { parts.append("filter: \(model.ui.teamFilter)") }
        parts.append("sort: \(model.ui.teamSort.label) (s)")
        if rows > 0 { parts.append("rows \(first + 1)-\(min(rows, first + visible)) of \(rows)") }
        canvas.text(parts.joined(separator: "   "), x: x, y: y, width: width, style: Theme.dim)
    }

    struct Columns {
        let iconWidth: Int, name: Int, state: Int, since = 8

        init(width: Int, iconWidth: Int) {
            self.iconWidth = iconWidth
            let rest = max(10, width - iconWidth - since - 3)
            name = min(32, rest * 11 / 20)
            state = min(30, rest - name)
        }

        func header(on canvas: inout Canvas, x: Int, y: Int) {
            canvas.put(String(repeating: " ", count: iconWidth), x: x, y: y, style: Theme.columnHeader)
            var column = x + iconWidth + 1
            for (title, width) in [("Name", name), ("State", state), ("For", since)] {
                canvas.text(TextWidth.pad(title, to: width), x: column, y: y, width: width, style: Theme.columnHeader)
                column += width + 1
            }
        }

        func row(_ colleague: Colleague, now: Instant, on canvas: inout Canvas, x: Int, y: Int) {
            let icon = colleague.presence.icon
            canvas.put(icon.glyph(ascii: canvas.ascii), x: x, y: y)
            var column = x + iconWidth + 1
            canvas.text(colleague.name, x: column, y: y, width: name)
            column += name + 1
            canvas.text(colleague.presence.label, x: column, y: y, width: state, style: Theme.presence(icon))
            column += state + 1
            let duration = Format.since(now - colleague.since)
            canvas.put(duration, x: column + since - canvas.columns(duration), y: y)
        }
    }
}
