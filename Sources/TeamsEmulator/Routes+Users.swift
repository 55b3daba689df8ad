import Foundation
import Hummingbird

extension EmulatorRoutes {
    /// Directory lookups and JSON batching.
    ///
    /// - `GET /v1.0/users/{id | userPrincipalName}` (`?$select=id,displayName,userPrincipalName,…`)
    ///   → 200 the user (`id`, `displayName`, `userPrincipalName` without `$select`); 404
    ///   `Request_ResourceNotFound`. Delegated User.Read covers the signed-in user only;
    ///   others need User.ReadBasic.All or User.Read.All (application tokens have User.Read.All).
    /// - `GET /v1.0/me` → the signed-in user (delegated only; an application token gets 400).
    /// - `POST /v1.0/$batch` `{"requests":[{"id","method","url","headers"?,"body"?}]}` → 200
    ///   `{"responses":[{"id","status","headers","body"}]}`, answers in reverse order (Graph may
    ///   answer out of order). At most 20 requests, unique ids, else the whole batch is 400.
    ///   Items: `GET /users/{id|upn}`, `GET /me`, `GET /users/{id}/presence`,
    ///   `GET /communications/presences/{id}`; each is counted (stats, presence budget) and
    ///   may fail on its own (404, 403, 429 …); other items get 400 in their own answer.
    func registerUsers(on router: Router) {
        graph(.get, "/users/{id}", on: router) { request, context, caller in
            let name = try pathParameter("id", context)
            let json = try await directoryUser(name, select: request.uri.queryParameters.get("$select"), caller: caller)
            return JSONReply.object(withContext(json, request))
        }
        graph(.get, "/me", on: router) { request, _, caller in
            let id = try caller.requireSignedInUser()
            let json = try await directoryUser(id, select: request.uri.queryParameters.get("$select"), caller: caller)
            return JSONReply.object(withContext(json, request))
        }
        graph(.post, "/$batch", on: router) { request, _, caller in
            try await batch(request, caller: caller)
        }
    }

    private func withContext(_ json: [String: Any], _ request: Request) -> [String: Any] {
        var json = json
        json["@odata.context"] = "\(serviceRoot(request))/$metadata#users/$entity"
        return json
    }

    static let userProperties = ["id", "displayName", "userPrincipalName", "mail", "givenName", "surname", "jobTitle"]

    /// A user by object id or UPN, as `GET /users/{x}` answers it.
    func directoryUser(_ name: String, select: String?, caller: AccessGrant) async throws -> [String: Any] {
        let id = await engine.resolveDirectory(name)
        try caller.requireReadUser(id)
        guard let id, let user = await engine.user(id) else { throw GraphFailure.unknownUser(name) }
        let full = user.directoryJSON
        guard let select, !select.isEmpty else { return full }
        var json: [String: Any] = [:]
        for field in select.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let known = Self.userProperties.first(where: { $0.caseInsensitiveCompare(field) == .orderedSame }) else {
                throw GraphFailure.badRequest("Could not find a property named '\(field)' on type 'microsoft.graph.user'.")
            }
            json[known] = full[known] ?? NSNull()
        }
        return json
    }

    static let maximumBatchRequests = 20

    private func batch(_ request: Request, caller: AccessGrant) async throws -> Response {
        let body = try await JSONBody.read(request)
        guard let items = try body.objects("requests") else {
            throw GraphFailure.badRequest("Property 'requests' is required.", code: "BadRequest")
        }
        guard items.count <= Self.maximumBatchRequests else {
            throw GraphFailure.badRequest(
                "The number of batch requests (\(items.count)) exceeds the maximum of \(Self.maximumBatchRequests).")
        }
        var ids = Set<String>()
        for item in items {
            let id = try item.requiredString("id")
            guard ids.insert(id).inserted else {
                throw GraphFailure.badRequest("Batch request ids must be unique; '\(id)' appears more than once.")
            }
            _ = try item.requiredString("method")
            _ = try item.requiredString("url")
        }
        var responses: [[String: Any]] = []
        for item in items {
            let id = try item.requiredString("id")
            let method = try item.requiredString("method"), url = try item.requiredString("url")
            let (status, retryAfter, body) = await batchItem(method: method, url: url, caller: caller, request: request)
            var headers = ["Content-Type": "application/json"]
            if let retryAfter { headers["Retry-After"] = retryAfter }
            responses.append(["id": id, "status": status, "headers": headers, "body": body])
        }
        return JSONReply.object(["responses": Array(responses.reversed())])
    }

    /// One `$batch` item, counted on its own; failures become its status and error body.
    private func batchItem(method: String, url: String, caller: AccessGrant,
                           request: Request) async -> (Int, retryAfter: String?, [String: Any]) {
        var path = url.hasPrefix("/") ? url : "/" + url
        if path.lowercased().hasPrefix("/v1.0/") { path = String(path.dropFirst(5)) }
        var query: String?
        if let mark = path.firstIndex(of: "?") {
            query = String(path[path.index(after: mark)...])
            path = String(path[..<mark])
        }
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let lower = segments.map { $0.lowercased() }
        let select = query.flatMap { q in
            q.split(separator: "&").compactMap { part -> String? in
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, kv[0].lowercased() == "$select" else { return nil }
                return String(kv[1]).removingPercentEncoding ?? String(kv[1])
            }.first
        }
        let name: String
        switch (method.uppercased(), lower.count, lower.first ?? "", lower.last ?? "") {
        case ("GET", 2, "users", _): name = "GET /v1.0/users/{id}"
        case ("GET", 1, "me", _): name = "GET /v1.0/me"
        case ("GET", 3, "users", "presence"): name = "GET /v1.0/users/{id}/presence"
        case ("GET", 3, "communications", _) where lower[1] == "presences": name = "GET /v1.0/communications/presences/{id}"
        default: name = "\(method.uppercased()) \(path)"
        }
        stats.request("$batch " + name)
        let requestID = UUID().uuidString.lowercased()
        do {
            switch name {
            case "GET /v1.0/users/{id}":
                return (200, nil, try await directoryUser(segments[1], select: select, caller: caller))
            case "GET /v1.0/me":
                return (200, nil, try await directoryUser(try caller.requireSignedInUser(), select: select, caller: caller))
            case "GET /v1.0/users/{id}/presence", "GET /v1.0/communications/presences/{id}":
                try admitPresence(caller)
                let raw = lower[0] == "users" ? segments[1] : segments[2]
                guard ObjectID.isGUID(raw) else { throw GraphFailure.notAnObjectID(raw) }
                let id = raw.lowercased()
                guard await engine.hasUser(id), let report = await engine.report(id) else { throw GraphFailure.unknownUser(raw) }
                try caller.requireReadPresence(of: id)
                return (200, nil, report.json)
            default:
                break
            }
            throw GraphFailure.badRequest("The emulator's $batch does not support '\(method) \(url)'.")
        } catch let failure as GraphFailure {
            return (Int(failure.status.code), failure.headers[.retryAfter],
                    failure.body(requestID: requestID, clientRequestID: request.clientRequestID))
        } catch {
            return (500, nil, GraphFailure(status: .internalServerError, code: "InternalServerError", message: "\(error)")
                .body(requestID: requestID, clientRequestID: request.clientRequestID))
        }
    }
}
