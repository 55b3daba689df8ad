import AsyncHTTPClient
import Foundation
import NIOCore
import GraphModel
import NIOHTTP1
import SoftphoneCore

/// The Microsoft Graph presence API, v1.0 shapes. Every call refreshes the token on a
/// 401 (once), honours `Retry-After` on 429 and 503 exactly (and tells the gate, so the
/// whole tenant waits), backs off on 5xx and dropped connections,
/// and fails with a `GraphError` that reads well in the Log tab.
///
/// Seams: `tokens` (where bearer tokens come from), `gate` (admits each attempt: the
/// place for a per-tenant request budget), `clock` (token lifetimes and the waits
/// between retries), `jitter` (the retry policy's random spread).
public final class GraphClient: Sendable {
    public let configuration: GraphConfiguration
    let http: HTTPClient
    let tokens: any GraphTokenSource
    let gate: any GraphRequestGate
    let retry: RetryPolicy
    let sleep: @Sendable (Duration) async throws -> Void
    let jitter: @Sendable () -> Double
    let now: @Sendable () -> Instant
    /// Graph allows at most this many ids per `getPresencesByUserId`.
    public static let presenceBatchLimit = 650

    /// - Parameter sleep: waits between retries; by default on `clock`.
    public init(configuration: GraphConfiguration, httpClient: HTTPClient = .shared,
                clock: any SyncClock = SystemSyncClock(), tokens: (any GraphTokenSource)? = nil,
                gate: any GraphRequestGate = OpenGate(),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                sleep: (@Sendable (Duration) async throws -> Void)? = nil) {
        self.configuration = configuration
        self.http = httpClient
        self.tokens = tokens ?? TokenProvider(configuration: configuration, http: httpClient, clock: clock)
        self.gate = gate
        self.retry = RetryPolicy(maxRetries: configuration.maxRetries)
        self.jitter = jitter
        self.now = { clock.now }
        self.sleep = sleep ?? { duration in try await clock.sleep(until: clock.now + duration) }
    }

    /// Tokens fetched so far.
    public var tokenFetches: Int { get async { await tokens.fetches } }

    // MARK: Presence

    /// `GET /users/{id}/presence`.
    public func presence(of userID: String? = nil) async throws(GraphError) -> PresenceResource {
        let id = userID ?? configuration.userID
        return try await call(.GET, "/users/\(escape(id))/presence", operation: "GET presence", decode: PresenceResource.self)
    }

    /// `setPresence` for the softphone's own session (`sessionId` = the client id).
    public func setSessionPresence(_ pair: PresencePair) async throws(GraphError) {
        let body = SetPresenceBody(sessionId: configuration.clientID, availability: pair.availability.rawValue,
                                   activity: pair.activity.rawValue,
                                   expirationDuration: configuration.sessionExpiration.iso8601)
        try await send(.POST, "/users/\(escape(configuration.userID))/presence/setPresence", body, operation: "setPresence")
    }

    /// `clearPresence` for the softphone's own session.
    public func clearSessionPresence() async throws(GraphError) {
        try await send(.POST, "/users/\(escape(configuration.userID))/presence/clearPresence",
                       ClearPresenceBody(sessionId: configuration.clientID), operation: "clearPresence")
    }

    /// `setUserPreferredPresence`.
    public func setPreferredPresence(_ pair: PresencePair, expiration: Duration? = nil) async throws(GraphError) {
        let body = SetPreferredBody(availability: pair.availability.rawValue, activity: pair.activity.rawValue,
                                    expirationDuration: expiration?.iso8601)
        try await send(.POST, "/users/\(escape(configuration.userID))/presence/setUserPreferredPresence", body,
                       operation: "setUserPreferredPresence")
    }

    /// `clearUserPreferredPresence`.
    public func clearPreferredPresence() async throws(GraphError) {
        try await send(.POST, "/users/\(escape(configuration.userID))/presence/clearUserPreferredPresence",
                       Optional<ClearPresenceBody>.none, operation: "clearUserPreferredPresence")
    }

