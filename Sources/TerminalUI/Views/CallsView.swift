import SoftphoneCore

/// The Calls tab: one row per call (direction, caller, route, phase, timer), then
/// wrap-up and whether a direct call would ring now, and why. Without calls it
/// says so and names the keys that start something.
enum CallsView {
    static func draw(_ model: ScreenModel, in rect: Rect, on canvas: inout Canvas) {
        canvas.fill(rect)
        let state = model.state
        var y = rect.y + 1
        let x = rect.x + 2, width = rect.width - 4
        if state.calls.isEmpty {
            let empty = state.loggedIn
                ? "No calls. p: presence  c: call"
                : "No calls. Logged out: calls are not signalled. L: log in  p: presence"
            canvas.text(empty, x: x, y: y, width: width, style: Theme.bold)
            y += 2
        } else {
            let columns = Columns(width: width, ascii: canvas.ascii)
            columns.header(on: &canvas, x: x, y: y)
            y += 1
            for call in state.calls where y < rect.maxY {
                columns.row(call, model: model, on: &canvas, x: x, y: y)
                y += 1
                if let audio = audioLine(call, now: model.now, glyphs: canvas.glyphs), y < rect.maxY {
                    let warn = call.noAudioReceived(at: model.now)
                    canvas.text(audio, x: x + columns.direction + 1, y: y, width: width - columns.direction - 1,
                                style: warn ? Theme.warning : Theme.dim)
                    y += 1
                }
                for (line, style) in soundLines(call, glyphs: canvas.glyphs) where y < rect.maxY {
                    canvas.text(line, x: x + columns.direction + 1, y: y, width: width - columns.direction - 1, style: style)
                    y += 1
                }
            }
            y += 1
        }
        if let wrapUp = state.wrapUp, y < rect.maxY {
            let left = Format.timer(wrapUp.until - model.now)
            canvas.text("Wrap-up \(left) left \(canvas.glyphs.dash) w prolongs", x: x, y: y, width: width,
                        style: Theme.presence(.doNotDisturb, bold: true))
            y += 2
        }
        // The last row says what a direct call would do now; recent calls fill the space between.
        let footer = rect.maxY - 1
        if !model.history.isEmpty, footer - 1 - (y + 1) >= 2 {
            canvas.put("Recent calls", x: x, y: y, style: Theme.bold)
            HistoryView.table(model.history[...], model: model,
                              in: Rect(x: x, y: y + 1, width: width, height: footer - 1 - (y + 1)), on: &canvas)
        }
        if footer >= y {
            canvas.text("Direct calls now: \(directCallDecision(state))", x: x, y: footer, width: width,
                        style: Theme.dim)
        }
    }

    /// What would happen to a direct call now, as the policy says it: "signalled: … (R4)".
    static func directCallDecision(_ state: SoftphoneState) -> String {
        let decision = state.directCallDecision
        return "\(decision.reason) (\(decision.specRule.rawValue))"
    }

    /// "ringing", "call waiting" (ringing while another call is connected), "active", "on hold",
    /// "held by them" (the other side holds), "dialing".
    static func phase(_ call: CallInProgress, in state: SoftphoneState) -> String {
        switch call.phase {
        case .ringing: isWaiting(call, in: state) ? "call waiting" : "ringing"
        case .dialing: "dialing"
        case .active: call.remoteHold ? "held by them" : "active"
        case .held: "on hold"
        }
    }

    /// Under a connected call: the codec and RTP packets in and out, or that no audio arrives;
    /// a lock first when the audio is encrypted (SRTP).
    static func audioLine(_ call: CallInProgress, now: Instant, glyphs: Glyphs = Glyphs(ascii: false)) -> String? {
        guard call.isConnected else { return nil }
        let lock = call.encrypted ? glyphs.encrypted + " " : ""
        guard let media = call.media else { return call.encrypted ? lock + "encrypted audio" : nil }
        let counts = "\(media.packetsReceived) packets in, \(media.packetsSent) out"
        let codec = media.codec.map { "\($0), " } ?? ""
        if call.noAudioReceived(at: now) { return "\(lock)no audio received (\(codec)\(counts))" }
        return "\(lock)audio \(codec)\(counts)"
    }

    /// Under a call: muted, the DTMF digits sent and received (connected calls), early media
    /// (a dialled call whose far side plays it).
    static func soundLines(_ call: CallInProgress, glyphs: Glyphs) -> [(String, Style)] {
        var lines: [(String, Style)] = []
        if call.phase == .dialing, call.earlyMedia { lines.append(("early media", Theme.dim)) }
        guard call.isConnected else { return lines }
        if call.muted { lines.append((glyphs.muted, Theme.warning)) }
        if !call.digitsSent.isEmpty { lines.append(("DTMF sent: \(call.digitsSent)", Theme.dim)) }
        if !call.digitsReceived.isEmpty { lines.append(("DTMF received: \(call.digitsReceived)", Theme.dim)) }
        return lines
    }

    static func isWaiting(_ call: CallInProgress, in state: SoftphoneState) -> Bool {
        call.phase == .ringing && state.calls.contains { $0.id != call.id && $0.isConnected }
    }

    /// Ring time until answered, then talk time.
    static func timer(_ call: CallInProgress, now: Instant) -> String {
        Format.timer(now - (call.answeredAt ?? call.startedAt))
    }

    /// The table's column widths for a given width.
    struct Columns {
        let direction: Int, route = 14, phase = 13, time = 7
        let caller: Int

        init(width: Int, ascii: Bool) {
            direction = ascii ? 4 : 6
            caller = min(40, max(8, width - direction - route - phase - time - 4))
        }

        func header(on canvas: inout Canvas, x: Int, y: Int) {
            cells(["Dir", "Caller", "Route", "State", "Time"], on: &canvas, x: x, y: y, style: Theme.columnHeader)
        }

        func row(_ call: CallInProgress, model: ScreenModel, on canvas: inout Canvas, x: Int, y: Int) {
            let g = canvas.glyphs
            let style: Style = switch call.phase {
            case .ringing: Theme.bold
            case .held: Theme.dim
            case .active, .dialing: .plain
            }
            cells([call.direction == .inbound ? g.inbound : g.outbound, Format.party(call.remote, width: caller),
                   call.kind.label,
                   CallsView.phase(call, in: model.state), CallsView.timer(call, now: model.now)],
                  on: &canvas, x: x, y: y, style: style)
        }

        private func cells(_ texts: [String], on canvas: inout Canvas, x: Int, y: Int, style: Style) {
            var column = x
            for (text, width) in zip(texts, [direction, caller, route, phase, time]) {
                canvas.text(text, x: column, y: y, width: width, style: style)
                column += width + 1
            }
        }
    }
}
