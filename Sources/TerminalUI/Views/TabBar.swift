/// Row 1: the four tabs; the current one in reverse video and in brackets,
/// so it stands out on a monochrome or ASCII terminal too.
enum TabBar {
    static func draw(_ model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect)
        var x = rect.x + 1
        for tab in Tab.allCases {
            if tab != Tab.allCases.first { x += 1 }
            let current = tab == model.ui.tab
            let label = current ? "[\(tab.title)]" : " \(tab.title) "
            x = canvas.put(label, x: x, y: rect.y, style: current ? Theme.selected : .plain, limit: rect.maxX)
        }
    }
}
