import SoftphoneCore

/// A change to one session of one user, as the control API and churn make them:
/// set a Teams-client or calendar session to a pair, or remove a session.
struct SessionEdit: Sendable, Hashable {
    var userID: String
    var sessionID: String
    var kind: PresenceSession.Kind
    /// `nil` removes the session.
    var pair: PresencePair?
}

/// One user's whole state, for `GET /_emulator/users/{id}`.
struct UserSnapshot: Sendable {
    var user: EmulatedUser
    var report: PresenceReport
    /// What each session contributes now (`nil`: expired).
    var effective: [String: PresencePair?]
    var outOfOffice: Bool
    var emulatorNow: Instant
}
