import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The local end of Graph change notifications (`teams.notifications = "webhook"`).
///
/// Graph POSTs to the subscription's `notificationUrl`:
/// - with `?validationToken=…` when a subscription is created: answer `200`, `text/plain`,
///   the token decoded, within 10 seconds;
/// - with `{"value":[notification, …]}` on a change: answer `202` at once (within 3
///   seconds) and act afterwards. A notification whose `clientState` is not ours is
///   ignored: anyone who learns the URL could post to it.
///
/// Lifecycle notifications (`lifecycleEvent`: `reauthorizationRequired`,
/// `subscriptionRemoved`, `missed`) come to the same path.
public final class WebhookReceiver: Sendable {
    /// What a valid POST carried.
    public enum Event: Sendable, Hashable {
        /// Presence of these user ids changed.
        case changed(userIDs: [String])
        /// A lifecycle notification for a subscription.
        case lifecycle(subscriptionID: String?, event: String)
    }

    public let port: Int
    public let host: String
    private let runTask: Task<Void, any Error>
    private let services: ServiceGroup

    /// `http://HOST:PORT/notifications`, the URL to give Graph when it can reach this
    /// machine directly (otherwise give the public URL that forwards here).
    public var localURL: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "http://\(shown):\(port)\(Self.path)"
    }

    public static let path = "/notifications"

    private init(host: String, port: Int, runTask: Task<Void, any Error>, services: ServiceGroup) {
        self.host = host
        self.port = port
        self.runTask = runTask
        self.services = services
    }

    /// Binds `host:port` (0 picks a free port) and serves until `stop()`.
    /// Notifications whose `clientState` differs from `clientState` are dropped; the
    /// others reach `handler`, in the order they arrived.
    public static func start(host: String, port: Int, clientState: String,
                             handler: @escaping @Sendable (Event) -> Void) async throws -> WebhookReceiver {
        let router = Router()
        router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
            try await Self.answer(request, clientState: clientState, handler: handler)
        }
        var logger = Logger(label: "softphone-webhook")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "softphone"),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? port)
                portSink.finish()
            },
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let runTask = Task {
            defer { portSink.finish() }
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            if case .failure(let error) = await runTask.result { throw WebhookError.cannotListen("\(host):\(port)", "\(error)") }
            throw WebhookError.cannotListen("\(host):\(port)", "the server stopped before it listened")
        }
        return WebhookReceiver(host: host, port: bound, runTask: runTask, services: services)
    }

    public func stop() async {
        await services.triggerGracefulShutdown()
        _ = await runTask.result
    }

    static func answer(_ request: Request, clientState: String,
                       handler: @Sendable (Event) -> Void) async throws -> Response {
        if let token = validationToken(inQuery: request.uri.query) {
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: token)))
        }
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let batch = try? JSONDecoder().decode(ChangeNotificationBatch.self, from: Data(buffer: body)) else {
            return Response(status: .badRequest)
        }
        for event in events(in: batch, clientState: clientState) { handler(event) }
        return Response(status: .accepted)
    }

    /// The events of a batch, leaving out notifications with a foreign `clientState`.
    static func events(in batch: ChangeNotificationBatch, clientState: String) -> [Event] {
        var changed: [String] = []
        var result: [Event] = []
        for notification in batch.value where notification.clientState == clientState {
            if let lifecycle = notification.lifecycleEvent {
                result.append(.lifecycle(subscriptionID: notification.subscriptionId, event: lifecycle))
            } else if let id = notification.resourceData?.id ?? notification.resource.flatMap(userID(inResource:)) {
                if !changed.contains(id) { changed.append(id) }
            }
        }
        if !changed.isEmpty { result.insert(.changed(userIDs: changed), at: 0) }
        return result
    }

    /// The `validationToken` query parameter, decoded: `+` is a space (Graph form-encodes
    /// it), then `%XX` escapes. `nil` when there is none.
    static func validationToken(inQuery query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "validationToken" else { continue }
            let spaced = parts[1].replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return nil
    }

    /// `communications/presences('id')` or `communications/presences/id` → `id`.
    static func userID(inResource resource: String) -> String? {
        if !resource.contains("('"), let slash = resource.range(of: "presences/", options: .caseInsensitive) {
            let id = resource[slash.upperBound...]
            return id.isEmpty || id.contains("/") ? nil : String(id)
        }
        guard let open = resource.range(of: "('"), let close = resource.range(of: "')", options: .backwards),
              open.upperBound <= close.lowerBound
        else { return nil }
        return String(resource[open.upperBound..<close.lowerBound]).replacingOccurrences(of: "''", with: "'")
    }
}

public enum WebhookError: Error, CustomStringConvertible, Sendable {
    case cannotListen(String, String)

    public var description: String {
        switch self {
        case .cannotListen(let address, let why): "cannot listen for Graph notifications on \(address): \(why)"
        }
    }
}
