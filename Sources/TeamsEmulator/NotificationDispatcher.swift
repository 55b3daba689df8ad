import GraphModel
import AsyncHTTPClient
import Foundation
import NIOCore
import SoftphoneCore
import Synchronization

/// Sends the emulator's outgoing requests: the `validationToken` handshake of a new
/// subscription and change notifications (basic notifications: no resource data, the
/// receiver GETs the presence). Deliveries run concurrently and are not retried; a
/// failure is counted in the stats.
final class NotificationDispatcher: Sendable {
    let tenant: String
    let notificationTimeout: Duration
    private let stats: RequestStats
    private let inFlight = Mutex<(open: Bool, tasks: [UUID: Task<Void, Never>])>((true, [:]))

    init(tenant: String, notificationTimeout: Duration, stats: RequestStats) {
        self.tenant = tenant
        self.notificationTimeout = notificationTimeout
        self.stats = stats
    }

    /// Posts one change notification per user in `userIDs` to the subscription's URL (one request).
    func deliver(_ subscription: PresenceSubscription, userIDs: [String]) {
        let body = Self.notificationBody(subscription, userIDs: userIDs, tenant: tenant)
        let timeout = notificationTimeout
        let stats = self.stats
        let id = UUID()
        inFlight.withLock { state in
            guard state.open else { return }
            state.tasks[id] = Task { [weak self] in
                var request = HTTPClientRequest(url: subscription.notificationURL)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
                request.body = .bytes(ByteBuffer(bytes: body))
                var delivered = false
                do {
                    let response = try await HTTPClient.shared.execute(request, timeout: timeout.timeAmount)
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    delivered = (200..<300).contains(Int(response.status.code))
                } catch {}
                stats.notification(delivered: delivered)
                self?.finished(id)
            }
        }
    }

    private func finished(_ id: UUID) {
        _ = inFlight.withLock { $0.tasks.removeValue(forKey: id) }
    }

    /// Cancels deliveries in flight and refuses new ones.
    func shutdown() {
        let tasks = inFlight.withLock { state in
            state.open = false
            defer { state.tasks.removeAll() }
            return Array(state.tasks.values)
        }
        tasks.forEach { $0.cancel() }
    }

    /// `{"value":[{subscriptionId, clientState, changeType, resource, subscriptionExpirationDateTime, tenantId, resourceData}]}`
    static func notificationBody(_ subscription: PresenceSubscription, userIDs: [String], tenant: String) -> Data {
        let value: [[String: Any]] = userIDs.map { id in
            let resource = "communications/presences/\(id)"
            return [
                "subscriptionId": subscription.id,
                "clientState": subscription.clientState.map { $0 as Any } ?? NSNull(),
                "changeType": "updated",
                "resource": resource,
                "subscriptionExpirationDateTime": GraphDateTime.format(subscription.expiration),
                "tenantId": tenant,
                "organizationId": tenant,
                "resourceData": [
                    "@odata.type": "#microsoft.graph.presence",
                    "@odata.id": "users/\(id)/presence",
                    "id": id,
                ],
            ]
        }
        return (try? JSONSerialization.data(withJSONObject: ["value": value],
                                            options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// The `validationToken` handshake: POST `notificationURL?validationToken=…` (text/plain,
    /// empty body) and require `200`, `text/plain` and the token echoed, within `timeout`.
    /// Returns `nil` on success, else why it failed.
    func validate(notificationURL: String, timeout: Duration) async -> String? {
        stats.validation()
        let token = "Validation: Testing client application reachability for subscription Request-Id: "
            + UUID().uuidString.lowercased()
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = token.addingPercentEncoding(withAllowedCharacters: allowed) ?? token
        let separator = notificationURL.contains("?") ? "&" : "?"
        var request = HTTPClientRequest(url: notificationURL + separator + "validationToken=" + encoded)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        request.headers.add(name: "Content-Length", value: "0")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout.timeAmount)
            let body = try await response.body.collect(upTo: 1 << 16)
            guard response.status.code == 200 else {
                return "the notification endpoint answered \(response.status.code) instead of 200 OK"
            }
            let type = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
            guard type.hasPrefix("text/plain") else {
                return "the notification endpoint answered with Content-Type '\(type)' instead of text/plain"
            }
            guard String(buffer: body) == token else {
                return "the notification endpoint did not echo the validationToken"
            }
            return nil
        } catch {
            return "the notification endpoint could not be reached within \(timeout) (\(error))"
        }
    }
}

extension Duration {
    /// As NIO's `TimeAmount`.
    var timeAmount: TimeAmount { .nanoseconds(max(1, nanoseconds)) }
}
