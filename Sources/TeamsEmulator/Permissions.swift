/// The permission each Graph endpoint requires (research doc §3, from Microsoft's
/// permission tables). Refusals are 403 `Forbidden` with Graph's error body, except `/me`
/// with an application token, which Graph answers 400 (`/me` needs a signed-in user).
extension AccessGrant {
    private static let denied = "Insufficient privileges to complete the operation."

    /// `GET /users/{id}/presence`, `/communications/presences/{id}`: delegated Presence.Read
    /// (own presence) or Presence.Read.All (anyone's); application Presence.Read.All or
    /// Presence.ReadWrite.All.
    func requireReadPresence(of userID: String) throws(GraphFailure) {
        if isDelegated {
            let all = holds(anyOf: ["Presence.Read.All", "Presence.ReadWrite.All"])
            let own = subject == userID && holds(anyOf: ["Presence.Read", "Presence.ReadWrite"])
            guard all || own else {
                throw .forbidden(subject == userID ? "\(Self.denied) Reading presence needs Presence.Read."
                                                   : "\(Self.denied) Reading another user's presence needs Presence.Read.All.")
            }
        } else {
            guard holds(anyOf: ["Presence.Read.All", "Presence.ReadWrite.All"]) else {
                throw .forbidden("\(Self.denied) The application needs Presence.Read.All.")
            }
        }
    }

    /// `getPresencesByUserId`: Presence.Read.All (delegated or application), or ReadWrite.All.
    func requireReadManyPresences() throws(GraphFailure) {
        guard holds(anyOf: ["Presence.Read.All", "Presence.ReadWrite.All"]) else {
            throw .forbidden("\(Self.denied) getPresencesByUserId needs Presence.Read.All.")
        }
    }

    /// setPresence, clearPresence, set/clearUserPreferredPresence: delegated Presence.ReadWrite
    /// for the signed-in user's own presence only; application Presence.ReadWrite.All.
    func requireWritePresence(of userID: String) throws(GraphFailure) {
        if isDelegated {
            guard holds(anyOf: ["Presence.ReadWrite", "Presence.ReadWrite.All"]) else {
                throw .forbidden("\(Self.denied) Changing presence needs Presence.ReadWrite.")
            }
            guard subject == userID else {
                throw .forbidden("\(Self.denied) A delegated token may change only the signed-in user's own presence.")
            }
        } else {
            guard holds(anyOf: ["Presence.ReadWrite.All"]) else {
                throw .forbidden("\(Self.denied) The application needs Presence.ReadWrite.All.")
            }
        }
    }

    /// Presence change notifications: delegated Presence.Read.All only; application
    /// permissions are not supported (research doc §4, [CNP]).
    func requireSubscribePresence() throws(GraphFailure) {
        guard isDelegated else {
            throw .forbidden("Operation: Create; Exception: [Status Code: Forbidden; Reason: Presence subscriptions are not supported with application permissions; use a delegated token with Presence.Read.All.]")
        }
        guard holds(anyOf: ["Presence.Read.All", "Presence.ReadWrite.All"]) else {
            throw .forbidden("\(Self.denied) Presence subscriptions need Presence.Read.All.")
        }
    }

    /// `/me…`: delegated only. An application token gets 400 BadRequest
    /// "/me request is only valid with delegated authentication flow." ([UG], [PG]).
    func requireSignedInUser() throws(GraphFailure) -> String {
        guard isDelegated, let subject else {
            throw .badRequest("/me request is only valid with delegated authentication flow.")
        }
        return subject
    }

    /// `GET /users/{id|upn}`: delegated User.Read for oneself, User.ReadBasic.All or
    /// User.Read.All for others; application User.Read.All (or User.ReadBasic.All).
    func requireReadUser(_ userID: String?) throws(GraphFailure) {
        if holds(anyOf: ["User.ReadBasic.All", "User.Read.All"]) { return }
        if isDelegated, let userID, userID == subject, holds(anyOf: ["User.Read"]) { return }
        throw GraphFailure(status: .forbidden, code: "Authorization_RequestDenied", message: Self.denied)
    }
}
