import GraphModel
import Hummingbird
import SoftphoneCore

extension EmulatorRoutes {
    /// The presence endpoints (all need a bearer token; errors use Graph's error body).
    ///
    /// `{id}` is always the user's object id (a GUID); anything else → 400 BadRequest, an
    /// unknown GUID → 404. Each of these counts against the caller's presence budget
    /// (`PresenceThrottle`, 429 over it). Permissions per `AccessGrant` (Permissions.swift):
    /// delegated tokens write only their own user's presence (else 403).
    ///
    /// - `GET /v1.0/users/{id}/presence` (also `/v1.0/communications/presences/{id}`, and
    ///   `/v1.0/me/presence` for a delegated token; an application token gets 400) → 200
    ///   `{"@odata.context","id","availability","activity","statusMessage":null,
    ///   "outOfOfficeSettings":{"message","isOutOfOffice"}}`; 404 unknown user.
    /// - `POST …/presence/setPresence` `{"sessionId","availability","activity","expirationDuration"?}`
    ///   → 200, no body. `sessionId` must be the caller's client id; the pair must be one of
    ///   `TeamsAggregation.sessionPairs`; `expirationDuration` (ISO 8601, default PT5M) within
    ///   `TeamsAggregation.sessionExpirationRange`. Otherwise 400.
    /// - `POST …/presence/clearPresence` `{"sessionId"}` → 200; 404 NotFound when the user has no such session.
    /// - `POST …/presence/setUserPreferredPresence` `{"availability","activity","expirationDuration"?}`
    ///   → 200; pairs per `TeamsAggregation.preferredPairs`, else 400.
    /// - `POST …/presence/clearUserPreferredPresence` → 200.
    /// - `POST /v1.0/communications/getPresencesByUserId` `{"ids":[…]}` (at most 650, else 400)
    ///   → 200 `{"value":[presence…]}` in request order; unknown GUIDs report PresenceUnknown;
    ///   an id that is not a GUID → 400.
    ///
    /// The `…/presence/` actions also exist under `/v1.0/communications/presences/{id}/`.
    func registerPresence(on router: Router) {
        graph(.get, "/users/{id}/presence", presence: true, on: router) { request, context, caller in
            let id = try await requireUser(context)
            try caller.requireReadPresence(of: id)
            return try await presence(request, id, contextPath: "users")
        }
        graph(.get, "/communications/presences/{id}", presence: true, on: router) { request, context, caller in
            let id = try await requireUser(context)
            try caller.requireReadPresence(of: id)
            return try await presence(request, id, contextPath: "communications/presences")
        }
        graph(.get, "/me/presence", presence: true, on: router) { request, _, caller in
            let id = try caller.requireSignedInUser()
            try caller.requireReadPresence(of: id)
            return try await presence(request, id, contextPath: "me")
        }
        for prefix in ["/users/{id}/presence", "/communications/presences/{id}"] {
            graph(.post, prefix + "/setPresence", presence: true, on: router) { request, context, caller in
                try await setPresence(request, context, caller: caller)
            }
            graph(.post, prefix + "/clearPresence", presence: true, on: router) { request, context, caller in
                try await clearPresence(request, context, caller: caller)
            }
            graph(.post, prefix + "/setUserPreferredPresence", presence: true, on: router) { request, context, caller in
                try await setPreferred(request, context, caller: caller)
            }
            graph(.post, prefix + "/clearUserPreferredPresence", presence: true, on: router) { request, context, caller in
                _ = try await JSONBody.read(request, required: false)
                let id = try await requireUser(context)
                try caller.requireWritePresence(of: id)
                await engine.clearPreferred(userID: id)
                return JSONReply.empty()
            }
        }
        graph(.post, "/communications/getPresencesByUserId", presence: true, on: router) { request, _, caller in
            try caller.requireReadManyPresences()
            return try await presencesByUserID(request)
        }
    }

    private func presence(_ request: Request, _ id: String, contextPath: String) async throws -> Response {
        guard let report = await engine.report(id) else { throw GraphFailure.unknownUser(id) }
        var json = report.json
        json["@odata.context"] = switch contextPath {
        case "users": "\(serviceRoot(request))/$metadata#users('\(id)')/presence/$entity"
        case "me": "\(serviceRoot(request))/$metadata#users('\(id)')/presence/$entity"
        default: "\(serviceRoot(request))/$metadata#communications/presences/$entity"
        }
        return JSONReply.object(json)
    }

