import Foundation
import Hummingbird

extension EmulatorRoutes {
    /// `POST /{tenant}/oauth2/v2.0/token` — OAuth 2.0 client credentials.
    ///
    /// Form fields: `grant_type=client_credentials`, `client_id`, `client_secret` (or HTTP
    /// Basic authentication), `scope` ending in `/.default`.
    /// - 200 `{"token_type":"Bearer","expires_in":N,"ext_expires_in":N,"access_token":"…"}`
    /// - 401 `invalid_client`: unknown client id, missing or wrong secret
    /// - 400 `invalid_request` (missing field, not a form, unknown tenant),
    ///   `unsupported_grant_type`, `invalid_scope`
    func registerToken(on router: Router) {
        router.post("/{tenant}/oauth2/v2.0/token") { request, context in
            try await gate("POST /{tenant}/oauth2/v2.0/token", target: .token, request, context) {
                try await issueToken(request, context)
            }
        }
    }

    private func issueToken(_ request: Request, _ context: EmulatorRequestContext) async throws -> Response {
        let tenant = try pathParameter("tenant", context)
        guard tenant.caseInsensitiveCompare(options.tenant) == .orderedSame else {
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
        guard let grant = form["grant_type"], !grant.isEmpty else {
            throw TokenFailure.invalidRequest(900_144, "The request body must contain the following parameter: 'grant_type'.")
        }
        guard grant == "client_credentials" else {
            throw TokenFailure(status: .badRequest, error: "unsupported_grant_type", aadstsCode: 70_003,
                               description: "The app requested an unsupported grant type '\(grant)'.")
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            throw TokenFailure.invalidRequest(900_144, "The request body must contain the following parameter: 'client_id'.")
        }
        guard let scope = form["scope"], !scope.isEmpty else {
            throw TokenFailure.invalidRequest(900_144, "The request body must contain the following parameter: 'scope'.")
        }
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
