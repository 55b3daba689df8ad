import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SoftphoneCore
@testable import TeamsSync

/// A clock that jumps: `sleep(until:)` sets the time to the deadline at once (virtual time).
final class JumpingClock: SyncClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Instant
    private(set) var sleeps: [Instant] = []

    init(_ start: Instant = Instant(secondsSinceEpoch: 1_800_000_000)) { current = start }

    var now: Instant { lock.withLock { current } }

    func advance(_ duration: Duration) { lock.withLock { current = current + duration } }

    func sleep(until deadline: Instant) async throws {
        try Task.checkCancellation()
        lock.withLock {
            sleeps.append(deadline)
            if current < deadline { current = deadline }
        }
    }
}

/// A loopback server that speaks the Microsoft identity platform's device-code and token
/// endpoints and the few Graph routes sign-in needs (`/me`, `/users/{upn}?$select=id`,
/// `$batch`), in the documented wire format. Answers are scripted per test.
final class FakeIdentityPlatform: @unchecked Sendable {
    struct Answer: Sendable {
        var status: Int
        var json: String
    }

    private let lock = NSLock()
    private var tokenAnswers: [Answer] = []
    private var deviceAnswers: [Answer] = []
    /// Form bodies received at the token endpoint, decoded.
    private(set) var tokenForms: [[String: String]] = []
    private(set) var deviceForms: [[String: String]] = []
    /// Graph request paths (with query) received.
    private(set) var graphPaths: [String] = []
    private(set) var batchSizes: [Int] = []
    /// Bearer tokens Graph saw.
    private(set) var bearers: [String] = []
    /// Batch item URLs answered 429 (Retry-After: 7) the first time they are asked.
    var throttleOnce: Set<String> = []
    /// UPN → object id known to "Graph".
    var users: [String: String] = [:]
    var me = (id: "00000000-0000-0000-0000-0000000000a1", upn: "ada@contoso.example", name: "Ada Agent")
    /// Called when a token request arrives (before answering): lets a test look at the store.
    var onTokenRequest: (@Sendable () -> Void)?
    /// While holding, token requests are received (and counted) but answered only on `releaseTokenAnswers()`.
    private var holding = false
    private var held: [CheckedContinuation<Void, Never>] = []
    private var arrivalWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    func holdTokenAnswers() { lock.withLock { holding = true } }

