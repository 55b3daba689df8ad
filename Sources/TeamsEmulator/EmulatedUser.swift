import Foundation
import SoftphoneCore

/// One user of the emulated tenant: directory data, presence inputs and mailbox.
struct EmulatedUser: Sendable {
    /// The object id (a GUID, lower case).
    var id: String
    var userPrincipalName: String
    /// The short name the user was created with (`ada`), if any; the control API accepts it.
    var alias: String?
    var displayName: String
    /// Part of the roster that churn changes.
    var colleague: Bool
    /// Sessions and preferred presence. Its `outOfOffice` is not stored here: it is
    /// derived from `automaticReplies` whenever presence is computed.
    var presence: TeamsUserPresence
    var automaticReplies: AutomaticReplies

    init(id: String, userPrincipalName: String, alias: String?, displayName: String, colleague: Bool) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.alias = alias
        self.displayName = displayName
        self.colleague = colleague
        self.presence = TeamsUserPresence()
        self.automaticReplies = AutomaticReplies()
    }

    /// The user resource's JSON (`GET /users/{id}` without `$select`).
    var directoryJSON: [String: Any] {
        ["id": id, "displayName": displayName, "userPrincipalName": userPrincipalName]
    }

    /// The aggregation's input at the given times (emulator time for sessions, wall time
    /// for the mailbox schedule).
    func aggregationInput(wallNow: Instant) -> TeamsUserPresence {
        var input = presence
        input.outOfOffice = automaticReplies.isActive(at: wallNow)
        return input
    }

    /// The out-of-office message Graph reports while out of office.
    func outOfOfficeMessage(wallNow: Instant) -> String? {
        guard automaticReplies.isActive(at: wallNow) else { return nil }
        return automaticReplies.internalReplyMessage
    }
}

/// What Graph reports for one user: the aggregate plus the out-of-office message.
struct PresenceReport: Sendable, Hashable {
    var id: String
    var presence: GraphPresence
    var outOfOfficeMessage: String?

    /// The presence resource's JSON (`@odata.context` added by the caller when wanted).
    var json: [String: Any] {
        [
            "id": id,
            "availability": presence.availability.rawValue,
            "activity": presence.activity.rawValue,
            "statusMessage": NSNull(),
            "outOfOfficeSettings": [
                "message": outOfOfficeMessage.map { $0 as Any } ?? NSNull(),
                "isOutOfOffice": presence.outOfOffice,
            ] as [String: Any],
        ]
    }

    /// What Graph reports for an id it has no presence for.
    static func unknown(_ id: String) -> PresenceReport {
        PresenceReport(id: id, presence: GraphPresence(.presenceUnknown, .presenceUnknown))
    }
}
