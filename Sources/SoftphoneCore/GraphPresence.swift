/// Microsoft Graph `availability` values (presence resource, v1.0).
public enum Availability: String, CaseIterable, Sendable, Codable, Hashable {
    case available = "Available"
    case availableIdle = "AvailableIdle"
    case away = "Away"
    case beRightBack = "BeRightBack"
    case busy = "Busy"
    case busyIdle = "BusyIdle"
    case doNotDisturb = "DoNotDisturb"
    case offline = "Offline"
    case presenceUnknown = "PresenceUnknown"
}

/// Microsoft Graph `activity` values (presence resource, v1.0).
public enum Activity: String, CaseIterable, Sendable, Codable, Hashable {
    case available = "Available"
    case away = "Away"
    case beRightBack = "BeRightBack"
    case busy = "Busy"
    case doNotDisturb = "DoNotDisturb"
    case inACall = "InACall"
    case inAConferenceCall = "InAConferenceCall"
    case inactive = "Inactive"
    case inAMeeting = "InAMeeting"
    case offline = "Offline"
    case offWork = "OffWork"
    case outOfOffice = "OutOfOffice"
    case presenceUnknown = "PresenceUnknown"
    case presenting = "Presenting"
    case focusing = "Focusing"
    case urgentInterruptionsOnly = "UrgentInterruptionsOnly"
}

/// An availability/activity pair, as `setPresence` and `setUserPreferredPresence` take it.
public struct PresencePair: Hashable, Sendable, Codable, CustomStringConvertible {
    public var availability: Availability
    public var activity: Activity

    public init(_ availability: Availability, _ activity: Activity) {
        self.availability = availability
        self.activity = activity
    }

    public var description: String { "\(availability.rawValue)/\(activity.rawValue)" }
}

/// What Graph reports for a user: the pair plus the out-of-office flag
/// (`outOfOfficeSettings.isOutOfOffice`).
public struct GraphPresence: Hashable, Sendable, Codable, CustomStringConvertible {
    public var pair: PresencePair
    public var outOfOffice: Bool

    public init(_ availability: Availability, _ activity: Activity, outOfOffice: Bool = false) {
        self.pair = PresencePair(availability, activity)
        self.outOfOffice = outOfOffice
    }

    public init(pair: PresencePair, outOfOffice: Bool = false) {
        self.pair = pair
        self.outOfOffice = outOfOffice
    }

    public var availability: Availability { pair.availability }
    public var activity: Activity { pair.activity }

    public var description: String { outOfOffice ? "\(pair) +OOF" : pair.description }
}
