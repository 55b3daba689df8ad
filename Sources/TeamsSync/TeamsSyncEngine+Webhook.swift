import Foundation
import SoftphoneCore

/// The engine's change-notification subscriptions and when each needs attention.
struct SubscriptionBook: Sendable {
    struct Entry: Sendable {
        var id: String
        var renewAt: ContinuousClock.Instant
    }

    private(set) var entries: [Entry] = []
    /// When to try to subscribe again after a failure (`nil`: at once).
    private(set) var nextAttempt: ContinuousClock.Instant?

    var isActive: Bool { !entries.isEmpty }
    var nextRenewal: ContinuousClock.Instant? { entries.map(\.renewAt).min() }

    func due(at now: ContinuousClock.Instant) -> [String] { entries.filter { $0.renewAt <= now }.map(\.id) }

    mutating func added(_ id: String, renewAt: ContinuousClock.Instant) {
        entries.append(Entry(id: id, renewAt: renewAt))
        nextAttempt = nil
    }

    mutating func renewed(_ id: String, renewAt: ContinuousClock.Instant) {
        if let i = entries.firstIndex(where: { $0.id == id }) { entries[i].renewAt = renewAt }
    }

    /// Forgets every subscription; the next attempt to subscribe is at `retryAt` (`nil`: at once).
    mutating func reset(retryAt: ContinuousClock.Instant?) {
        entries = []
        nextAttempt = retryAt
    }

    mutating func renewAllNow(_ now: ContinuousClock.Instant = .now) {
        for i in entries.indices { entries[i].renewAt = now }
    }

    mutating func renewNow(_ id: String?, _ now: ContinuousClock.Instant = .now) {
        for i in entries.indices where id == nil || entries[i].id == id { entries[i].renewAt = now }
    }
}

extension TeamsSyncEngine {
    /// An event from the `WebhookReceiver`: read what changed, at once.
    public func notified(_ event: WebhookReceiver.Event) {
        switch event {
        case .changed(let ids):
            let agent = client.configuration.userID.lowercased()
            for id in ids {
                if id.lowercased() == agent {
                    notifiedAgent = true
                } else if let known = options.colleagues.first(where: { $0.lowercased() == id.lowercased() }) {
                    notifiedColleagues.insert(known)
                }
            }
        case .lifecycle(let id, let kind):
            switch kind {
            case "subscriptionRemoved":
                // Delete what is left and subscribe afresh (at the next pull, not mid-request).
                resubscribe = true
                nextFullPull = nil
            case "reauthorizationRequired":
                subscriptions.renewNow(id)
            default:  // "missed" and anything new: read everything
                nextFullPull = nil
            }
        }
        // While backing off from failures, notifications do not bring the next attempt forward.
        if !backingOff { interruptIdle() }
    }

    /// Deletes the subscriptions (on quit); Graph would expire them within the hour anyway.
    public func unsubscribe() async {
        for entry in subscriptions.entries { try? await client.deleteSubscription(entry.id) }
        subscriptions.reset(retryAt: nil)
    }

    /// Subscribes when there is no subscription (and the last failure is long enough
    /// ago), renews those about to expire, and starts over when Teams no longer knows one.
    /// Failures are noted in the Log; polling covers for them.
    func maintainSubscriptions(_ webhook: Webhook) async {
        if resubscribe {
            resubscribe = false
            await dropSubscriptions(retryAt: nil)
        }
        let now = ContinuousClock.now
        if !subscriptions.isActive {
            guard !subscriptionsRefused else { return }
            guard subscriptions.nextAttempt.map({ now >= $0 }) ?? true else { return }
            await subscribe(webhook)
            return
        }
        for id in subscriptions.due(at: now) {
            do {
                try await client.renewSubscription(id, until: Date.now + webhook.lifetime.timeInterval)
                subscriptions.renewed(id, renewAt: .now + webhook.lifetime - webhook.renewBefore)
            } catch {
                if case .status(404, _, _) = error.kind {
                    // Expired or deleted on Teams' side (a restart, say): subscribe again.
                    await dropSubscriptions(retryAt: nil)
                    await subscribe(webhook)
                } else {
                    // Try again shortly; notifications keep coming until the subscription expires.
                    subscriptions.renewed(id, renewAt: .now + min(webhook.retry, .seconds(30)))
                    report(.action(.note(.error, "renewing the Teams change subscription failed: \(error)")))
                }
                return
            }
        }
    }

    private func subscribe(_ webhook: Webhook) async {
        let ids = [client.configuration.userID] + options.colleagues.filter { $0 != client.configuration.userID }
        var start = 0
        do throws(GraphError) {
            while start < ids.count {
                let batch = Array(ids[start..<min(ids.count, start + GraphClient.presenceBatchLimit)])
                let created = try await client.subscribe(to: batch, notificationURL: webhook.notificationURL,
                                                         clientState: webhook.clientState,
                                                         expiration: Date.now + webhook.lifetime.timeInterval)
                guard let id = created.id else {
                    throw GraphError(.malformed("the subscription came back without an id"), operation: "create subscription")
                }
                subscriptions.added(id, renewAt: .now + webhook.lifetime - webhook.renewBefore)
                start += batch.count
            }
        } catch {
            subscribeFailures += 1
            let retry = min(webhook.retry * (1 << min(subscribeFailures - 1, 5)), .seconds(30 * 60))
            await dropSubscriptions(retryAt: .now + retry)
            var then = "trying again in \(retry.shortDescription)"
            if case .status(let status, _, _) = error.kind, status == 401 || status == 403 {
                // The application may not subscribe (Graph allows presence subscriptions only
                // with permissions this app lacks): asking again will not help.
                subscriptionsRefused = true
                then = "not trying again until restart (Graph allows presence subscriptions only "
                    + "with delegated sign-in; this app signs in as an application)"
            }
            report(.action(.note(.error, "Teams change notifications could not be set up (\(error)); "
                + "polling every \(options.pollInterval.shortDescription), \(then)")))
            nextFullPull = nil
            return
        }
        subscribeFailures = 0
        report(.action(.note(.teams, "Teams change notifications on (\(ids.count) people, \(subscriptions.entries.count) "
            + "subscription\(subscriptions.entries.count == 1 ? "" : "s")) at \(webhook.notificationURL)")))
        // Changes between the last read and the subscription: read everything once.
        nextFullPull = nil
    }

    private func dropSubscriptions(retryAt: ContinuousClock.Instant?) async {
        for entry in subscriptions.entries { try? await client.deleteSubscription(entry.id) }
        subscriptions.reset(retryAt: retryAt)
    }
}

extension Duration {
    var timeInterval: TimeInterval { seconds }

    /// "250 ms", "30 s", "5 min".
    var shortDescription: String {
        let ms = milliseconds
        if ms < 1000 { return "\(ms) ms" }
        if ms % 60_000 == 0 { return "\(ms / 60_000) min" }
        return ms % 1000 == 0 ? "\(ms / 1000) s" : String(format: "%.1f s", Double(ms) / 1000)
    }
}
