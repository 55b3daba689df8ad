import SoftphoneCore

/// The four tabs of the main area.
public enum Tab: Int, CaseIterable, Hashable, Sendable {
    case calls, team, history, log

    public var title: String {
        switch self {
        case .calls: "Calls"
        case .team: "Team"
        case .history: "History"
        case .log: "Log"
        }
    }
}

/// A line of text the agent is typing.
public struct Prompt: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case dial
        case transfer(CallID)
        case filter
    }

    public var kind: Kind
    public var text: String

    public init(kind: Kind, text: String = "") {
        self.kind = kind
        self.text = text
    }

    public var title: String {
        switch kind {
        case .dial: "Call"
        case .transfer: "Transfer to"
        case .filter: "Filter"
        }
    }
}

/// What covers the main area.
public enum Overlay: Hashable, Sendable {
    /// The presence picker; `selection` indexes the seven entries (six states, then Logout).
    case picker(selection: Int)
    case help
    case confirmQuit
    case prompt(Prompt)
}

/// The view's own state: which tab, which overlay, filter and scrolling.
/// Pure like the core; the key map changes it.
public struct UIState: Hashable, Sendable {
    public var tab: Tab = .calls
    public var overlay: Overlay?
    public var teamFilter = ""
    public var teamSort: RosterSort = .state
    /// First visible row per tab.
    public var scroll: [Tab: Int] = [:]
    /// A short message for the bottom line ("cannot call in Do not disturb").
    public var notice: String?

    public init() {}

    /// The picker's entries, in order: the six choices, then Logout (key 7).
    public static let pickerEntryCount = UserChoice.allCases.count + 1
}
