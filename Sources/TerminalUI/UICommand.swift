import SoftphoneCore

/// What a key asks of the app, besides changing `UIState`.
public enum UICommand: Hashable, Sendable {
    /// Hand this action to the reducer.
    case send(Action)
    /// Place a call to this number or URI (the app picks the call id).
    case dial(String)
    /// Leave the program.
    case quit
}
