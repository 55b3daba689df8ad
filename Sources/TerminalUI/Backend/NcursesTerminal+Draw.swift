import CNcursesw

extension NcursesTerminal {
    /// Shows `grid`: writes only the runs that differ from the frame drawn last, then
    /// updates the screen in one go. The first frame, and the first after a resize or
    /// `invalidate()`, repaints the whole screen. Cells beyond the terminal's size are
    /// clipped.
    public func draw(_ grid: CellGrid) {
        guard !stopped else { return }
        let (columns, rows) = size  // may notice a resize, and so forget `lastDrawn`
        let previous = lastDrawn
        if previous == nil {
            werase(window)
            clearok(window, true)
        }
        for run in grid.changes(from: previous) where run.y < rows {
            for (offset, cell) in run.cells.enumerated() {
                let x = run.x + offset
                if x + max(1, Int(cell.width)) > columns { break }
                put(cell, x: x, y: run.y)
            }
        }
        wnoutrefresh(window)
        doupdate()
        lastDrawn = grid
    }

    /// Rings the terminal bell once (a call newly rings; see `BellPolicy`).
    public func bell() {
        guard !stopped else { return }
        beep()
    }

    /// Makes the next `draw` repaint everything (after the screen was disturbed).
    public func invalidate() {
        lastDrawn = nil
    }

    /// Writes one cell. A wide character is written in its leading cell only: the
    /// terminal covers the continuation cell. ERR (the bottom-right corner cannot
    /// advance the cursor; curses does not scroll) is ignored.
    private func put(_ cell: Cell, x: Int, y: Int) {
        var text = Self.drawableCharacters(cell.text, ascii: ascii)
        if cell.width == 0 {
            // A continuation: covered by its wide character, unless ASCII mode
            // narrowed that character to `?`; then this cell needs its own blank.
            guard text.isEmpty, ascii, x > 0 else { return }
            text = [wchar_t(0x20)]
        }
        var character = cchar_t()
        let attributes = Self.attributes(for: cell.style)
        let pair = palette?.pair(for: cell.style) ?? 0
        if setcchar(&character, text + [0], attributes, pair, nil) != OK {
            _ = setcchar(&character, [wchar_t(0x3F), 0], attributes, pair, nil)
        }
        _ = mvwadd_wch(window, Int32(y), Int32(x), &character)
    }

    /// The wide characters to hand to `setcchar` for a cell's text: a spacing character
    /// and at most four combining ones. Control characters become `?`, and so does any
    /// non-ASCII text in ASCII mode. Empty text (a continuation) stays empty.
    static func drawableCharacters(_ text: String, ascii: Bool) -> [wchar_t] {
        let scalars = Array(text.unicodeScalars.prefix(Int(CCHARW_MAX)))
        guard let first = scalars.first else { return [] }
        let control = first.value < 0x20 || (0x7F..<0xA0).contains(first.value)
        if control || (ascii && !scalars.allSatisfy(\.isASCII)) { return [wchar_t(0x3F)] }
        return scalars.map { wchar_t(bitPattern: $0.value) }
    }

    /// The curses attributes for a style; colours are separate (the pair).
    static func attributes(for style: Style) -> attr_t {
        var attributes = cnc_a_normal()
        if style.bold { attributes |= cnc_a_bold() }
        if style.reverse { attributes |= cnc_a_reverse() }
        if style.dim { attributes |= cnc_a_dim() }
        if style.underline { attributes |= cnc_a_underline() }
        return attributes
    }
}
