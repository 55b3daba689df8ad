/// The grid the views draw on, with the screen's two promises built in: in ASCII
/// mode only ASCII reaches a cell, and without colour no colour does.
/// Text still goes through `CellGrid.put`, which turns control characters into `?`.
struct Canvas {
    var grid: CellGrid
    let ascii: Bool
    let color: Bool

    init(width: Int, height: Int, ascii: Bool, color: Bool) {
        grid = CellGrid(width: width, height: height)
        self.ascii = ascii
        self.color = color
    }

    var glyphs: Glyphs { Glyphs(ascii: ascii) }

    /// `text` as it may be shown: in ASCII mode every other character becomes `?`.
    func clean(_ text: String) -> String {
        guard ascii, !text.allSatisfy(\.isASCII) else { return text }
        return String(text.map { $0.isASCII ? $0 : "?" })
    }

    /// `style` without colours when colour is off; attributes stay.
    func style(_ style: Style) -> Style {
        guard !color else { return style }
        var plain = style
        plain.foreground = nil
        plain.background = nil
        return plain
    }

    /// Columns `text` takes once cleaned.
    func columns(_ text: String) -> Int { TextWidth.columns(of: clean(text)) }

    /// `text` cut with an ellipsis to at most `width` columns.
    func truncate(_ text: String, to width: Int) -> String {
        TextWidth.truncate(clean(text), to: width, ascii: ascii)
    }

    /// Writes `text` from (x, y), clipped at `limit`. Returns the column after it.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        grid.put(clean(text), x: x, y: y, style: self.style(style), limit: limit)
    }

    /// Writes `text` in at most `width` columns, with an ellipsis when cut.
    @discardableResult
    mutating func text(_ text: String, x: Int, y: Int, width: Int, style: Style = .plain) -> Int {
        guard width > 0 else { return x }
        return put(truncate(text, to: width), x: x, y: y, style: style, limit: x + width)
    }

    mutating func fill(_ rect: Rect, style: Style = .plain) {
        grid.fill(rect, style: self.style(style))
    }

    /// Clears `rect` and a column either side of it (so the frame does not touch the
    /// text below), and draws a frame around it with `title` in the top edge.
    mutating func box(_ rect: Rect, title: String?, style: Style = .plain) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let g = glyphs
        fill(Rect(x: rect.x - 1, y: rect.y, width: rect.width + 2, height: rect.height))
        let inner = rect.width - 2
        put(g.topLeft + String(repeating: g.horizontal, count: inner) + g.topRight, x: rect.x, y: rect.y, style: style)
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            put(g.vertical, x: rect.x, y: y, style: style)
            put(g.vertical, x: rect.maxX - 1, y: y, style: style)
        }
        put(g.bottomLeft + String(repeating: g.horizontal, count: inner) + g.bottomRight,
            x: rect.x, y: rect.maxY - 1, style: style)
        if let title, inner > 4 {
            text(" \(title) ", x: rect.x + 2, y: rect.y, width: inner - 2, style: Style(bold: true, reverse: true))
        }
    }
}

extension Rect {
    /// A rectangle of this size centred in `outer` (shrunk to fit it).
    static func centered(width: Int, height: Int, in outer: Rect) -> Rect {
        let w = min(width, outer.width), h = min(height, outer.height)
        return Rect(x: outer.x + (outer.width - w) / 2, y: outer.y + (outer.height - h) / 2, width: w, height: h)
    }

    /// The rectangle without `dx` columns on each side and `dy` rows at top and bottom.
    func inset(dx: Int, dy: Int) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// One row of the rectangle.
    func row(_ index: Int) -> Rect { Rect(x: x, y: y + index, width: width, height: 1) }
}
