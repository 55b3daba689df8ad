import SoftphoneCore

/// Everything a frame shows. Views are pure functions of it.
public struct ScreenModel: Sendable {
    public struct Identity: Hashable, Sendable {
        public var name: String
        public var extensionNumber: String?
        public init(name: String, extensionNumber: String? = nil) {
            self.name = name
            self.extensionNumber = extensionNumber
        }
    }

    public var state: SoftphoneState
    public var ui: UIState
    public var identity: Identity
    /// The Team tab's rows, already sorted and filtered (the app caches this).
    public var team: TeamTable
    /// The call log, newest first.
    public var history: [CallRecord]
    public var now: Instant
    /// Wall-clock time of day for the status bar, e.g. "14:03:27" (formatted by the app).
    public var clock: String
    /// Local time of day for an instant, e.g. "14:03" (History, Log); given by the app.
    public var timeOfDay: @Sendable (Instant) -> String
    /// Whether Teams is configured at all (otherwise ❎ says "Teams off").
    public var teamsConfigured: Bool
    public var ascii: Bool
    public var color: Bool

    public init(state: SoftphoneState, ui: UIState = UIState(), identity: Identity,
                team: TeamTable = Roster().table(sort: .state), history: [CallRecord] = [],
                now: Instant, clock: String, timeOfDay: @escaping @Sendable (Instant) -> String,
                teamsConfigured: Bool = true, ascii: Bool = false, color: Bool = true) {
        self.state = state
        self.ui = ui
        self.identity = identity
        self.team = team
        self.history = history
        self.now = now
        self.clock = clock
        self.timeOfDay = timeOfDay
        self.teamsConfigured = teamsConfigured
        self.ascii = ascii
        self.color = color
    }
}
