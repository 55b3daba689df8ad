import GraphModel
import Foundation
import Hummingbird
import SoftphoneCore

/// The control API under `/_emulator`: plain JSON, no token, never delayed, faulted or
/// counted. It plays the Teams desktop app, Outlook and the calendar, and lets tests
/// inspect and disturb the emulator. Errors use Graph's error body.
///
/// Users. `{id}` in `/_emulator/users/{id}…` may be the object id, the UPN or the short name
/// the user was created with (`ada`: object id `ObjectID.forName("ada")`, UPN `ada@{domain}`).
/// - `GET /_emulator/users` → 200 `{"value":[{"id","userPrincipalName","alias","displayName","colleague","availability","activity","isOutOfOffice"}]}`
/// - `PUT /_emulator/users/{id}` `{"displayName"?,"colleague"?}` → 201 created / 200 updated, the user's state
///   (a GUID is the object id; a name with `@` the UPN; else a short name)
/// - `GET /_emulator/users/{id}` → 200 the user's state:
///   `{"id","displayName","colleague","emulatorTime",
///     "sessions":[{"id","kind","availability","activity","updatedAt","expiresAt"|null,"effective":{"availability","activity"}|null}],
///     "preferred":{"availability","activity","setAt","expiresAt"}|null,
///     "outOfOffice":{"isOutOfOffice","automaticReplies","message"},
///     "aggregate":{"availability","activity","isOutOfOffice"}}`
/// - `DELETE /_emulator/users/{id}` → 204
/// - `PUT /_emulator/users/{id}/sessions/{sessionId}` `{"kind":"teamsClient"|"calendar","availability","activity"}`
///   → 200 state. Any pair (the Teams app in Presenting, InACall; a meeting: calendar Busy/InAMeeting).
///   Such sessions never expire or go idle. `kind` defaults to teamsClient.
/// - `DELETE /_emulator/users/{id}/sessions/{sessionId}` → 200 state (any session, also an
///   application's); 404 if there is none
/// - `PUT /_emulator/users/{id}/preferred` `{"availability","activity","expirationSeconds"?}` → 200 state
///   (the user picks a status in the Teams app; pairs per `TeamsAggregation.preferredPairs`)
/// - `DELETE /_emulator/users/{id}/preferred` → 200 state ("Reset status")
/// - `PUT /_emulator/users/{id}/outOfOffice` `{"on":true,"message"?}` → 200 state (Outlook turns
///   automatic replies on, `alwaysEnabled`, or off, `disabled`)
///
/// Stats, faults, latency, churn
/// - `GET /_emulator/stats` → 200 `{"total","endpoints":{"POST /v1.0/users/{id}/presence/setPresence":N,…},
///   "statuses":{"200":N,…},"notifications":{"sent","failed"},"validations",
///   "presenceLast30s":{"windowSeconds":30,"budget":N,"byClient":{"<client id>":n}}}`
///   (status `0` counts dropped connections; `$batch` items count as `$batch GET /v1.0/users/{id}` …;
///   `presenceLast30s`: presence requests per application in the last 30 s, throttled ones included);
///   `POST /_emulator/stats/reset` → 204 (also empties the 30 s window)
/// - `POST /_emulator/faults` `{"status":500|503|429|…,"retryAfterSeconds"?,"count"?,"target"?}` or
///   `{"dropConnection":true,"count"?,"target"?}` → 200 `{"pending":[…]}`. Queues `count` (default 1)
///   faults for the next requests of `target`: `graph` (default, `/v1.0`), `token`, or `all`.
///   `GET` lists the queue, `DELETE` empties it (204).
/// - `PUT /_emulator/latency` `{"milliseconds":50}` → 200 `{"milliseconds":50}`; `GET` reads it.
/// - `PUT /_emulator/churn` `{"everyMilliseconds":2000,"seed"?,"changesPerTick"?}` → 200 the churn
///   (`everyMilliseconds` 0 stops); `GET` reads it; `DELETE` stops it (204).
/// - `GET /_emulator` → 200 `{"tenant","clientId","timeScale","emulatorTime","wallTime","users","subscriptions"}`
/// - `GET /_emulator/subscriptions` → 200 `{"value":[…]}` (all live subscriptions)
extension EmulatorRoutes {
    static let controlContentType = "application/json; charset=utf-8"

    func control(_ method: HTTPRequest.Method, _ path: String, on router: Router,
                 _ handler: @escaping @Sendable (Request, EmulatorRequestContext) async throws -> Response) {
        router.on(RouterPath("/_emulator" + path), method: method) { request, context in
            try await handler(request, context)
        }
    }

    func registerControl(on router: Router) {
        registerControlUsers(on: router)
        registerControlConditions(on: router)
        registerControlIdentity(on: router)
    }

    static func reply(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        JSONReply.object(value, status: status, contentType: controlContentType)
    }

    func userState(_ id: String, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let snapshot = await engine.snapshot(id) else { throw GraphFailure.unknownUser(id) }
        return Self.reply(Self.json(snapshot), status: status)
    }

    static func json(_ pair: PresencePair) -> [String: Any] {
        ["availability": pair.availability.rawValue, "activity": pair.activity.rawValue]
    }

