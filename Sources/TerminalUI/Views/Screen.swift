import SoftphoneCore

/// The whole screen as a pure function of a `ScreenModel`: status bar on row 0,
/// tabs on row 1, the current tab below, key hints (or a prompt) on the last row,
/// incoming-call popups over the tab, and the picker, help or quit question above all.
public enum Screen {
    /// Narrower than this, the screen only says it is too small.
    public static let minimumWidth = 60
    /// Shorter than this, the screen only says it is too small.
    public static let minimumHeight = 16

    /// Draws a frame of `width` × `height` cells.
    public static func render(_ model: ScreenModel, width: Int, height: Int) -> CellGrid {
        var canvas = Canvas(width: width, height: height, ascii: model.ascii, color: model.color)
        guard width >= minimumWidth, height >= minimumHeight else {
            TooSmall.draw(on: &canvas, needs: (minimumWidth, minimumHeight))
            return canvas.grid
        }
        StatusBar.draw(model, in: Rect(x: 0, y: 0, width: width, height: 1), on: &canvas)
        TabBar.draw(model, in: Rect(x: 0, y: 1, width: width, height: 1), on: &canvas)
        let main = mainArea(width: width, height: height)
        switch model.ui.tab {
        case .calls: CallsView.draw(model, in: main, on: &canvas)
        case .team: TeamView.draw(model, in: main, on: &canvas)
        case .history: HistoryView.draw(model, in: main, on: &canvas)
        case .log: LogView.draw(model, in: main, on: &canvas)
        }
        IncomingCallPopup.draw(model, in: main, on: &canvas)
        switch model.ui.overlay {
        case .picker(let selection): PresencePicker.draw(model, selection: selection, in: main, on: &canvas)
        case .help: HelpOverlay.draw(in: Rect(x: 0, y: 1, width: width, height: height - 2), on: &canvas)
        case .confirmQuit: QuitConfirm.draw(in: main, on: &canvas)
        case .prompt, nil: break
        }
        let bottom = Rect(x: 0, y: height - 1, width: width, height: 1)
        if case .prompt(let prompt) = model.ui.overlay {
            PromptLine.draw(prompt, in: bottom, on: &canvas)
        } else {
            KeyHints.draw(model, in: bottom, on: &canvas)
        }
        return canvas.grid
    }

    /// Rows 2 to the second-to-last: where the tabs draw.
    static func mainArea(width: Int, height: Int) -> Rect {
        Rect(x: 0, y: 2, width: width, height: height - 3)
    }
}
