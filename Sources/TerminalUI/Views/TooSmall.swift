/// Below the minimum size the screen says only this, centred, word-wrapped if needed.
enum TooSmall {
    static func message(needs: (Int, Int), ascii: Bool) -> String {
        "terminal too small (needs \(needs.0)\(Glyphs(ascii: ascii).times)\(needs.1))"
    }

    static func draw(on canvas: inout Canvas, needs: (Int, Int)) {
        let bounds = canvas.grid.bounds
        guard bounds.width > 0, bounds.height > 0 else { return }
        let lines = LogView.wrap(message(needs: needs, ascii: canvas.ascii), width: bounds.width)
        let top = max(0, (bounds.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < bounds.height {
            let x = max(0, (bounds.width - canvas.columns(line)) / 2)
            canvas.text(line, x: x, y: top + i, width: bounds.width - x, style: Theme.bold)
        }
    }
}
