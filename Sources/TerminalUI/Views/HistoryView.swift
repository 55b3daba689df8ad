import SoftphoneCore

/// The History tab: the call log, newest first — when, which way, who, which
/// queue, how it ended, how long, and why ("not signalled: Do not disturb").
enum HistoryView {
    static func draw(_ model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect)
        let x = rect.x + 1, width = rect.width - 2
        guard !model.history.isEmpty else {
            canvas.text("No calls yet.", x: x + 1, y: rect.y + 1, width: width - 1, style: Theme.bold)
            return
        }
        let first = TeamView.firstRow(requested: model.ui.scroll[.history] ?? 0, rows: model.history.count,
                                      visible: rect.height - 1)
        table(model.history[first...], model: model, in: Rect(x: x, y: rect.y, width: width, height: rect.height),
              on: &canvas)
    }

    /// A header and as many of `records` as fit in `rect`.
    static func table(_ records: ArraySlice<CallRecord>, model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        guard let newest = records.first, rect.height > 1 else { return }
        let columns = Columns(width: rect.width, time: max(5, canvas.columns(model.timeOfDay(newest.ringStartedAt))))
        columns.draw(["Time", "Dir", "Caller", "Queue", "Outcome", "Length", "Reason"], on: &canvas,
                     x: rect.x, y: rect.y, style: Theme.columnHeader, padded: true)
        for (offset, record) in records.prefix(rect.height - 1).enumerated() {
            columns.draw(cells(record, model, callerWidth: columns.widths[2]), on: &canvas,
                         x: rect.x, y: rect.y + 1 + offset,
                         style: style(record.outcome))
        }
    }

    static func cells(_ record: CallRecord, _ model: ScreenModel, callerWidth: Int) -> [String] {
        [model.timeOfDay(record.ringStartedAt), record.direction == .inbound ? "in" : "out",
         Format.party(record.remote, width: callerWidth), record.queue ?? "direct", outcome(record.outcome),
         length(record), reason(record)]
    }

    /// "answered", "missed", "diverted", "declined", "no answer".
    static func outcome(_ outcome: CallOutcome) -> String {
        outcome == .unanswered ? "no answer" : outcome.rawValue
    }

    /// Talk time when answered, ring time when it rang, "-" when it never rang.
    static func length(_ record: CallRecord) -> String {
        if let answered = record.answeredAt { return Format.timer(record.endedAt - answered) }
        return record.outcome == .diverted ? "-" : Format.timer(record.endedAt - record.ringStartedAt)
    }

    /// The record's reason and, for a diversion, where the call went.
    static func reason(_ record: CallRecord) -> String {
        guard let diversion = record.diversion else { return record.reason }
        let target = diversion.target.map { " to \($0)" } ?? ""
        return "\(record.reason); \(diversion.rule.rawValue) \(diversion.sipStatus)\(target)"
    }

    static func style(_ outcome: CallOutcome) -> Style {
        switch outcome {
        case .missed: Theme.warning
        case .diverted, .declined, .unanswered: Theme.dim
        case .answered: .plain
        }
    }

    /// Fixed columns, and the rest split between caller and reason.
    struct Columns {
        let widths: [Int]

        init(width: Int, time: Int) {
            let fixed = [time, 3, 0, 7, 9, 6, 0]
            let rest = max(20, width - fixed.reduce(0, +) - (fixed.count - 1))
            let caller = min(28, rest * 2 / 5)
            var widths = fixed
            widths[2] = caller
            widths[6] = rest - caller
            self.widths = widths
        }

        /// One row; `padded` fills each cell to its width (so a header's underline runs through).
        func draw(_ texts: [String], on canvas: inout Canvas, x: Int, y: Int, style: Style, padded: Bool = false) {
            var column = x
            for (text, width) in zip(texts, widths) {
                canvas.text(padded ? TextWidth.pad(text, to: width) : text, x: column, y: y, width: width, style: style)
                column += width + 1
            }
        }
    }
}
