import Foundation
import Hummingbird

extension EmulatorRoutes {
    /// Control API for sign-in, tokens and throttling (no token needed):
    ///
    /// - `GET /_emulator/devicecode` → 200 `{"value":[{"userCode","clientId","scopes","expiresAt"}]}` (pending codes)
    /// - `POST /_emulator/devicecode/{user_code}/approve` `{"user":"<upn, short name or object id>"}` → 200
    ///   `{"userCode","user"}`: the user signed in and consented; the next poll gets the tokens.
    ///   404 for no pending code, 400/404 for a missing/unknown user.
    /// - `POST /_emulator/devicecode/{user_code}/decline` → 200: the next poll gets `authorization_declined`.
    /// - `POST /_emulator/tokens` `{"user","scopes"?:[…],"clientId"?}` → 200 the token endpoint's success
    ///   JSON for a delegated token (scopes default `Presence.ReadWrite Presence.Read.All User.Read
    ///   offline_access`; a refresh token only with `offline_access`). For tests that need a
    ///   delegated token without the device-code flow.
    /// - `POST /_emulator/users/{id}/refreshTokens/revoke` → 200 `{"revoked":N}` (next use: `invalid_grant` AADSTS50173)
    /// - `POST /_emulator/users/{id}/refreshTokens/expire` → 200 `{"expired":N}` (next use: `invalid_grant` AADSTS700082)
    /// - `PUT /_emulator/throttle` `{"seconds":N}` → 200: every Graph request gets 429 `Retry-After`
    ///   (the seconds left) for N seconds (still counted); `0` or `DELETE` ends it.
    /// - `PUT /_emulator/presenceBudget` `{"requestsPer30s":N}` → 200; `GET` reads it with the counts.
    func registerControlIdentity(on router: Router) {
        control(.get, "/devicecode", on: router) { _, _ in
            Self.reply(["value": tokens.pendingDeviceCodes().map { code -> [String: Any] in
                ["userCode": code.userCode, "clientId": code.clientID, "scopes": code.scopes]
            }])
        }
        control(.post, "/devicecode/{code}/approve", on: router) { request, context in
            let body = try await JSONBody.read(request)
            let name = try body.requiredString("user")
            guard let subject = await engine.resolve(name) else { throw GraphFailure.unknownUser(name) }
            let code = try pathParameter("code", context)
            guard tokens.decide(userCode: code, approve: subject) else {
                throw GraphFailure.notFound("No pending device code '\(code)' (unknown, expired or already decided).")
            }
            return Self.reply(["userCode": code, "user": subject])
        }
        control(.post, "/devicecode/{code}/decline", on: router) { _, context in
            let code = try pathParameter("code", context)
            guard tokens.decide(userCode: code, approve: nil) else {
                throw GraphFailure.notFound("No pending device code '\(code)' (unknown, expired or already decided).")
            }
            return Self.reply(["userCode": code, "declined": true])
        }
        control(.post, "/tokens", on: router) { request, _ in
            let body = try await JSONBody.read(request)
            let name = try body.requiredString("user")
            guard let subject = await engine.resolve(name) else { throw GraphFailure.unknownUser(name) }
            let asked = try body.strings("scopes") ?? DelegatedScopes.standard
            let scopes: [String]
            switch DelegatedScopes.parse(asked.joined(separator: " ")) {
            case .success(let parsed): scopes = parsed
            case .failure(let unknown): throw GraphFailure.badRequest("Unknown scope '\(unknown.name)'.")
            }
            let clientID = try body.string("clientId") ?? options.publicClients.first ?? options.clientID
            return delegatedSuccess(clientID: clientID, subject: subject, scopes: scopes)
        }
        for (action, expire) in [("revoke", false), ("expire", true)] {
            control(.post, "/users/{id}/refreshTokens/\(action)", on: router) { _, context in
                let id = try await controlUser(context)
                let count = tokens.invalidateRefreshTokens(of: id, expire: expire)
                let key = expire ? "expired" : "revoked"
                return Self.reply([key: count])
            }
        }
        control(.put, "/throttle", on: router) { request, _ in
            let body = try await JSONBody.read(request)
            guard let seconds = try body.int("seconds"), (0...86_400).contains(seconds) else {
                throw GraphFailure.badRequest("seconds must be between 0 and 86400.")
            }
            throttle.force(seconds: seconds)
            return Self.reply(["seconds": seconds])
        }
        control(.delete, "/throttle", on: router) { _, _ in
            throttle.force(seconds: 0)
            return JSONReply.empty(.noContent)
        }
        control(.get, "/presenceBudget", on: router) { _, _ in Self.reply(presenceWindowJSON()) }
        control(.put, "/presenceBudget", on: router) { request, _ in
            let body = try await JSONBody.read(request)
            guard let budget = try body.int("requestsPer30s"), budget >= 1 else {
                throw GraphFailure.badRequest("requestsPer30s must be at least 1.")
            }
            throttle.setBudget(budget)
            return Self.reply(presenceWindowJSON())
        }
    }

    /// `{"windowSeconds":30,"budget":N,"byClient":{"client-id":n}}`: presence requests in the last 30 s.
    func presenceWindowJSON() -> [String: Any] {
        ["windowSeconds": 30, "budget": throttle.budget, "byClient": throttle.counts()]
    }
}
