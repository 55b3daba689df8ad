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
/// - One refresh at a time: callers that need a token while a refresh is on its way wait
///   for that one (a rotated refresh token is spent on first use; a second refresh with it
///   would be refused and sign the agent out). The refresh runs in its own task, so a
///   caller cancelled meanwhile does not cancel it, and the rotated token is stored anyway.
/// - The file is read before each refresh, and the result is stored only if the file still
///   holds the refresh token just sent (`TokenStore.save(_:ifStillHolding:)`): a
///   `softphone teams logout` or a `teams login` from another terminal meanwhile wins —
///   the refresh's tokens are dropped and the file is read again (none: the sign-in prompt).
/// - No token file, or a refresh refused with `invalid_grant`/`interaction_required`, is a
///   `GraphError` of kind `.signInNeeded` (`description`: "Teams: sign in with `softphone
///   teams login`"; the identity platform's reason in `detail`). A refused refresh token is
///   never sent again: until the file holds another one (a new login), each request fails
///   at once without a network request. Each new reason is passed to `note` once (the Log).
/// - `temporarily_unavailable`, 5xx and transport failures are transient errors (the
///   caller retries).
public actor DelegatedTokenSource: GraphTokenSource {
    private let store: TokenStore
    private let endpoint: TokenEndpoint
    private let clock: any SyncClock
    private let clientID: String
    private let tokenURL: String
    private let scope: String
    private let note: (@Sendable (String) -> Void)?
    private var signIn: StoredSignIn?
    private var accessToken: Secret?
    private var renewAfter: Instant?
    /// The refresh on its way; later callers await it.
    private var inFlight: Task<Result<String, GraphError>, Never>?
    /// The refresh token the identity platform refused, and its answer.
    private var refused: (token: Secret, error: GraphError)?
    /// The last sign-in reason passed to `note`.
    private var notedReason: String?
    /// Token requests sent to the identity platform.
    public private(set) var fetches = 0
    /// Callers that found no usable access token (each started or joined a refresh).
    private(set) var refreshWaits = 0

    /// - Parameters:
    ///   - scope: the scopes asked for on refresh (`DelegatedScopes.scope(graphURL:)`).
    ///   - note: told once per new reason why a sign-in is needed (a line for the Log).
    public init(store: TokenStore, clientID: String, tokenURL: String, scope: String,
                endpoint: TokenEndpoint = TokenEndpoint(), clock: any SyncClock = SystemSyncClock(),
                note: (@Sendable (String) -> Void)? = nil) {
        self.store = store
        self.clientID = clientID
        self.tokenURL = tokenURL
        self.scope = scope
        self.endpoint = endpoint
        self.clock = clock
        self.note = note
    }

    /// The signed-in account as stored (after the first `token()`).
    public var account: StoredSignIn.Account? { signIn?.account }

    public func token() async throws(GraphError) -> String {
        if let accessToken, let renewAfter, clock.now < renewAfter { return accessToken.value }
        refreshWaits += 1
        let refresh: Task<Result<String, GraphError>, Never>
        if let inFlight {
            refresh = inFlight
        } else {
            refresh = Task { await self.refreshOnce() }
            inFlight = refresh
        }
        // An unstructured task: cancelling this caller does not cancel the refresh.
        return try await refresh.value.get()
    }

    public func invalidate() {
        accessToken = nil
        renewAfter = nil
    }

    /// One refresh, for every caller waiting; notes a new sign-in reason once.
    private func refreshOnce() async -> Result<String, GraphError> {
        defer { inFlight = nil }
        do throws(GraphError) {
            // Once more when a login from another terminal replaced the file meanwhile.
            for _ in 0..<2 {
                let current = try currentSignIn()
                if let token = try await refresh(current) {
                    notedReason = nil
                    return .success(token)
                }
            }
            throw GraphError(.malformed("\(store.path) changed during two refreshes in a row"), operation: "token refresh")
        } catch {
            if case .signInNeeded(let reason) = error.kind, reason != notedReason {
                notedReason = reason
                note?(error.detail)
            }
            return .failure(error)
        }
    }

    /// The sign-in in the file, read afresh (a `teams logout` or `login` elsewhere counts).
    private func currentSignIn() throws(GraphError) -> StoredSignIn {
        let loaded: StoredSignIn?
        do {
            loaded = try store.load()
        } catch {
            forget()
            throw GraphError(.signInNeeded(reason: error.description), operation: "token")
        }
        guard let loaded else {
            forget()
            throw GraphError(.signInNeeded(reason: "not signed in (no \(store.path))"), operation: "token")
        }
        guard loaded.clientID == clientID, loaded.tokenURL == tokenURL else {
            forget()
            throw GraphError(.signInNeeded(reason: "the stored sign-in is for another app registration or tenant"),
                             operation: "token")
        }
        // Refused once, refused again: wait for a new login instead of asking every 30 s.
        if let refused, refused.token == loaded.refreshToken { throw refused.error }
        refused = nil
        signIn = loaded
        return loaded
    }

    private func forget() {
        signIn = nil
        accessToken = nil
        renewAfter = nil
    }

    /// The new access token; `nil` when the file no longer holds `current`'s refresh
    /// token (signed out or in again elsewhere): then nothing is kept.
    private func refresh(_ current: StoredSignIn) async throws(GraphError) -> String? {
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
            let error = refusal.error(operation: operation)
            if case .signInAgain = refusal {
                forget()
                // Another process (a second softphone, a login) may have used and rotated this
                // token meanwhile: when the file holds another one, try that instead.
                if let onDisk = try? store.load(), onDisk.refreshToken != current.refreshToken { return nil }
                refused = (current.refreshToken, error)
            }
            throw error
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
            guard try store.save(updated, ifStillHolding: current.refreshToken) else {
                forget()
                return nil
            }
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
