/// Asked when `q` is pressed during a call.
enum QuitConfirm {
    static let question = "A call is active. Quit anyway? y / n"

    static func draw(in area: Rect, on canvas: inout Canvas) {
        let box = Rect.centered(width: question.count + 6, height: 5, in: area)
        canvas.box(box, title: "Quit", style: Style(foreground: .red, bold: true))
        canvas.text(question, x: box.x + 3, y: box.y + 2, width: box.width - 6, style: Theme.bold)
    }
}
