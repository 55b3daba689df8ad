import SoftphoneCore

/// A popup for each ringing call — and only for those: the reducer adds a ringing
/// call only when the policy signalled it. Titled "Incoming call", or "Call waiting"
/// while another call is connected. Several ringing calls cascade, newest on top
/// (the one `a` and `d` act on).
enum IncomingCallPopup {
    static func title(_ call: CallInProgress, in state: SoftphoneState) -> String {
        CallsView.isWaiting(call, in: state) ? "Call waiting" : "Incoming call"
    }

    /// The lines inside the box, top to bottom; empty strings are spacers.
    static func lines(_ call: CallInProgress, model: ScreenModel) -> [(String, Style)] {
        var lines: [(String, Style)] = [("", .plain)]
        if let name = call.remote.name {
            lines.append((name, Theme.bold))
            lines.append((call.remote.number, .plain))
        } else {
            lines.append((call.remote.number, Theme.bold))
        }
        lines.append((call.kind.label, .plain))
        lines.append(("ringing \(CallsView.timer(call, now: model.now))", .plain))
        if CallsView.isWaiting(call, in: model.state),
           let current = model.state.calls.last(where: \.isConnected) {
            lines.append(("accepting holds \(current.remote.name ?? current.remote.number)", Theme.dim))
        }
        lines.append(("", .plain))
        lines.append(("a accept   d decline", Theme.bold))
        return lines
    }

    static func draw(_ model: ScreenModel, in area: Rect, on canvas: inout Canvas) {
        let ringing = model.state.calls.filter { $0.phase == .ringing }
        for (i, call) in ringing.enumerated() {
            let lines = lines(call, model: model)
            let width = min(area.width - 4, 60, max(40, lines.map { canvas.columns($0.0) }.max()! + 6))
            var box = Rect.centered(width: width, height: lines.count + 2, in: area)
            box.x = min(box.x + 4 * i, area.maxX - box.width)
            box.y = min(box.y + 2 * i, area.maxY - box.height)
            canvas.box(box, title: title(call, in: model.state), style: Style(foreground: .red, bold: true))
            for (row, line) in lines.enumerated() where row < box.height - 2 {
                canvas.text(line.0, x: box.x + 3, y: box.y + 1 + row, width: box.width - 6, style: line.1)
            }
        }
    }
}
