import GraphModel
import Hummingbird
import SoftphoneCore

extension EmulatorRoutes {
    /// The presence endpoints (all need a bearer token; errors use Graph's error body).
    ///
    /// - `GET /v1.0/users/{id}/presence` (also `/v1.0/communications/presences/{id}`) → 200
    ///   `{"@odata.context","id","availability","activity","statusMessage":null,
    ///   "outOfOfficeSettings":{"message","isOutOfOffice"}}`; 404 unknown user.
    /// - `POST …/presence/setPresence` `{"sessionId","availability","activity","expirationDuration"?}`
    ///   → 200, no body. `sessionId` must be the caller's client id; the pair must be one of
    ///   `TeamsAggregation.sessionPairs`; `expirationDuration` (ISO 8601, default PT5M) within
    ///   `TeamsAggregation.sessionExpirationRange`. Otherwise 400.
    /// - `POST …/presence/clearPresence` `{"sessionId"}` → 200 (also when there was no session).
    /// - `POST …/presence/setUserPreferredPresence` `{"availability","activity","expirationDuration"?}`
    ///   → 200; pairs per `TeamsAggregation.preferredPairs`, else 400.
    /// - `POST …/presence/clearUserPreferredPresence` → 200.
    /// - `POST /v1.0/communications/getPresencesByUserId` `{"ids":[…]}` (at most 650, else 400)
    ///   → 200 `{"value":[presence…]}` in request order; unknown ids report PresenceUnknown.
    ///
    /// The `…/presence/` actions also exist under `/v1.0/communications/presences/{id}/`.
    func registerPresence(on router: Router) {
        graph(.get, "/users/{id}/presence", on: router) { request, context, _ in
            try await presence(request, context, contextPath: "users")
        }
        graph(.get, "/communications/presences/{id}", on: router) { request, context, _ in
            try await presence(request, context, contextPath: "communications/presences")
        }
        for prefix in ["/users/{id}/presence", "/communications/presences/{id}"] {
            graph(.post, prefix + "/setPresence", on: router) { request, context, clientID in
                try await setPresence(request, context, clientID: clientID)
            }
            graph(.post, prefix + "/clearPresence", on: router) { request, context, clientID in
                try await clearPresence(request, context, clientID: clientID)
            }
            graph(.post, prefix + "/setUserPreferredPresence", on: router) { request, context, _ in
                try await setPreferred(request, context)
            }
            graph(.post, prefix + "/clearUserPreferredPresence", on: router) { request, context, _ in
                _ = try await JSONBody.read(request, required: false)
                let id = try await requireUser(context)
                await engine.clearPreferred(userID: id)
                return JSONReply.empty()
            }
        }
        graph(.post, "/communications/getPresencesByUserId", on: router) { request, _, _ in
            try await presencesByUserID(request)
        }
    }

    private func presence(_ request: Request, _ context: EmulatorRequestContext, contextPath: String) async throws -> Response {
        let id = try await requireUser(context)
        guard let report = await engine.report(id) else { throw GraphFailure.unknownUser(id) }
        var json = report.json
        json["@odata.context"] = contextPath == "users"
            ? "\(serviceRoot(request))/$metadata#users('\(id)')/presence/$entity"
            : "\(serviceRoot(request))/$metadata#communications/presences/$entity"
        return JSONReply.object(json)
    }

    private func setPresence(_ request: Request, _ context: EmulatorRequestContext, clientID: String) async throws -> Response {
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
        await engine.setApplicationSession(userID: id, sessionID: sessionID, pair: pair, expiration: expiration)
        return JSONReply.empty()
    }

    private func clearPresence(_ request: Request, _ context: EmulatorRequestContext, clientID: String) async throws -> Response {
        let body = try await JSONBody.read(request)
        let sessionID = try body.requiredString("sessionId")
        try Self.requireOwnSession(sessionID, clientID: clientID)
        let id = try await requireUser(context)
        await engine.removeSession(userID: id, sessionID: sessionID)
        return JSONReply.empty()
    }

    /// Graph wants the application's own id as `sessionId`.
    private static func requireOwnSession(_ sessionID: String, clientID: String) throws {
        guard sessionID.caseInsensitiveCompare(clientID) == .orderedSame else {
            throw GraphFailure.badRequest(
                "sessionId '\(sessionID)' must be the id of the calling application ('\(clientID)').")
        }
    }

    private func setPreferred(_ request: Request, _ context: EmulatorRequestContext) async throws -> Response {
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
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        let value = await engine.reports(unique).map(\.json)
        return JSONReply.object([
            "@odata.context": "\(serviceRoot(request))/$metadata#Collection(microsoft.graph.presence)",
            "value": value,
        ])
    }
}
