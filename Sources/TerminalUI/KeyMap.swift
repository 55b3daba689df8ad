import SoftphoneCore

/// The keys of SPEC section 6, as a pure function of the key, the view state and
/// the softphone state. Returns the commands for the app; changes `ui` in place.
/// `rowCounts` (rows per tab) keeps scrolling within the content.
public enum KeyMap {
    public static func handle(_ key: KeyInput, ui: inout UIState, state: SoftphoneState,
                              rowCounts: [Tab: Int] = [:]) -> [UICommand] {
        ui.notice = nil
        switch ui.overlay {
        case .picker(let selection): return picker(key, selection: selection, ui: &ui)
        case .help:
            ui.overlay = nil
            return []
        case .confirmQuit:
            ui.overlay = nil
            if key == .character("y") || key == .character("q") { return [.quit] }
            return []
        case .prompt(let prompt): return self.prompt(key, prompt, ui: &ui)
        case nil: return main(key, ui: &ui, state: state, rowCounts: rowCounts)
        }
    }

    static func main(_ key: KeyInput, ui: inout UIState, state: SoftphoneState, rowCounts: [Tab: Int]) -> [UICommand] {
        let ringing = state.calls.last { $0.phase == .ringing }
        let current = state.calls.last { $0.phase == .active } ?? state.calls.last { $0.isConnected }
            ?? state.calls.last { $0.phase == .dialing }
        switch key {
        case .character("p"):
            let index = UserChoice.allCases.firstIndex(of: state.choice) ?? 0
            ui.overlay = .picker(selection: state.loggedIn ? index : UIState.pickerEntryCount - 1)
        case .character("L"):
            return [.send(state.loggedIn ? .logout : .login)]
        case .character("a"):
            guard let call = ringing else { ui.notice = "no call is ringing"; return [] }
            return [.send(.accept(call.id))]
        case .character("d"):
            guard let call = ringing else { ui.notice = "no call is ringing"; return [] }
            return [.send(.decline(call.id))]
        case .character("e"):
            guard let call = current else { ui.notice = "no active call"; return [] }
            return [.send(.hangUp(call.id))]
        case .character("h"):
            guard let call = state.calls.last(where: \.isConnected) else { ui.notice = "no active call"; return [] }
            return [.send(call.phase == .held ? .resume(call.id) : .hold(call.id))]
        case .character("t"):
            guard let call = state.calls.last(where: \.isConnected) else { ui.notice = "no active call to transfer"; return [] }
            ui.overlay = .prompt(Prompt(kind: .transfer(call.id)))
        case .character(let c) where KeyMap.dtmfKeys.contains(c):
            guard let call = state.calls.last(where: { $0.phase == .active }) else {
                ui.notice = "no active call for DTMF"
                return []
            }
            return [.send(.sendDTMF(call.id, c))]
        case .character("m"):
            guard let call = KeyMap.currentConnected(state) else { ui.notice = "no active call to mute"; return [] }
            return [.send(.toggleMute(call.id))]
        case .character("c"):
            if let reason = state.outboundRefusal {
                ui.notice = reason
                return []
            }
            ui.overlay = .prompt(Prompt(kind: .dial))
        case .character("w"):
            guard state.wrapUp != nil else { ui.notice = "no wrap-up to prolong"; return [] }
            return [.send(.prolongWrapUp)]
        case .tab:
            ui.tab = Tab(rawValue: (ui.tab.rawValue + 1) % Tab.allCases.count)!
        case .backTab:
            ui.tab = Tab(rawValue: (ui.tab.rawValue + Tab.allCases.count - 1) % Tab.allCases.count)!
        case .character("/"):
            ui.tab = .team
            ui.overlay = .prompt(Prompt(kind: .filter, text: ui.teamFilter))
        case .character("s") where ui.tab == .team:
            let all = RosterSort.allCases
            ui.teamSort = all[(all.firstIndex(of: ui.teamSort)! + 1) % all.count]
            ui.notice = "sorted by \(ui.teamSort.label)"
        case .character("r"):
            return [.send(.resyncRequested)]
        case .character("?"):
            ui.overlay = .help
        case .character("q"):
            if state.calls.isEmpty { return [.quit] }
            ui.overlay = .confirmQuit
        case .up: scroll(&ui, by: -1, rows: rowCounts[ui.tab])
        case .down: scroll(&ui, by: 1, rows: rowCounts[ui.tab])
        case .pageUp: scroll(&ui, by: -10, rows: rowCounts[ui.tab])
        case .pageDown: scroll(&ui, by: 10, rows: rowCounts[ui.tab])
        case .home: ui.scroll[ui.tab] = 0
        default: break
        }
        return []
    }

    /// The keys that send DTMF during a connected call.
    static let dtmfKeys: Set<Character> = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"]

    /// The connected call keys act on: the active one, else the last held one.
    public static func currentConnected(_ state: SoftphoneState) -> CallInProgress? {
        state.calls.last { $0.phase == .active } ?? state.calls.last(where: \.isConnected)
    }

    /// Moves the first visible row, never before the first row nor past the last.
    static func scroll(_ ui: inout UIState, by delta: Int, rows: Int?) {
        var first = max(0, (ui.scroll[ui.tab] ?? 0) + delta)
        if let rows { first = min(first, max(0, rows - 1)) }
        ui.scroll[ui.tab] = first
    }

    static func picker(_ key: KeyInput, selection: Int, ui: inout UIState) -> [UICommand] {
        let count = UIState.pickerEntryCount
        func choose(_ index: Int) -> [UICommand] {
            ui.overlay = nil
            if index == count - 1 { return [.send(.logout)] }
            return [.send(.choosePresence(UserChoice.allCases[index]))]
        }
        switch key {
        case .character(let c) where c.isNumber:
            guard let n = c.wholeNumberValue, (1...count).contains(n) else { return [] }
            return choose(n - 1)
        case .up: ui.overlay = .picker(selection: (selection + count - 1) % count)
        case .down: ui.overlay = .picker(selection: (selection + 1) % count)
        case .enter: return choose(selection)
        case .escape, .character("p"), .character("q"): ui.overlay = nil
        default: break
        }
        return []
    }

    static func prompt(_ key: KeyInput, _ prompt: Prompt, ui: inout UIState) -> [UICommand] {
        var prompt = prompt
        switch key {
        case .escape:
            ui.overlay = nil
            if prompt.kind == .filter { ui.teamFilter = "" }
            return []
        case .enter:
            ui.overlay = nil
            let text = prompt.text.trimmed
            switch prompt.kind {
            case .filter: return []
            case .dial: return text.isEmpty ? [] : [.dial(text)]
            case .transfer(let id): return text.isEmpty ? [] : [.send(.transfer(id, to: text))]
            }
        case .backspace:
            if !prompt.text.isEmpty { prompt.text.removeLast() }
        case .character(let c) where !c.isNewline:
            if prompt.text.count < 120 { prompt.text.append(c) }
        default:
            return []
        }
        ui.overlay = .prompt(prompt)
        if prompt.kind == .filter {
            ui.teamFilter = prompt.text
            ui.scroll[.team] = 0
        }
        return []
    }
}
