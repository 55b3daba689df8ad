import SoftphoneCore

/// Something a connector or a demo source reports to the runtime.
public enum AppEvent: Hashable, Sendable {
    /// Hand this action to the reducer.
    case action(Action)
    /// A colleague's presence for the Team tab (from Teams or SIP presence).
    case colleague(id: String, name: String, presence: Presence)
}
