import SoftphoneCore

extension PresenceEngine {
    func addSubscription(_ subscription: PresenceSubscription) {
        subscriptions[subscription.id] = subscription
    }

    /// A live subscription (expired ones are gone, as in Graph).
    func subscription(_ id: String) -> PresenceSubscription? {
        guard let s = subscriptions[id] else { return nil }
        guard s.expiration > clock.wallNow() else {
            subscriptions[id] = nil
            return nil
        }
        return s
    }

    func liveSubscriptions() -> [PresenceSubscription] {
        let wall = clock.wallNow()
        subscriptions = subscriptions.filter { $0.value.expiration > wall }
        return subscriptions.values.sorted { $0.id < $1.id }
    }

    /// Renews a live subscription; `nil` if there is none with that id.
    func renewSubscription(_ id: String, expiration: Instant, notificationURL: String?) -> PresenceSubscription? {
        guard var s = subscription(id) else { return nil }
        s.expiration = expiration
        if let notificationURL { s.notificationURL = notificationURL }
        subscriptions[id] = s
        return s
    }

    func deleteSubscription(_ id: String) -> Bool {
        guard subscription(id) != nil else { return false }
        subscriptions[id] = nil
        return true
    }
}
