/// Which way presence flows between the softphone and Teams (`teams.sync`).
public enum SyncDirection: String, CaseIterable, Sendable, Codable, Hashable {
    case both
    case toTeams = "to-teams"
    case fromTeams = "from-teams"
    case off

    public var pushesToTeams: Bool { self == .both || self == .toTeams }
    public var pullsFromTeams: Bool { self == .both || self == .fromTeams }
}

/// The parts of the configuration the reducer decides with.
public struct CoreSettings: Hashable, Sendable, Codable {
    public var answering: AnsweringConfig
    /// Wrap-up after a call, in seconds; 0 turns it off (R11).
    public var wrapUpSeconds: Int
    public var sync: SyncDirection

    public init(answering: AnsweringConfig = AnsweringConfig(), wrapUpSeconds: Int = 0, sync: SyncDirection = .both) {
        self.answering = answering
        self.wrapUpSeconds = wrapUpSeconds
        self.sync = sync
    }
}

/// The phone line's registration state, shown in the status bar (R13).
public enum LineState: Hashable, Sendable, Codable {
    /// Listening without a registrar, or de-registered after logout.
    case unregistered
    /// No registrar configured: the line only listens for calls.
    case listening
    case registering
    case registered
    case failed(reason: String)

    public var label: String {
        switch self {
        case .unregistered: "unregistered"
        case .listening: "listening"
        case .registering: "registering"
        case .registered: "registered"
        case .failed(let reason): "registration failed: \(reason)"
        }
    }
}
