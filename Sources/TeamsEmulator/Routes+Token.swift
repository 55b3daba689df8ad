import Foundation
import Hummingbird

extension EmulatorRoutes {
    /// The identity platform (`login.microsoftonline.com`), `{tenant}` the tenant id, its
    /// domain, `organizations` or `common`. Errors: `{"error","error_description":"AADSTS…",
    /// "error_codes","timestamp","trace_id","correlation_id"}`.
    ///
    /// `POST /{tenant}/oauth2/v2.0/token`:
    /// - `grant_type=client_credentials`, `client_id`, `client_secret` (or HTTP Basic), `scope`
    ///   ending in `/.default` → 200 `{"token_type","expires_in","ext_expires_in","access_token"}`
    ///   (an application token with the roles Presence.ReadWrite.All, User.Read.All,
    ///   MailboxSettings.ReadWrite); 401 `invalid_client` for an unknown id or a bad secret.
    /// - `grant_type=urn:ietf:params:oauth:grant-type:device_code`, `client_id`, `device_code`
    ///   → 400 `authorization_pending` | `slow_down` (pending and polled sooner than `interval`
    ///   after the previous poll) | `authorization_declined` | `expired_token` |
    ///   `bad_verification_code`; on approval 200 `{"token_type","scope","expires_in",
    ///   "ext_expires_in","access_token","refresh_token"?}` (refresh token only with `offline_access`).
    /// - `grant_type=refresh_token`, `client_id`, `refresh_token`, `scope`? → 200 as above with a
    ///   NEW refresh token (the old one is spent); 400 `invalid_grant` (AADSTS50173 revoked,
    ///   AADSTS700082 expired, unknown); `invalid_scope` for a scope not granted.
    /// - The public-client grants need a client id in `publicClientIDs` (no secret): another
    ///   gets 401 `invalid_client` AADSTS7000218.
    ///
    /// `POST /{tenant}/oauth2/v2.0/devicecode` `client_id`, `scope` → 200 `{"device_code",
    /// "user_code","verification_uri","expires_in","interval","message"}`; unknown scopes
    /// → 400 `invalid_scope`. `GET /devicelogin` explains how to approve (control API).
    func registerToken(on router: Router) {
        router.post("/{tenant}/oauth2/v2.0/token") { request, context in
            try await gate("POST /{tenant}/oauth2/v2.0/token", target: .token, request, context) {
                try await issueToken(request, context)
            }
        }
        router.post("/{tenant}/oauth2/v2.0/devicecode") { request, context in
            try await gate("POST /{tenant}/oauth2/v2.0/devicecode", target: .token, request, context) {
                try await deviceAuthorization(request, context)
            }
        }
        router.get("/devicelogin") { request, _ in
            let pending = tokens.pendingDeviceCodes().map(\.userCode).joined(separator: ", ")
            let text = """
                Teams emulator: there is no sign-in page. Approve a code with
                POST \(rootURL(request))/_emulator/devicecode/{user_code}/approve {"user":"<upn, alias or object id>"}
                Pending codes: \(pending.isEmpty ? "none" : pending)

                """
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// The form of a token-endpoint request, after the tenant and content-type checks.
    private func readForm(_ request: Request, _ context: EmulatorRequestContext) async throws -> [String: String] {
        let tenant = try pathParameter("tenant", context)
        let known = [options.tenant, options.domain, "organizations", "common"]
        guard known.contains(where: { $0.caseInsensitiveCompare(tenant) == .orderedSame }) else {
            throw TokenFailure.invalidRequest(90_002, "Tenant '\(tenant)' not found.")
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw TokenFailure.invalidRequest(
                900_144, "The request body must be application/x-www-form-urlencoded and contain 'grant_type'.")
        }
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        var form = Self.parseForm(String(buffer: buffer))
        if let (id, secret) = Self.basicCredentials(request.headers[.authorization]) {
            form["client_id"] = form["client_id"] ?? id
            form["client_secret"] = form["client_secret"] ?? secret
        }
        return form
    }

    private static func required(_ form: [String: String], _ field: String) throws -> String {
        guard let value = form[field], !value.isEmpty else {
            throw TokenFailure.invalidRequest(900_144, "The request body must contain the following parameter: '\(field)'.")
        }
        return value
    }

    /// A public-client grant: the client id must be registered as a public client, and no secret is sent.
    private func requirePublicClient(_ form: [String: String]) throws -> String {
        let clientID = try Self.required(form, "client_id")
        guard clientID == options.clientID || options.publicClients.contains(clientID) else {
            throw TokenFailure(status: .badRequest, error: "unauthorized_client", aadstsCode: 700_016,
                               description: "Application with identifier '\(clientID)' was not found in the directory '\(options.tenant)'.")
        }
        guard options.publicClients.contains(clientID) else {
            throw TokenFailure(status: .unauthorized, error: "invalid_client", aadstsCode: 7_000_218,
                               description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        }
        // A public client has no secret; Entra refuses one that presents any.
        if form["client_secret"] != nil || form["client_assertion"] != nil {
            throw TokenFailure(status: .unauthorized, error: "invalid_client", aadstsCode: 700_025,
                               description: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
        }
        return clientID
    }

    private func parseScopes(_ text: String, root: String) throws -> [String] {
        switch DelegatedScopes.parse(text, resource: root) {
        case .success(let scopes) where !scopes.isEmpty: return scopes
        case .success: throw TokenFailure.invalidRequest(900_144, "The request body must contain the following parameter: 'scope'.")
        case .failure(let unknown):
            throw TokenFailure(status: .badRequest, error: "invalid_scope", aadstsCode: 70_011,
                               description: "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: '\(unknown.name)' is not a permission of Microsoft Graph.")
        }
    }

    /// `POST /{tenant}/oauth2/v2.0/devicecode` (form `client_id`, `scope`).
    private func deviceAuthorization(_ request: Request, _ context: EmulatorRequestContext) async throws -> Response {
        let form = try await readForm(request, context)
        let clientID = try requirePublicClient(form)
        let scopes = try parseScopes(try Self.required(form, "scope"), root: rootURL(request))
        let code = tokens.startDeviceCode(clientID: clientID, scopes: scopes)
        let uri = "\(rootURL(request))/devicelogin"
        var response = JSONReply.object([
            "device_code": code.deviceCode,
            "user_code": code.userCode,
            "verification_uri": uri,
            "expires_in": max(1, tokens.deviceCodeLifetime.wholeSeconds),
            "interval": tokens.deviceCodeInterval,
            "message": "To sign in, use a web browser to open the page \(uri) and enter the code \(code.userCode) to authenticate.",
        ], contentType: "application/json; charset=utf-8")
        response.headers[.cacheControl] = "no-store, no-cache"
        return response
    }

    private func issueToken(_ request: Request, _ context: EmulatorRequestContext) async throws -> Response {
        let form = try await readForm(request, context)
        let grant = try Self.required(form, "grant_type")
        switch grant {
        case "client_credentials": return try clientCredentials(form)
        case "urn:ietf:params:oauth:grant-type:device_code": return try deviceCodeGrant(form)
        case "refresh_token": return try refreshGrant(form, root: rootURL(request))
        default:
            throw TokenFailure(status: .badRequest, error: "unsupported_grant_type", aadstsCode: 70_003,
                               description: "The app requested an unsupported grant type '\(grant)'.")
        }
    }

    private func deviceCodeGrant(_ form: [String: String]) throws -> Response {
        let clientID = try requirePublicClient(form)
        let deviceCode = try Self.required(form, "device_code")
        switch tokens.poll(deviceCode: deviceCode, clientID: clientID) {
        case .pending:
            throw TokenFailure(status: .badRequest, error: "authorization_pending", aadstsCode: 70_016,
                               description: "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
        case .slowDown:
            throw TokenFailure(status: .badRequest, error: "slow_down", aadstsCode: 70_016,
                               description: "OAuth 2.0 device flow error. Polled sooner than the interval; add 5 seconds to it.")
        case .declined:
            throw TokenFailure(status: .badRequest, error: "authorization_declined", aadstsCode: 70_019,
                               description: "The end user declined the authorization request.")
        case .expired:
            throw TokenFailure(status: .badRequest, error: "expired_token", aadstsCode: 70_020,
                               description: "The provided value for the input parameter 'device_code' is not valid. Device codes expire after \(tokens.deviceCodeLifetime.wholeSeconds) seconds.")
        case .unknown, .wrongClient:
            throw TokenFailure(status: .badRequest, error: "bad_verification_code", aadstsCode: 70_018,
                               description: "The provided value for the input parameter 'device_code' is not valid.")
        case .approved(let subject, let scopes):
            return delegatedSuccess(clientID: clientID, subject: subject, scopes: scopes)
        }
    }

    private func refreshGrant(_ form: [String: String], root: String) throws -> Response {
        let clientID = try requirePublicClient(form)
        let refreshToken = try Self.required(form, "refresh_token")
        let asked = try form["scope"].flatMap { $0.isEmpty ? nil : $0 }.map { try parseScopes($0, root: root) }
        switch tokens.redeem(refreshToken: refreshToken, clientID: clientID, asking: asked) {
        case .notGranted(let extra):
            // As Entra: consent is missing (AADSTS65001) — an interactive sign-in is needed.
            throw TokenFailure(status: .badRequest, error: "invalid_grant", aadstsCode: 65_001,
                               description: "The user or administrator has not consented to use the application with '\(extra)'.")
        case .granted(let subject, let granted):
            // The new access token carries what was asked (or all); the new refresh token all that was granted.
            let (access, refresh) = tokens.issueDelegated(clientID: clientID, subject: subject, scopes: granted)
            let accessScopes = asked ?? granted
            return Self.tokenSuccess(access: access, refresh: refresh, scopes: accessScopes,
                                     expiresIn: tokens.expiresInSeconds)
        case .unknown, .wrongClient:
            throw TokenFailure(status: .badRequest, error: "invalid_grant", aadstsCode: 9_002_313,
                               description: "Invalid request. Request is malformed or invalid: the refresh token is not one this tenant issued.")
        case .revoked:
            throw TokenFailure(status: .badRequest, error: "invalid_grant", aadstsCode: 50_173,
                               description: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
        case .expired:
            throw TokenFailure(status: .badRequest, error: "invalid_grant", aadstsCode: 700_082,
                               description: "The refresh token has expired due to inactivity. The token was issued on an earlier date and was inactive for 90.00:00:00.")
        }
    }

    /// The token endpoint's success JSON for a delegated sign-in.
    func delegatedSuccess(clientID: String, subject: String, scopes: [String]) -> Response {
        let (access, refresh) = tokens.issueDelegated(clientID: clientID, subject: subject, scopes: scopes)
        return Self.tokenSuccess(access: access, refresh: refresh, scopes: scopes, expiresIn: tokens.expiresInSeconds)
    }

    static func tokenSuccess(access: String, refresh: String?, scopes: [String], expiresIn: Int64) -> Response {
        var body: [String: Any] = [
            "token_type": "Bearer",
            "scope": scopes.filter { $0 != "offline_access" }.joined(separator: " "),
            "expires_in": expiresIn,
            "ext_expires_in": expiresIn,
            "access_token": access,
        ]
        if let refresh { body["refresh_token"] = refresh }
        var response = JSONReply.object(body, contentType: "application/json; charset=utf-8")
        response.headers[.cacheControl] = "no-store, no-cache"
        return response
    }

    /// OAuth 2.0 client credentials (the confidential client `options.clientID` and its secret).
    private func clientCredentials(_ form: [String: String]) throws -> Response {
        let clientID = try Self.required(form, "client_id")
        let scope = try Self.required(form, "scope")
        guard scope.split(separator: " ").allSatisfy({ $0.hasSuffix("/.default") }) else {
            throw TokenFailure(status: .badRequest, error: "invalid_scope", aadstsCode: 1_002_012,
                               description: "The provided value for scope \(scope) is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
        }
        guard clientID == options.clientID else {
            throw TokenFailure(status: .unauthorized, error: "invalid_client", aadstsCode: 700_016,
                               description: "Application with identifier '\(clientID)' was not found in the directory '\(options.tenant)'.")
        }
        guard let secret = form["client_secret"], !secret.isEmpty else {
            throw TokenFailure(status: .unauthorized, error: "invalid_client", aadstsCode: 7_000_216,
                               description: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
        }
        guard secret == options.clientSecret else {
            throw TokenFailure(status: .unauthorized, error: "invalid_client", aadstsCode: 7_000_215,
                               description: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(clientID)'.")
        }
        let token = tokens.issue(clientID: clientID)
        let body: [String: Any] = [
            "token_type": "Bearer",
            "expires_in": tokens.expiresInSeconds,
            "ext_expires_in": tokens.expiresInSeconds,
            "access_token": token,
        ]
        var response = JSONReply.object(body, contentType: "application/json; charset=utf-8")
        response.headers[.cacheControl] = "no-store, no-cache"
        return response
    }

    /// `http://host:port` as the client addressed us.
    func rootURL(_ request: Request) -> String {
        "http://\(request.head.authority ?? "\(options.host):\(options.port)")"
    }

    /// `a=1&b=x+y` → `["a": "1", "b": "x y"]`.
    static func parseForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for part in text.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(kv[0])
            guard !key.isEmpty else { continue }
            fields[key] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return fields
    }

    /// Client id and secret from `Authorization: Basic base64(id:secret)`.
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        let id = String(text[..<colon]), secret = String(text[text.index(after: colon)...])
        return (id.removingPercentEncoding ?? id, secret.removingPercentEncoding ?? secret)
    }
}