    /// `POST /communications/getPresencesByUserId`, in batches of at most 650 ids.
    public func presences(of ids: [String]) async throws(GraphError) -> [PresenceResource] {
        var result: [PresenceResource] = []
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(ids.count, start + Self.presenceBatchLimit)])
            let list = try await call(.POST, "/communications/getPresencesByUserId", body: PresencesByIDBody(ids: batch),
                                      operation: "getPresencesByUserId", decode: ValueList<PresenceResource>.self)
            result += list.value
            start += batch.count
        }
        return result
    }

    // MARK: Subscriptions

    /// Subscribes to presence changes of `ids` (`/communications/presences?$filter=id in (...)`).
    /// Lifecycle notifications go to `notificationURL` too.
    public func subscribe(to ids: [String], notificationURL: String, clientState: String,
                          expiration: Instant) async throws(GraphError) -> SubscriptionResource {
        let quoted = ids.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ",")
        let body = SubscriptionResource(id: nil, changeType: "updated", notificationUrl: notificationURL,
                                        resource: "/communications/presences?$filter=id in (\(quoted))",
                                        expirationDateTime: GraphDateTime.format(expiration), clientState: clientState,
                                        lifecycleNotificationUrl: notificationURL)
        return try await call(.POST, "/subscriptions", body: body, operation: "create subscription",
                              decode: SubscriptionResource.self)
    }

    public func renewSubscription(_ id: String, until expiration: Instant) async throws(GraphError) {
        try await send(.PATCH, "/subscriptions/\(escape(id))", SubscriptionRenewal(expirationDateTime: GraphDateTime.format(expiration)),
                       operation: "renew subscription")
    }

    public func deleteSubscription(_ id: String) async throws(GraphError) {
        try await send(.DELETE, "/subscriptions/\(escape(id))", Optional<ClearPresenceBody>.none,
                       operation: "delete subscription")
    }

    // MARK: The sync plan's requests

    /// Performs one of the sync plan's requests; the answer goes back to the plan.
    public func execute(_ request: SyncPlan.Request) async -> Result<SyncPlan.Response, GraphError> {
        do throws(GraphError) {
            switch request {
            case .setSession(let pair): try await setSessionPresence(pair)
            case .clearSession: try await clearSessionPresence()
            case .setPreferred(let pair): try await setPreferredPresence(pair)
            case .clearPreferred: try await clearPreferredPresence()
            case .readAgent: return .success(.presence(try await presence()))
            case .readColleagues(let ids): return .success(.presences(try await presences(of: ids)))
            case .subscribe(let ids, let url, let clientState, let expiration):
                return .success(.subscription(try await subscribe(to: ids, notificationURL: url, clientState: clientState,
                                                                  expiration: expiration)))
            case .renew(let id, let until): try await renewSubscription(id, until: until)
            case .delete(let id): try await deleteSubscription(id)
            }
            return .success(.done)
        } catch {
            return .failure(error)
        }
    }

    // MARK: The request machinery

    private func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    private func send<Body: Encodable>(_ method: HTTPMethod, _ path: String, _ body: Body?,
                                       operation: String) async throws(GraphError) {
        _ = try await perform(method, path, body: try encode(body, operation), operation: operation)
    }

    private func call<Response: Decodable>(_ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<ClearPresenceBody>.none,
                                           operation: String, decode: Response.Type) async throws(GraphError) -> Response {
        let data = try await perform(method, path, body: try encode(body, operation), operation: operation)
        do {
            return try JSONDecoder().decode(Response.self, from: data)
        } catch {
            throw GraphError(.malformed("\(error)"), operation: operation)
        }
    }

    private func encode<Body: Encodable>(_ body: Body?, _ operation: String) throws(GraphError) -> Data? {
        guard let body else { return nil }
        do { return try JSONEncoder().encode(body) } catch {
            throw GraphError(.malformed("cannot encode the request: \(error)"), operation: operation)
        }
    }

    /// Sends one Graph request with token refresh and retries; returns the body of a 2xx.
    func perform(_ method: HTTPMethod, _ path: String, body: Data?, operation: String) async throws(GraphError) -> Data {
        var attempt = 0
        var refreshedToken = false
        while true {
            attempt += 1
            try await gate.admit(operation)
            let token = try await tokens.token()
            var request = HTTPClientRequest(url: configuration.graphURL + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let status: Int, data: Data, retryAfter: RetryAfter?
            do {
                let response = try await http.execute(request, timeout: .init(configuration.requestTimeout))
                let collected = try await response.body.collect(upTo: 8 << 20)
                status = Int(response.status.code)
                data = Data(collected.readableBytesView)
                retryAfter = response.headers.first(name: "Retry-After").flatMap {
                    RetryAfter(header: $0, serverDate: response.headers.first(name: "Date"))
                }
            } catch {
                let failure = GraphError(.transport(String(describing: error)), operation: operation)
                guard let wait = retry.delay(attempt: attempt, status: nil, retryAfter: nil,
                                             jitter: jitter()) else { throw failure }
                try await pause(wait, operation)
                continue
            }
            if (200..<300).contains(status) { return data }
            if status == 401, !refreshedToken {
                refreshedToken = true
                await tokens.invalidate()
                continue
            }
            let body = try? JSONDecoder().decode(GraphErrorBody.self, from: data)
            let failure = GraphError(.status(status, code: body?.error.code, message: body?.error.message), operation: operation)
            // Graph asked the whole tenant to wait: the gate holds every request until then,
            // retried or not; this request's own retry waits exactly as long.
            var asked: Duration?
            if let retryAfter, status == 429 || status == 503 {
                await gate.retryAfter(retryAfter)
                asked = retryAfter.wait(answeredAt: now())
            }
            guard let wait = retry.delay(attempt: attempt, status: status, retryAfter: asked,
                                         jitter: jitter()) else { throw failure }
            try await pause(wait, operation)
        }
    }

    private func pause(_ duration: Duration, _ operation: String) async throws(GraphError) {
        do { try await sleep(duration) } catch {
            throw GraphError(.transport("cancelled"), operation: operation)
        }
    }
}

/// Admits each request attempt to Graph; the seam for throttling (one gate per tenant,
/// a request budget: `TenantGate`). Throwing refuses the attempt.
public protocol GraphRequestGate: Sendable {
    func admit(_ operation: String) async throws(GraphError)
    /// Graph answered 429 or 503 with `Retry-After` just now: admit nothing before it runs out.
    func retryAfter(_ wait: RetryAfter) async
}

/// Admits everything (Graph's own 429s are honoured by the retry policy).
public struct OpenGate: GraphRequestGate {
    public init() {}
    public func admit(_ operation: String) async throws(GraphError) {}
    /// Nothing to hold: the client's own retry waits as long as Graph asked.
    public func retryAfter(_ wait: RetryAfter) async {}
}
