import Foundation
import Hummingbird
import HummingbirdTesting
import SoftphoneCore
import Testing
@testable import TeamsEmulator

/// A reply as the tests look at it.
struct Reply {
    var status: Int
    var headers: HTTPFields
    var text: String

    /// The body as a JSON object (empty if it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code` of a Graph error body.
    var graphErrorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

/// A running emulator and an HTTP client for it (a fresh connection per request).
struct Emulator: Sendable {
    let server: TeamsEmulatorServer
    /// The agent's object id (Graph paths take object ids only); the control API also
    /// knows the user by it.
    static let agent = ObjectID.forName("agent-1")

    var options: TeamsEmulatorOptions { server.options }

    func send(_ method: HTTPRequest.Method, _ path: String, json: Any? = nil, body: String? = nil,
              contentType: String? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        var buffer: ByteBuffer?
        if let json {
            let data = try JSONSerialization.data(withJSONObject: json)
            buffer = ByteBuffer(bytes: data)
            headers[.contentType] = contentType ?? "application/json"
        } else if let body {
            buffer = ByteBuffer(string: body)
            if let contentType { headers[.contentType] = contentType }
        }
        let request = TestClient.Request(path, method: method, headers: headers, body: buffer)
        let response = try await TestClient.withClient(
            host: "127.0.0.1", port: server.port, configuration: .init(timeout: .seconds(20))
        ) { client in
            try await client.execute(request)
        }
        return Reply(status: Int(response.status.code), headers: response.headers,
                     text: response.body.map { String(buffer: $0) } ?? "")
    }

    /// A Graph request with a bearer token. Unless one is given: a fresh application token,
    /// except for `/subscriptions`, which Graph serves to delegated tokens only (the agent's).
    func graph(_ method: HTTPRequest.Method, _ path: String, json: Any? = nil, token: String? = nil) async throws -> Reply {
        let bearer: String
        if let token {
            bearer = token
        } else if path.hasPrefix("/subscriptions") {
            bearer = try await delegatedToken()
        } else {
            bearer = try await self.token()
        }
        return try await send(method, "/v1.0" + path, json: json, headers: [.authorization: "Bearer \(bearer)"])
    }

    func control(_ method: HTTPRequest.Method, _ path: String, json: Any? = nil) async throws -> Reply {
        try await send(method, "/_emulator" + path, json: json)
    }

    /// `POST /{tenant}/oauth2/v2.0/token` with a form.
    func tokenRequest(_ form: [String: String], tenant: String? = nil) async throws -> Reply {
        let body = form.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.value)" }
            .joined(separator: "&")
        return try await send(.post, "/\(tenant ?? options.tenant)/oauth2/v2.0/token", body: body,
                              contentType: "application/x-www-form-urlencoded")
    }

    var goodForm: [String: String] {
        ["grant_type": "client_credentials", "client_id": options.clientID, "client_secret": options.clientSecret,
         "scope": "https://graph.microsoft.com/.default"]
    }

    func token() async throws -> String {
        let reply = try await tokenRequest(goodForm)
        try #require(reply.status == 200, "token request failed: \(reply.text)")
        return try #require(reply.json["access_token"] as? String)
    }

    /// A delegated token for `user` minted through the control API (`POST /_emulator/tokens`).
    func delegatedToken(_ user: String = agent, scopes: [String]? = nil) async throws -> String {
        var body: [String: Any] = ["user": user]
        if let scopes { body["scopes"] = scopes }
        let reply = try await control(.post, "/tokens", json: body)
        try #require(reply.status == 200, "minting a delegated token failed: \(reply.text)")
        return try #require(reply.json["access_token"] as? String)
    }

    /// The aggregate Graph reports: `(availability, activity, isOutOfOffice)`.
    func presence(_ id: String = agent, token: String? = nil) async throws -> (String, String, Bool) {
        let reply = try await graph(.get, "/users/\(id)/presence", token: token)
        try #require(reply.status == 200, "GET presence: \(reply.status) \(reply.text)")
        let ooo = (reply.json["outOfOfficeSettings"] as? [String: Any])?["isOutOfOffice"] as? Bool ?? false
        return (reply.json["availability"] as? String ?? "?", reply.json["activity"] as? String ?? "?", ooo)
    }

    func setPresence(_ availability: String, _ activity: String, user: String = agent,
                     duration: String? = nil, token: String? = nil) async throws -> Reply {
        var body: [String: Any] = ["sessionId": options.clientID, "availability": availability, "activity": activity]
        if let duration { body["expirationDuration"] = duration }
        return try await graph(.post, "/users/\(user)/presence/setPresence", json: body, token: token)
    }

    func stats() async throws -> [String: Any] { try await control(.get, "/stats").json }

    func endpointCount(_ endpoint: String) async throws -> Int {
        (try await stats()["endpoints"] as? [String: Any])?[endpoint] as? Int ?? 0
    }
}

/// Runs `body` with an emulator that has the agent user, and always stops it.
func withEmulator(
    _ options: TeamsEmulatorOptions = TeamsEmulatorOptions(allowHTTPNotifications: true,
                                                           users: [EmulatedUserSeed(id: Emulator.agent)]),
    _ body: (Emulator) async throws -> Void
) async throws {
    let server = try await TeamsEmulatorServer.start(options)
    do {
        try await body(Emulator(server: server))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), every: Duration = .milliseconds(20),
                _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: every)
    }
    return try await condition()
}

/// Options with the agent and a few colleagues. The tests' receivers listen on loopback
/// http, so http notification URLs are allowed unless `allowHTTP` is false.
func options(timeScale: Double = 1, tokenLifetime: Duration = .seconds(3600), users extra: [EmulatedUserSeed] = [],
             autoCreateUsers: Bool = false, allowHTTP: Bool = true) -> TeamsEmulatorOptions {
    TeamsEmulatorOptions(tokenLifetime: tokenLifetime, allowHTTPNotifications: allowHTTP, timeScale: timeScale,
                         users: [EmulatedUserSeed(id: Emulator.agent, displayName: "Agent One")] + extra,
                         autoCreateUsers: autoCreateUsers)
}
