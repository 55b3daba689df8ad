import AsyncHTTPClient
import Foundation
import NIOCore
import SoftphoneConfig
import SoftphoneCore

/// Sends `FormRequest`s to the identity platform: the one place the sign-in flows touch
/// the network.
public struct TokenEndpoint: Sendable {
    public struct Answer: Sendable, Hashable {
        public var status: Int
        public var body: Data
    }

    let http: HTTPClient
    let timeout: Duration

    public init(http: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.http = http
        self.timeout = timeout
    }

    /// The status and body of the answer; throws only when there is none.
    public func post(_ form: FormRequest) async throws -> Answer {
        var request = HTTPClientRequest(url: form.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: form.body))
        let response = try await http.execute(request, timeout: .init(timeout))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), body: Data(body.readableBytesView))
    }
}

/// Delegated tokens for the signed-in agent (`teams.auth = "device"`): the access token
/// in memory, the refresh token in the `TokenStore`. When the access token runs out (a
/// minute early) or Graph answered 401 (`invalidate`), it is refreshed with
/// `grant_type=refresh_token`, and the rotated refresh token is stored **before** the new
/// access token is handed out — a crash in between cannot leave a used-up refresh token
/// in the file.
///
/// No token file, or a refresh refused with `invalid_grant`/`interaction_required`, is a
/// `GraphError` of kind `.signInNeeded` ("Teams: sign in with `softphone teams login`");
/// while in that state the file is read again on each request, so signing in from another
/// terminal is picked up. `temporarily_unavailable`, 5xx and transport failures are
/// transient errors (the caller retries).
public actor DelegatedTokenSource: GraphTokenSource {
    private let store: TokenStore
    private let endpoint: TokenEndpoint
    private let clock: any SyncClock
    private let clientID: String
    private let tokenURL: String
    private let scope: String
    private var signIn: StoredSignIn?
    private var accessToken: Secret?
    private var renewAfter: Instant?
    public private(set) var fetches = 0

    /// - Parameter scope: the scopes asked for on refresh (`DelegatedScopes.scope(graphURL:)`).
    public init(store: TokenStore, clientID: String, tokenURL: String, scope: String,
                endpoint: TokenEndpoint = TokenEndpoint(), clock: any SyncClock = SystemSyncClock()) {
        self.store = store
        self.clientID = clientID
        self.tokenURL = tokenURL
        self.scope = scope
        self.endpoint = endpoint
        self.clock = clock
    }

    /// The signed-in account as stored (after the first `token()`).
    public var account: StoredSignIn.Account? { signIn?.account }

    public func token() async throws(GraphError) -> String {
        let now = clock.now
        if let accessToken, let renewAfter, now < renewAfter { return accessToken.value }
        let current = try currentSignIn()
        return try await refresh(current)
    }

    public func invalidate() {
        accessToken = nil
        renewAfter = nil
    }

    private func currentSignIn() throws(GraphError) -> StoredSignIn {
        if let signIn { return signIn }
        let loaded: StoredSignIn?
        do {
            loaded = try store.load()
        } catch {
            throw GraphError(.signInNeeded(reason: error.description), operation: "token")
        }
        guard let loaded else {
            throw GraphError(.signInNeeded(reason: "not signed in (no \(store.path))"), operation: "token")
        }
        guard loaded.clientID == clientID, loaded.tokenURL == tokenURL else {
            throw GraphError(.signInNeeded(reason: "the stored sign-in is for another app registration or tenant"),
                             operation: "token")
        }
        signIn = loaded
        return loaded
    }

    private func refresh(_ current: StoredSignIn) async throws(GraphError) -> String {
        fetches += 1
        let operation = "token refresh"
        let form = FormRequest(url: tokenURL, fields: [
            .init("client_id", clientID), .init("grant_type", "refresh_token"),
            .init("refresh_token", current.refreshToken.value), .init("scope", scope),
        ])
        let answer: TokenEndpoint.Answer
        do {
            answer = try await endpoint.post(form)
        } catch {
            throw GraphError(.transport(String(describing: error)), operation: operation)
        }
        let now = clock.now
        guard (200..<300).contains(answer.status) else {
            let refusal = TokenRefusal(status: answer.status, body: answer.body)
            if case .signInAgain = refusal { signIn = nil }
            throw refusal.error(operation: operation)
        }
        guard let response = try? JSONDecoder().decode(DelegatedTokenResponse.self, from: answer.body) else {
            throw GraphError(.malformed("the token endpoint's answer is not a token"), operation: operation)
        }
        let grant = TokenGrant(response, at: now)
        var updated = current
        // Rotation: a new refresh token replaces the old one — on disk first.
        if let rotated = grant.refreshToken { updated.refreshToken = rotated }
        updated.accessTokenExpiresAt = grant.accessTokenExpiresAt
        do {
            try store.save(updated)
        } catch {
            if grant.refreshToken != nil {
                throw GraphError(.malformed("the new refresh token cannot be stored: \(error)"), operation: operation)
            }
        }
        signIn = updated
        accessToken = grant.accessToken
        renewAfter = now + TokenProvider.cacheLifetime(of: TokenResponse(token_type: nil, expires_in: response.expires_in,
                                                                         access_token: ""))
        return grant.accessToken.value
    }
}
