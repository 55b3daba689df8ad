import Testing
@testable import TerminalUI

@Suite("Cell grid")
struct CellGridTests {
    init() { Fixture.prepare() }

    /// Every continuation cell follows a wide character, and every wide character has one.
    static func wideCharactersWhole(_ grid: CellGrid) -> Bool {
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.width == 0, x == 0 || grid[x - 1, y].width != 2 { return false }
                if cell.width == 2, x + 1 >= grid.width || grid[x + 1, y].width != 0 { return false }
            }
        }
        return true
    }

    @Test("Filling across half of a wide character blanks its other half, at both edges")
    func fillKeepsWideCharactersWhole() {
        var grid = CellGrid(width: 10, height: 2)
        grid.put("🟢🟢🟢🟢🟢", x: 0, y: 0)
        grid.put("🟢🟢🟢🟢🟢", x: 0, y: 1)
        grid.fill(Rect(x: 1, y: 0, width: 6, height: 1))  // cuts the 1st and the 4th emoji
        #expect(Self.wideCharactersWhole(grid))
        #expect(grid.line(0) == "" + String(repeating: " ", count: 8) + "🟢")
        #expect(grid.line(1) == "🟢🟢🟢🟢🟢")
    }

    @Test("Writing over half of a wide character blanks the other half")
    func putKeepsWideCharactersWhole() {
        var grid = CellGrid(width: 6, height: 1)
        grid.put("⛔⛔⛔", x: 0, y: 0)
        grid.put("ab", x: 1, y: 0)
        #expect(Self.wideCharactersWhole(grid))
        #expect(grid.line(0) == " ab ⛔")
    }

    @Test("Control characters from the network never reach a cell")
    func controlCharacters() {
        var grid = CellGrid(width: 20, height: 1)
        grid.put("A\u{1B}[2J\u{07}B", x: 0, y: 0)
        #expect(grid.line(0) == "A?[2J?B")
    }

    @Test("changes(from:) returns only what differs, and everything after a resize")
    func changes() {
        var a = CellGrid(width: 8, height: 2)
        a.put("hello", x: 0, y: 0)
        var b = a
        b.put("J", x: 0, y: 0)
        let runs = b.changes(from: a)
        #expect(runs.count == 1)
        #expect(runs.first.map { ($0.x, $0.y, $0.cells.count) } ?? (0, 0, 0) == (0, 0, 1))
        #expect(b.changes(from: CellGrid(width: 9, height: 2)).count == 2)
    }
}
