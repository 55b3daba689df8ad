import AsyncHTTPClient
import Foundation
import NIOCore

/// Application tokens from the client-credentials flow: cached, renewed a minute
/// before they expire, and dropped when Graph answers 401.
actor TokenProvider {
    private let configuration: GraphConfiguration
    private let http: HTTPClient
    private var cached: (token: String, renewAfter: ContinuousClock.Instant)?
    /// How many tokens were fetched (for tests and the request counts).
    private(set) var fetches = 0

    init(configuration: GraphConfiguration, http: HTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    func token() async throws(GraphError) -> String {
        if let cached, ContinuousClock.now < cached.renewAfter { return cached.token }
        let fresh = try await fetch()
        cached = (fresh.access_token, ContinuousClock.now + Self.cacheLifetime(of: fresh))
        return fresh.access_token
    }

    /// How long a fetched token is used: a minute less than it is valid, and not at all
    /// when the token endpoint says it expires within the minute (or already has: a
    /// negative `expires_in`, down to `Int.min`, must not overflow).
    static func cacheLifetime(of response: TokenResponse) -> Duration {
        .seconds(response.expires_in > 60 ? response.expires_in - 60 : 0)
    }

    func invalidate() { cached = nil }

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
