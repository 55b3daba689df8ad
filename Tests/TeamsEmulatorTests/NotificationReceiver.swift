import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

/// A tiny webhook receiver on an ephemeral loopback port, as a Graph client would run.
final class NotificationReceiver: Sendable {
    enum Validation: Sendable {
        /// Echo the token as text/plain (correct).
        case echo
        case wrongToken
        case status(Int)
        case wrongContentType
    }

    actor Log {
        var validationTokens: [String] = []
        var notifications: [String] = []
        func validated(_ token: String) { validationTokens.append(token) }
        func notified(_ body: String) { notifications.append(body) }

    }

    let port: Int
    let log: Log
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    var url: String { "http://127.0.0.1:\(port)/notify" }

    /// Every change-notification entry received so far.
    func entries() async -> [[String: Any]] {
        await log.notifications.flatMap { body -> [[String: Any]] in
            let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
            return json?["value"] as? [[String: Any]] ?? []
        }
    }

    /// The user ids of the notification entries received so far.
    func userIDs() async -> [String] {
        await entries().compactMap { ($0["resourceData"] as? [String: Any])?["id"] as? String }
    }

    private init(port: Int, log: Log, task: Task<Void, any Error>, group: ServiceGroup) {
        self.port = port
        self.log = log
        self.task = task
        self.group = group
    }

    static func start(_ validation: Validation = .echo) async throws -> NotificationReceiver {
        let log = Log()
        let router = Router()
        router.post("/notify") { request, _ -> Response in
            if let token = request.uri.queryParameters["validationToken"] {
                let token = String(token)
                await log.validated(token)
                switch validation {
                case .echo:
                    return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: token)))
                case .wrongToken:
                    return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "nope")))
                case .status(let code):
                    return Response(status: .init(code: code))
                case .wrongContentType:
                    return Response(status: .ok, headers: [.contentType: "application/json"],
                                    body: .init(byteBuffer: ByteBuffer(string: token)))
                }
            }
            let body = try await request.body.collect(upTo: 1 << 20)
            await log.notified(String(buffer: body))
            return Response(status: .accepted)
        }
        let (ports, sink) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test-receiver")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  sink.yield(channel.localAddress?.port ?? 0)
                                  sink.finish()
                              }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { sink.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return NotificationReceiver(port: port, log: log, task: task, group: group)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

/// Runs `body` with a receiver, and always stops it.
func withReceiver(_ validation: NotificationReceiver.Validation = .echo,
                  _ body: (NotificationReceiver) async throws -> Void) async throws {
    let receiver = try await NotificationReceiver.start(validation)
    do {
        try await body(receiver)
    } catch {
        await receiver.stop()
        throw error
    }
    await receiver.stop()
}