    private func setPresence(_ request: Request, _ context: EmulatorRequestContext, caller: AccessGrant) async throws -> Response {
        let clientID = caller.clientID
        let body = try await JSONBody.read(request)
        let sessionID = try body.requiredString("sessionId")
        let pair = try PresencePairs.pair(in: body)
        guard TeamsAggregation.sessionPairs.contains(pair) else {
            throw GraphFailure.badRequest(
                "The availability/activity combination \(pair) is not supported by setPresence. Supported: \(PresencePairs.list(TeamsAggregation.sessionPairs)).")
        }
        var expiration = TeamsAggregation.defaultSessionExpiration
        if let text = try body.string("expirationDuration") {
            guard let parsed = ISODuration.parse(text) else {
                throw GraphFailure.badRequest("expirationDuration '\(text)' is not an ISO 8601 duration such as PT5M.")
            }
            let range = TeamsAggregation.sessionExpirationRange
            guard range.contains(parsed) else {
                throw GraphFailure.badRequest(
                    "expirationDuration must be between \(ISODuration.format(range.lowerBound)) and \(ISODuration.format(range.upperBound)); got \(text).")
            }
            expiration = parsed
        }
        try Self.requireOwnSession(sessionID, clientID: clientID)
        let id = try await requireUser(context)
        try caller.requireWritePresence(of: id)
        await engine.setApplicationSession(userID: id, sessionID: sessionID, pair: pair, expiration: expiration)
        return JSONReply.empty()
    }

    private func clearPresence(_ request: Request, _ context: EmulatorRequestContext, caller: AccessGrant) async throws -> Response {
        let body = try await JSONBody.read(request)
        let sessionID = try body.requiredString("sessionId")
        try Self.requireOwnSession(sessionID, clientID: caller.clientID)
        let id = try await requireUser(context)
        try caller.requireWritePresence(of: id)
        // Graph: 404 NotFound when the session does not exist [CP].
        guard await engine.removeApplicationSession(userID: id, sessionID: sessionID) else {
            throw GraphFailure.notFound("The presence session '\(sessionID)' of user '\(id)' was not found.")
        }
        return JSONReply.empty()
    }

    /// Graph wants the application's own id as `sessionId`.
    private static func requireOwnSession(_ sessionID: String, clientID: String) throws {
        guard sessionID.caseInsensitiveCompare(clientID) == .orderedSame else {
            throw GraphFailure.badRequest(
                "sessionId '\(sessionID)' must be the id of the calling application ('\(clientID)').")
        }
    }

    private func setPreferred(_ request: Request, _ context: EmulatorRequestContext, caller: AccessGrant) async throws -> Response {
        let body = try await JSONBody.read(request)
        let pair = try PresencePairs.pair(in: body)
        guard TeamsAggregation.preferredPairs.contains(pair) else {
            throw GraphFailure.badRequest(
                "The availability/activity combination \(pair) is not supported by setUserPreferredPresence. Supported: \(PresencePairs.list(TeamsAggregation.preferredPairs)).")
        }
        var expiration: Duration?
        if let text = try body.string("expirationDuration") {
            guard let parsed = ISODuration.parse(text), parsed > .zero else {
                throw GraphFailure.badRequest("expirationDuration '\(text)' is not a positive ISO 8601 duration such as PT8H.")
            }
            expiration = parsed
        }
        let id = try await requireUser(context)
        try caller.requireWritePresence(of: id)
        await engine.setPreferred(userID: id, pair: pair, expiration: expiration)
        return JSONReply.empty()
    }

    /// At most this many ids per `getPresencesByUserId`.
    static let maximumBatch = 650

    private func presencesByUserID(_ request: Request) async throws -> Response {
        let body = try await JSONBody.read(request)
        guard let ids = try body.strings("ids") else {
            throw GraphFailure.badRequest("Property 'ids' is required.")
        }
        guard ids.count <= Self.maximumBatch else {
            throw GraphFailure.badRequest(
                "The number of ids (\(ids.count)) exceeds the maximum of \(Self.maximumBatch) per request.")
        }
        if let bad = ids.first(where: { !ObjectID.isGUID($0) }) { throw GraphFailure.notAnObjectID(bad) }
        var seen = Set<String>()
        let unique = ids.map { $0.lowercased() }.filter { seen.insert($0).inserted }
        let value = await engine.reports(unique).map(\.json)
        return JSONReply.object([
            "@odata.context": "\(serviceRoot(request))/$metadata#Collection(microsoft.graph.presence)",
            "value": value,
        ])
    }
}
