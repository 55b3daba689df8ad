import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SoftphoneCore
import TeamsEmulator
@testable import TeamsSync

/// Sleeps a test's Graph client asked for, recorded instead of waited.
actor SleepRecorder {
    private(set) var sleeps: [Duration] = []
    func record(_ d: Duration) { sleeps.append(d) }
}

/// Delegated tokens for a user, minted through the emulator's control API
/// (`POST /_emulator/tokens`), as if the user had signed in by device code.
actor MintedTokens: GraphTokenSource {
    let controlURL: String
    let user: String
    private var cached: String?
    private(set) var fetches = 0

    init(controlURL: String, user: String) {
        self.controlURL = controlURL
        self.user = user
    }

    func token() async throws(GraphError) -> String {
        if let cached { return cached }
        do {
            var request = HTTPClientRequest(url: controlURL + "/tokens")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"user":"\#(user)"}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 16)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            guard let token = json?["access_token"] as? String else {
                throw GraphError(.malformed("no access_token"), operation: "token")
            }
            fetches += 1
            cached = token
            return token
        } catch let error as GraphError {
            throw error
        } catch {
            throw GraphError(.transport("\(error)"), operation: "token")
        }
    }

    func invalidate() { cached = nil }
}

/// An emulator on an ephemeral loopback port, the agent "ada" and two colleagues.
/// Graph paths take object ids: `Emulator.id("bob")`; the control API also takes "bob".
/// The tests' webhook receivers listen on loopback http, so http notification URLs are allowed.
struct Emulator {
    let server: TeamsEmulatorServer
    let options: TeamsEmulatorOptions

    static func start(port: Int = 0, tokenLifetime: Duration = .seconds(3600), extraUsers: Int = 0,
                      validationTimeout: Duration = .seconds(10)) async throws -> Emulator {
        var users = [
            EmulatedUserSeed(id: "ada", displayName: "Ada Agent", teamsClient: PresencePair(.available, .available)),
            EmulatedUserSeed(id: "bob", displayName: "Bob", colleague: true, teamsClient: PresencePair(.busy, .inACall)),
            EmulatedUserSeed(id: "cat", displayName: "Cat", colleague: true, teamsClient: PresencePair(.available, .available)),
        ]
        users += (0..<extraUsers).map { EmulatedUserSeed(id: "u\($0)", colleague: true) }
        let options = TeamsEmulatorOptions(port: port, tokenLifetime: tokenLifetime, allowHTTPNotifications: true,
                                           users: users, validationTimeout: validationTimeout)
        return Emulator(server: try await TeamsEmulatorServer.start(options), options: options)
    }

    func configuration(secret: String? = nil, maxRetries: Int = 4) -> GraphConfiguration {
        GraphConfiguration(graphURL: server.baseURL + "/v1.0",
                           tokenURL: server.baseURL + "/\(options.tenant)/oauth2/v2.0/token",
                           clientID: options.clientID, clientSecret: secret ?? options.clientSecret, userID: Self.id("ada"),
                           requestTimeout: .seconds(3), maxRetries: maxRetries)
    }

    /// The object id Graph knows a seeded user by.
    static func id(_ name: String) -> String { ObjectID.forName(name) }

    /// A client with the application's token, or with the agent's delegated token (`delegated`).
    func client(secret: String? = nil, maxRetries: Int = 4, recorder: SleepRecorder? = nil,
                delegated: Bool = false) -> GraphClient {
        GraphClient(configuration: configuration(secret: secret, maxRetries: maxRetries),
                    tokens: delegated ? MintedTokens(controlURL: server.baseURL + "/_emulator", user: "ada") : nil,
                    sleep: { duration in await recorder?.record(duration) })
    }

    /// The control API (plain JSON, no token).
    @discardableResult
    func control(_ method: HTTPMethod, _ path: String, _ json: String? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: server.baseURL + "/_emulator" + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard !body.readableBytesView.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    /// What Teams shows for the agent now.
    func aggregate() async throws -> String {
        let state = try await control(.GET, "/users/ada")
        let aggregate = state["aggregate"] as? [String: Any] ?? [:]
        return "\(aggregate["availability"] ?? "?")/\(aggregate["activity"] ?? "?")"
    }

    /// Requests per endpoint since the last reset.
    func stats() async throws -> [String: Int] {
        let stats = try await control(.GET, "/stats")
        return (stats["endpoints"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    func stop() async { await server.stop() }
}

/// Waits (bounded) until `condition` holds; a wait, not a timing assertion.
func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
