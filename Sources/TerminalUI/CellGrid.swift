/// One terminal cell. A wide character (an emoji) occupies its cell and a
/// continuation cell to its right (`width == 0`, empty text).
public struct Cell: Hashable, Sendable {
    public var text: String
    public var width: UInt8
    public var style: Style

    public init(text: String = " ", width: UInt8 = 1, style: Style = .plain) {
        self.text = text
        self.width = width
        self.style = style
    }

    public static let blank = Cell()
    static func continuation(_ style: Style) -> Cell { Cell(text: "", width: 0, style: style) }
}

/// A rectangle on the grid.
public struct Rect: Hashable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
}

/// A frame as a plain value: what views draw into and tests compare.
/// Only the terminal backend turns it into ncurses calls.
public struct CellGrid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Writes `text` from (x, y), clipped at `limit` (exclusive column, default the grid's
    /// width). Characters that cannot be shown become `?`; a wide character that would
    /// straddle the limit is left out. Returns the column after the last one written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(limit ?? width, width)
        var column = x
        for character in text {
            var glyph = String(character)
            var w = TextWidth.columns(of: character)
            if w == nil { glyph = "?"; w = 1 }
            guard let cw = w, cw > 0 else { continue }
            if column + cw > end { break }
            if column >= 0 { set(column, y, Cell(text: glyph, width: UInt8(cw), style: style)) }
            if cw == 2, column + 1 >= 0 { set(column + 1, y, .continuation(style)) }
            column += cw
        }
        return column
    }

    /// Fills a rectangle with blanks in `style`.
    public mutating func fill(_ rect: Rect, style: Style = .plain) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            let row = y * width
            // A wide character cut by either edge loses its other half too.
            if x0 > 0, cells[row + x0].width == 0 { cells[row + x0 - 1] = Cell(style: cells[row + x0 - 1].style) }
            if x1 < width, cells[row + x1].width == 0 { cells[row + x1] = Cell(style: cells[row + x1].style) }
            for x in x0..<x1 { cells[row + x] = Cell(style: style) }
        }
    }

    /// Sets one cell, keeping wide characters whole: overwriting half of one blanks the other half.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, x < width else { return }
        let i = y * width + x
        let old = cells[i]
        if old.width == 0, x > 0, cells[i - 1].width == 2, cell.width != 0 {
            cells[i - 1] = Cell(style: cells[i - 1].style)
        }
        if old.width == 2, x + 1 < width, cell.width != 2 {
            cells[i + 1] = Cell(style: cells[i + 1].style)
        }
        cells[i] = cell
    }

    /// The grid as text, one line per row, trailing spaces removed: what a person sees.
    public var text: String {
        (0..<height).map { line($0) }.joined(separator: "\n")
    }

    /// One row as text, trailing spaces removed.
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where cells[y * width + x].width > 0 { s += cells[y * width + x].text }
        while s.last == " " { s.removeLast() }
        return s
    }

    /// A run of changed cells on one row, for the backend.
    public struct Run: Hashable, Sendable {
        public var x: Int
        public var y: Int
        public var cells: ArraySlice<Cell>
    }

    /// The runs of cells that differ from `old`; everything when the sizes differ.
    public func changes(from old: CellGrid?) -> [Run] {
        var runs: [Run] = []
        let full = old == nil || old!.width != width || old!.height != height
        for y in 0..<height {
            let row = y * width
            var x = 0
            while x < width {
                if !full, cells[row + x] == old!.cells[row + x] { x += 1; continue }
                var start = x
                // A changed continuation cell redraws from its wide character.
                if cells[row + start].width == 0, start > 0 { start -= 1 }
                var stop = x + 1
                while stop < width, full || cells[row + stop] != old!.cells[row + stop] || cells[row + stop].width == 0 {
                    stop += 1
                }
                runs.append(Run(x: start, y: y, cells: cells[(row + start)..<(row + stop)]))
                x = stop
            }
        }
        return runs
    }
}