    func releaseTokenAnswers() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            holding = false
            defer { held = [] }
            return held
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Returns once `count` token requests have arrived.
    func waitForTokenRequests(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let ready = lock.withLock { () -> Bool in
                if tokenForms.count >= count { return true }
                arrivalWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private var runTask: Task<Void, any Error>?
    private var services: ServiceGroup?
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var tokenURL: String { baseURL + "/contoso.example/oauth2/v2.0/token" }
    var deviceCodeURL: String { baseURL + "/contoso.example/oauth2/v2.0/devicecode" }
    var graphURL: String { baseURL + "/v1.0" }

    func scriptToken(_ answers: Answer...) { lock.withLock { tokenAnswers += answers } }
    func scriptDevice(_ answers: Answer...) { lock.withLock { deviceAnswers += answers } }
    func snapshot<T>(_ read: (FakeIdentityPlatform) -> T) -> T { lock.withLock { read(self) } }

    static func start() async throws -> FakeIdentityPlatform {
        let fake = FakeIdentityPlatform()
        let router = Router()
        router.post("**") { request, _ -> Response in try await fake.answer(request) }
        router.get("**") { request, _ -> Response in try await fake.answer(request) }
        var logger = Logger(label: "fake-identity")
        logger.logLevel = .critical
        let (ports, sink) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  sink.yield(channel.localAddress?.port ?? 0)
                                  sink.finish()
                              }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        fake.services = services
        fake.runTask = Task { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        fake.port = await iterator.next() ?? 0
        return fake
    }

    func stop() async {
        await services?.triggerGracefulShutdown()
        _ = await runTask?.result
    }

    private func answer(_ request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let path = request.uri.path
        if request.method == .post, path.hasSuffix("/oauth2/v2.0/token") {
            let form = Self.decodeForm(body)
            let (hook, arrived) = lock.withLock { () -> ((@Sendable () -> Void)?, [CheckedContinuation<Void, Never>]) in
                tokenForms.append(form)
                let count = tokenForms.count
                let arrived = arrivalWaiters.filter { $0.count <= count }.map(\.continuation)
                arrivalWaiters.removeAll { $0.count <= count }
                return (onTokenRequest, arrived)
            }
            for continuation in arrived { continuation.resume() }
            hook?()
            await withCheckedContinuation { continuation in
                let now = lock.withLock { () -> Bool in
                    if holding { held.append(continuation) }
                    return !holding
                }
                if now { continuation.resume() }
            }
            let next = lock.withLock { tokenAnswers.isEmpty ? nil : tokenAnswers.removeFirst() }
            return Self.json(next ?? Answer(status: 500, json: #"{"error":"server_error"}"#))
        }
        if request.method == .post, path.hasSuffix("/oauth2/v2.0/devicecode") {
            let form = Self.decodeForm(body)
            let next = lock.withLock { () -> Answer? in
                deviceForms.append(form)
                return deviceAnswers.isEmpty ? nil : deviceAnswers.removeFirst()
            }
            return Self.json(next ?? Answer(status: 500, json: #"{"error":"server_error"}"#))
        }
        let full = path + (request.uri.query.map { "?" + $0 } ?? "")
        let bearer = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? ""
        lock.withLock {
            graphPaths.append(full)
            bearers.append(bearer)
        }
        if path == "/v1.0/me" {
            return Self.json(Answer(status: 200, json: #"{"id":"\#(me.id)","userPrincipalName":"\#(me.upn)","displayName":"\#(me.name)"}"#))
        }
        if path == "/v1.0/$batch" {
            struct Batch: Decodable { struct Item: Decodable { var id: String; var method: String; var url: String }; var requests: [Item] }
            let batch = try JSONDecoder().decode(Batch.self, from: Data(body.utf8))
            lock.withLock { batchSizes.append(batch.requests.count) }
            guard batch.requests.count <= 20 else {
                return Self.json(Answer(status: 400, json: #"{"error":{"code":"BadRequest","message":"too many requests in the batch"}}"#))
            }
            // Answers in reverse order: Graph does not keep the order.
            let items = batch.requests.reversed().map { item -> String in
                if lock.withLock({ throttleOnce.remove(item.url) != nil }) {
                    return #"{"id":"\#(item.id)","status":429,"headers":{"Retry-After":"7"},"body":{"error":{"code":"TooManyRequests","message":"slow down"}}}"#
                }
                if let id = lookUp(item.url) {
                    return #"{"id":"\#(item.id)","status":200,"headers":{"Content-Type":"application/json"},"body":{"id":"\#(id)"}}"#
                }
                return #"{"id":"\#(item.id)","status":404,"body":{"error":{"code":"Request_ResourceNotFound","message":"not found"}}}"#
            }
            return Self.json(Answer(status: 200, json: #"{"responses":[\#(items.joined(separator: ","))]}"#))
        }
        if path.hasPrefix("/v1.0/users") {
            if let id = lookUp(String(full.dropFirst("/v1.0".count))) {
                return Self.json(Answer(status: 200, json: #"{"id":"\#(id)"}"#))
            }
            return Self.json(Answer(status: 404, json: #"{"error":{"code":"Request_ResourceNotFound","message":"not found"}}"#))
        }
        return Self.json(Answer(status: 404, json: #"{"error":{"code":"NotFound","message":"no route"}}"#))
    }

    /// The object id for `/users/{upn}?$select=id` or `/users('{upn}')?$select=id`.
    private func lookUp(_ url: String) -> String? {
        var key = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        if key.hasPrefix("/users('"), key.hasSuffix("')") {
            key = String(key.dropFirst("/users('".count).dropLast(2))
        } else if key.hasPrefix("/users/") {
            key = String(key.dropFirst("/users/".count))
        } else {
            return nil
        }
        let upn = key.removingPercentEncoding ?? key
        return lock.withLock { users[upn] }
    }

    static func decodeForm(_ body: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return form
    }

    private static func json(_ answer: Answer) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.json)))
    }
}

extension FakeIdentityPlatform.Answer {
    static func tokens(access: String, refresh: String?, expiresIn: Int = 3599) -> Self {
        let refreshPart = refresh.map { #","refresh_token":"\#($0)""# } ?? ""
        return .init(status: 200, json: #"{"token_type":"Bearer","scope":"https://graph.microsoft.com/Presence.ReadWrite","expires_in":\#(expiresIn),"access_token":"\#(access)"\#(refreshPart)}"#)
    }

    static func error(_ code: String, _ description: String = "", status: Int = 400, codes: [Int] = []) -> Self {
        .init(status: status, json: #"{"error":"\#(code)","error_description":"\#(description)","error_codes":[\#(codes.map(String.init).joined(separator: ","))]}"#)
    }

    static func deviceCode(interval: Int = 5, expiresIn: Int = 900) -> Self {
        .init(status: 200, json: #"{"user_code":"ABCD-EFGH","device_code":"dev-code-secret","verification_uri":"https://microsoft.com/devicelogin","expires_in":\#(expiresIn),"interval":\#(interval),"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."}"#)
    }
}
