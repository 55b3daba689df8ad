import Foundation
import SoftphoneConfig
import SoftphoneCore

/// One `application/x-www-form-urlencoded` POST to the identity platform (device
/// authorization or token endpoint). A plain value: the pure flows say what to send,
/// `TokenEndpoint` sends it.
public struct FormRequest: Sendable, Hashable {
    public var url: String
    public var fields: [Field]

    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(url: String, fields: [Field]) {
        self.url = url
        self.fields = fields
    }

    /// The value of field `name`, if present.
    public func value(of name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The encoded body.
    public var body: String {
        fields.map { "\(TokenProvider.formEncode($0.name))=\(TokenProvider.formEncode($0.value))" }.joined(separator: "&")
    }
}

/// The answer of the device authorization endpoint (Microsoft identity platform, RFC 8628 §3.2).
struct DeviceAuthorizationResponse: Decodable, Sendable {
    var device_code: String
    var user_code: String
    var verification_uri: String
    var expires_in: Int
    var interval: Int?
    var message: String?
}

/// A successful token answer with a refresh token (delegated flows).
struct DelegatedTokenResponse: Decodable, Sendable {
    var token_type: String?
    var expires_in: Int
    var access_token: String
    var refresh_token: String?
    var scope: String?
}

/// The identity platform's error body: `{"error", "error_description", "error_codes"}`.
struct OAuthErrorBody: Decodable, Sendable {
    var error: String
    var error_description: String?
    var error_codes: [Int]?

    /// Entra's numbered reason, as in `error_codes` or an `AADSTS7000218:` prefix of the description.
    func has(aadsts code: Int) -> Bool {
        (error_codes ?? []).contains(code) || (error_description ?? "").contains("AADSTS\(code)")
    }
}

/// Tokens from a token endpoint answer: what the delegated source keeps.
public struct TokenGrant: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessToken: Secret
    public var refreshToken: Secret?
    /// When the access token expires (the endpoint's `expires_in` from when it was received).
    public var accessTokenExpiresAt: Instant
    public var scope: String?

    public init(accessToken: Secret, refreshToken: Secret?, accessTokenExpiresAt: Instant, scope: String? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.scope = scope
    }

    init(_ response: DelegatedTokenResponse, at now: Instant) {
        let seconds = max(0, response.expires_in)
        self.init(accessToken: Secret(response.access_token), refreshToken: response.refresh_token.map(Secret.init),
                  accessTokenExpiresAt: now + .seconds(seconds), scope: response.scope)
    }

    public var description: String { "TokenGrant(access token <redacted>, expires \(accessTokenExpiresAt))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The identity platform's refusal, read from a token-endpoint answer, and what it means
/// for the softphone.
enum TokenRefusal: Sendable, Hashable {
    /// `invalid_grant`, `interaction_required`, `consent_required`, `invalid_scope` (a permission
    /// this version asks for that the stored sign-in was never granted): the agent must sign in again.
    case signInAgain(code: String, description: String?)
    /// `temporarily_unavailable`, 429, 5xx: try again later.
    case transient(status: Int, code: String?, description: String?)
    /// `invalid_client` with AADSTS7000218: the app registration is not a public client.
    case notPublicClient
    /// Anything else.
    case other(status: Int, code: String?, description: String?)

    init(status: Int, body: Data) {
        let parsed = try? JSONDecoder().decode(OAuthErrorBody.self, from: body)
        let code = parsed?.error
        if code == "invalid_client", parsed?.has(aadsts: 7000218) == true {
            self = .notPublicClient
        } else if ["invalid_grant", "interaction_required", "consent_required", "invalid_scope"].contains(code) {
            self = .signInAgain(code: code!, description: parsed?.error_description)
        } else if code == "temporarily_unavailable" || status == 429 || status >= 500 {
            self = .transient(status: status, code: code, description: parsed?.error_description)
        } else {
            self = .other(status: status, code: code, description: parsed?.error_description)
        }
    }

    static let notPublicClientText = "the app registration does not allow public client flows "
        + "(Entra admin center → App registrations → Authentication → Allow public client flows = Yes)"

    /// As a `GraphError` for the Log tab and the ❎ reason.
    func error(operation: String) -> GraphError {
        switch self {
        case .signInAgain(let code, let description):
            return GraphError(.signInNeeded(reason: "\(code)\(description.map { ": \(Self.firstLine($0))" } ?? "")"), operation: operation)
        case .transient(let status, let code, let description), .other(let status, let code, let description):
            return GraphError(.token(status, code: code, message: description.map(Self.firstLine)), operation: operation)
        case .notPublicClient:
            return GraphError(.token(400, code: "invalid_client", message: Self.notPublicClientText), operation: operation)
        }
    }

    /// Entra's descriptions carry a trace id and a timestamp on later lines.
    static func firstLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).first ?? "")
    }
}

/// Graph's resource for delegated scopes: the scheme and host of `graph_url`, so the
/// emulator gets its own (as `GraphConfiguration.scope` does for app tokens).
///
/// The delegated permissions asked at login (and on each refresh):
/// - `Presence.ReadWrite`: the agent's own presence (sessions, preferred presence);
/// - `Presence.Read.All`: the colleagues' presence (`getPresencesByUserId`);
/// - `User.Read`: `/me`, who signed in;
/// - `User.ReadBasic.All`: another user's object id from a UPN (`/users/{upn}?$select=id`,
///   in `$batch`), which `User.Read` does not allow (403 on a real tenant);
/// - `offline_access`: a refresh token.
public enum DelegatedScopes {
    public static let permissions = ["Presence.ReadWrite", "Presence.Read.All", "User.Read", "User.ReadBasic.All"]

    /// `https://graph.microsoft.com/Presence.ReadWrite … offline_access`.
    public static func scope(graphURL: String) -> String {
        let resource = GraphConfiguration.resource(of: graphURL)
        return (permissions.map { "\(resource)/\($0)" } + ["offline_access"]).joined(separator: " ")
    }
}
