import Foundation

/// The Teams ids the sync works with: the agent's and the colleagues' object ids, from
/// what the configuration says (UPNs or object ids), resolved once at start (SPEC
/// section 9). A colleague that does not resolve is a Team-tab matter only.
public struct TeamsIdentity: Sendable, Hashable {
    /// The agent's object id (or the configured id when it could not be resolved).
    public var agentID: String
    /// Colleagues' object ids → their configured `teams_id`, so the Team tab's rows keep
    /// their configured names.
    public var configuredID: [String: String]
    /// Configured colleague ids that did not resolve, with why.
    public var unresolved: [(id: String, reason: String)]
    /// Those of `unresolved` worth asking again later (the answer was not "no such user"
    /// and the id is well-formed: a network blip, a 5xx, throttling, a 403).
    public var retryable: [String]

    public init(agentID: String, configuredID: [String: String], unresolved: [(id: String, reason: String)] = [],
                retryable: [String] = []) {
        self.agentID = agentID
        self.configuredID = configuredID
        self.unresolved = unresolved
        self.retryable = retryable
    }

    public static func == (lhs: TeamsIdentity, rhs: TeamsIdentity) -> Bool {
        lhs.agentID == rhs.agentID && lhs.configuredID == rhs.configuredID
            && lhs.unresolved.map(\.id) == rhs.unresolved.map(\.id) && lhs.unresolved.map(\.reason) == rhs.unresolved.map(\.reason)
            && lhs.retryable == rhs.retryable
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(agentID)
        hasher.combine(configuredID)
    }

    /// The colleagues' object ids, sorted, for the sync plan.
    public var colleagueIDs: [String] { configuredID.keys.sorted() }

    /// An Entra object id: a GUID (8-4-4-4-12 hex digits).
    public static func isObjectID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// Whether a configured id is a UPN to resolve (`ada@contoso.example`). Object ids are
    /// taken as they are.
    public static func isUserPrincipalName(_ text: String) -> Bool {
        !isObjectID(text) && text.contains("@")
    }

    /// Why a configured colleague id can be used by no Graph request, or nil when it can: Graph
    /// takes object ids only, and answers 400 for a whole batch (650 colleagues) or a
    /// subscription that names anything else, so such an id is kept out and said.
    public static func unusableReason(_ text: String) -> String? {
        isObjectID(text) || isUserPrincipalName(text) ? nil : "neither an object id (a GUID) nor a UPN (name@domain)"
    }

    /// Resolves `userID` and `colleagues` through `client`.
    ///
    /// - Parameters:
    ///   - delegated: the client acts for the signed-in agent: `/me` gives the agent's id
    ///     when `userID` is empty or the signed-in UPN; otherwise `/users/{upn}?$select=id`.
    ///   - colleagues: configured `teams_id`s; UPNs among them go in `$batch`es of 20.
    /// - Throws: when the agent's own id cannot be resolved (the caller shows ❎ then).
    public static func resolve(client: GraphClient, delegated: Bool, userID: String,
                               colleagues: [String]) async throws(GraphError) -> TeamsIdentity {
        var agentID = userID
        if userID.isEmpty || isUserPrincipalName(userID) {
            if delegated {
                let me = try await client.me()
                if userID.isEmpty || me.userPrincipalName?.caseInsensitiveCompare(userID) == .orderedSame {
                    agentID = me.id
                } else {
                    agentID = try await client.objectID(of: userID)
                }
            } else {
                agentID = try await client.objectID(of: userID)
            }
        }
        var identity = await resolveColleagues(client: client, colleagues)
        identity.agentID = agentID
        return identity
    }

    /// Resolves the colleagues alone (at start, and later those `retryable`); `agentID` is left empty.
    public static func resolveColleagues(client: GraphClient, _ colleagues: [String]) async -> TeamsIdentity {
        var configuredID: [String: String] = [:]
        var toResolve: [String] = []
        var unresolved: [(id: String, reason: String)] = []
        var retryable: [String] = []
        for id in colleagues {
            if let reason = unusableReason(id) {
                if !unresolved.contains(where: { $0.id == id }) { unresolved.append((id, reason)) }
            } else if isUserPrincipalName(id) {
                toResolve.append(id)
            } else {
                configuredID[id] = id
            }
        }
        if !toResolve.isEmpty {
            let results = await client.objectIDs(of: toResolve)
            for id in toResolve where !unresolved.contains(where: { $0.id == id }) {
                switch results[id] {
                case .success(let objectID)?: configuredID[objectID] = id
                case .failure(let error)?:
                    unresolved.append((id, Self.reason(error)))
                    if case .status(404, _, _) = error.kind {} else { retryable.append(id) }
                case nil:
                    unresolved.append((id, "no answer"))
                    retryable.append(id)
                }
            }
        }
        return TeamsIdentity(agentID: "", configuredID: configuredID, unresolved: unresolved, retryable: retryable)
    }

    static func reason(_ error: GraphError) -> String {
        if case .status(404, _, _) = error.kind { return "no such user in the tenant (404)" }
        return error.description
    }
}