    static func json(_ s: UserSnapshot) -> [String: Any] {
        let user = s.user
        let sessions: [[String: Any]] = user.presence.sessions.map { session in
            var json = json(session.pair)
            json["id"] = session.id
            json["kind"] = session.kind.rawValue
            json["updatedAt"] = GraphDateTime.format(session.updatedAt)
            json["expiresAt"] = session.expiresAt.map { GraphDateTime.format($0) as Any } ?? NSNull()
            json["effective"] = (s.effective[session.id] ?? nil).map { Self.json($0) as Any } ?? NSNull()
            return json
        }
        let preferred: Any = user.presence.preferred.map { p -> Any in
            var json = json(p.pair)
            json["setAt"] = GraphDateTime.format(p.setAt)
            json["expiresAt"] = p.expiresAt.map { GraphDateTime.format($0) as Any } ?? NSNull()
            return json
        } ?? NSNull()
        var aggregate = json(s.report.presence.pair)
        aggregate["isOutOfOffice"] = s.report.presence.outOfOffice
        return [
            "id": user.id,
            "userPrincipalName": user.userPrincipalName,
            "alias": user.alias.map { $0 as Any } ?? NSNull(),
            "displayName": user.displayName,
            "colleague": user.colleague,
            "emulatorTime": GraphDateTime.format(s.emulatorNow),
            "sessions": sessions,
            "preferred": preferred,
            "outOfOffice": [
                "isOutOfOffice": s.outOfOffice,
                "automaticReplies": user.automaticReplies.status.rawValue,
                "message": user.automaticReplies.internalReplyMessage,
            ] as [String: Any],
            "aggregate": aggregate,
        ]
    }

    private func registerControlUsers(on router: Router) {
        control(.get, "/users", on: router) { _, _ in
            var value: [[String: Any]] = []
            for id in await engine.userIDs() {
                guard let s = await engine.snapshot(id) else { continue }
                var json = Self.json(s.report.presence.pair)
                json["id"] = id
                json["userPrincipalName"] = s.user.userPrincipalName
                json["alias"] = s.user.alias.map { $0 as Any } ?? NSNull()
                json["displayName"] = s.user.displayName
                json["colleague"] = s.user.colleague
                json["isOutOfOffice"] = s.report.presence.outOfOffice
                value.append(json)
            }
            return Self.reply(["value": value])
        }
        control(.put, "/users/{id}", on: router) { request, context in
            let body = try await JSONBody.read(request, required: false)
            let name = try pathParameter("id", context)
            let (id, created) = await engine.upsertUser(name: name, displayName: try body.string("displayName"),
                                                        colleague: try body.bool("colleague"))
            return try await userState(id, status: created ? .created : .ok)
        }
        control(.get, "/users/{id}", on: router) { _, context in
            try await userState(controlUser(context))
        }
        control(.delete, "/users/{id}", on: router) { _, context in
            let id = try await controlUser(context)
            _ = await engine.removeUser(id)
            return JSONReply.empty(.noContent)
        }
        control(.put, "/users/{id}/sessions/{sessionId}", on: router) { request, context in
            let body = try await JSONBody.read(request)
            let kindText = try body.string("kind") ?? PresenceSession.Kind.teamsClient.rawValue
            guard let kind = [PresenceSession.Kind.teamsClient, .calendar]
                .first(where: { $0.rawValue.caseInsensitiveCompare(kindText) == .orderedSame }) else {
                throw GraphFailure.badRequest(
                    "kind '\(kindText)' must be teamsClient or calendar (application sessions come from setPresence).")
            }
            let pair = try PresencePairs.pair(in: body)
            let id = try await controlUser(context)
            let sessionID = try pathParameter("sessionId", context)
            await engine.apply([SessionEdit(userID: id, sessionID: sessionID, kind: kind, pair: pair)])
            return try await userState(id)
        }
        control(.delete, "/users/{id}/sessions/{sessionId}", on: router) { _, context in
            let id = try await controlUser(context)
            let sessionID = try pathParameter("sessionId", context)
            guard await engine.removeSession(userID: id, sessionID: sessionID) else {
                throw GraphFailure.notFound("User '\(id)' has no session '\(sessionID)'.")
            }
            return try await userState(id)
        }
        control(.put, "/users/{id}/preferred", on: router) { request, context in
            let body = try await JSONBody.read(request)
            let pair = try PresencePairs.pair(in: body)
            guard TeamsAggregation.preferredPairs.contains(pair) else {
                throw GraphFailure.badRequest(
                    "\(pair) is not a preferred presence. Supported: \(PresencePairs.list(TeamsAggregation.preferredPairs)).")
            }
            let seconds = try body.number("expirationSeconds")
            if let seconds, seconds <= 0 { throw GraphFailure.badRequest("expirationSeconds must be positive.") }
            let id = try await controlUser(context)
            await engine.setPreferred(userID: id, pair: pair, expiration: seconds.map { .milliseconds(Int64($0 * 1000)) })
            return try await userState(id)
        }
        control(.delete, "/users/{id}/preferred", on: router) { _, context in
            let id = try await controlUser(context)
            await engine.clearPreferred(userID: id)
            return try await userState(id)
        }
        control(.put, "/users/{id}/outOfOffice", on: router) { request, context in
            let body = try await JSONBody.read(request)
            guard let on = try body.bool("on") else { throw GraphFailure.badRequest("Property 'on' is required.") }
            var patch = AutomaticReplies.Patch(status: on ? .alwaysEnabled : .disabled)
            patch.internalReplyMessage = try body.string("message")
            let id = try await controlUser(context)
            _ = try await engine.updateAutomaticReplies(userID: id, patch)
            return try await userState(id)
        }
    }
}
