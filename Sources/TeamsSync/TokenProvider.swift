import AsyncHTTPClient
import Foundation
import NIOCore
import SoftphoneCore

/// Where `GraphClient` gets its bearer tokens: the seam for other sign-ins (device
/// code, delegated) beside the application's client-credentials `TokenProvider`.
public protocol GraphTokenSource: Sendable {
    /// A token valid now (cached, or fetched).
    func token() async throws(GraphError) -> String
    /// Graph answered 401: the next `token()` must not return the same one.
    func invalidate() async
    /// Tokens fetched so far.
    var fetches: Int { get async }
}

/// A cached token and until when to use it; pure, time passed in.
struct TokenCache: Sendable, Hashable {
    private(set) var token: String?
    private var renewAfter: Instant?

    func valid(at now: Instant) -> String? {
        guard let token, let renewAfter, now < renewAfter else { return nil }
        return token
    }

    mutating func store(_ response: TokenResponse, at now: Instant) {
        token = response.access_token
        renewAfter = now + TokenProvider.cacheLifetime(of: response)
    }

    mutating func invalidate() {
        token = nil
        renewAfter = nil
    }
}

/// Application tokens from the client-credentials flow: cached, renewed a minute
/// before they expire, and dropped when Graph answers 401.
actor TokenProvider: GraphTokenSource {
    private let configuration: GraphConfiguration
    private let http: HTTPClient
    private let clock: any SyncClock
    private var cache = TokenCache()
    /// How many tokens were fetched (for tests and the request counts).
    private(set) var fetches = 0

    init(configuration: GraphConfiguration, http: HTTPClient, clock: any SyncClock) {
        self.configuration = configuration
        self.http = http
        self.clock = clock
    }

    func token() async throws(GraphError) -> String {
        if let token = cache.valid(at: clock.now) { return token }
        let fresh = try await fetch()
        cache.store(fresh, at: clock.now)
        return fresh.access_token
    }

    /// How long a fetched token is used: a minute less than it is valid, and not at all
    /// when the token endpoint says it expires within the minute (or already has: a
    /// negative `expires_in`, down to `Int.min`, must not overflow).
    static func cacheLifetime(of response: TokenResponse) -> Duration {
        .seconds(response.expires_in > 60 ? response.expires_in - 60 : 0)
    }

    func invalidate() { cache.invalidate() }

    private func fetch() async throws(GraphError) -> TokenResponse {
        fetches += 1
        let form = [
            ("client_id", configuration.clientID), ("client_secret", configuration.clientSecret),
            ("scope", configuration.scope), ("grant_type", "client_credentials"),
        ].map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: configuration.tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let operation = "token"
        let (status, data): (Int, Data)
        do {
            let response = try await http.execute(request, timeout: .init(configuration.requestTimeout))
            let body = try await response.body.collect(upTo: 1 << 20)
            (status, data) = (Int(response.status.code), Data(body.readableBytesView))
        } catch {
            throw GraphError(.transport(String(describing: error)), operation: operation)
        }
        guard status == 200 else {
            let body = try? JSONDecoder().decode(TokenErrorBody.self, from: data)
            throw GraphError(.token(status, code: body?.error, message: body?.error_description), operation: operation)
        }
        do {
            return try JSONDecoder().decode(TokenResponse.self, from: data)
        } catch {
            throw GraphError(.malformed("token response: \(error)"), operation: operation)
        }
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}
