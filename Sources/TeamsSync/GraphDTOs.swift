import SoftphoneCore

/// The presence resource as Graph returns it.
public struct PresenceResource: Codable, Sendable, Hashable {
    public struct OutOfOfficeSettings: Codable, Sendable, Hashable {
        public var message: String?
        public var isOutOfOffice: Bool?
    }

    public var id: String
    public var availability: String
    public var activity: String
    public var outOfOfficeSettings: OutOfOfficeSettings?

    /// The presence. Graph sends values it does not document (`AvailableInactive`, say) and
    /// may add more; they never make an error or ❎ (SPEC section 9). An unknown availability
    /// is read from an activity of the same name (`AvailableInactive`/`Available` is
    /// Available), else as `PresenceUnknown`, shown as Unknown; an unknown activity reads as
    /// `PresenceUnknown`, so the availability decides.
    public var graphPresence: GraphPresence {
        GraphPresence(Availability(rawValue: availability) ?? Availability(rawValue: activity) ?? .presenceUnknown,
                      Activity(rawValue: activity) ?? .presenceUnknown,
                      outOfOffice: outOfOfficeSettings?.isOutOfOffice ?? false)
    }
}

/// `{"value": [...]}` collections.
struct ValueList<Element: Codable & Sendable>: Codable, Sendable {
    var value: [Element]
}

struct SetPresenceBody: Codable, Sendable {
    var sessionId: String
    var availability: String
    var activity: String
    var expirationDuration: String
}

struct ClearPresenceBody: Codable, Sendable {
    var sessionId: String
}

struct SetPreferredBody: Codable, Sendable {
    var availability: String
    var activity: String
    var expirationDuration: String?
}

struct PresencesByIDBody: Codable, Sendable {
    var ids: [String]
}

/// A change-notification subscription.
public struct SubscriptionResource: Codable, Sendable, Hashable {
    public var id: String?
    public var changeType: String
    public var notificationUrl: String
    public var resource: String
    public var expirationDateTime: String
    public var clientState: String?
    public var lifecycleNotificationUrl: String?
}

struct SubscriptionRenewal: Codable, Sendable {
    var expirationDateTime: String
}

/// A change notification as Graph posts it.
public struct ChangeNotification: Codable, Sendable, Hashable {
    public struct ResourceData: Codable, Sendable, Hashable {
        public var id: String?
    }

    public var subscriptionId: String?
    public var clientState: String?
    public var changeType: String?
    public var resource: String?
    public var resourceData: ResourceData?
    /// Set on lifecycle notifications: `reauthorizationRequired`, `subscriptionRemoved`, `missed`.
    public var lifecycleEvent: String?
}

/// `{"value": [notification...]}`.
public struct ChangeNotificationBatch: Codable, Sendable {
    public var value: [ChangeNotification]
}

/// The token endpoint's answer.
struct TokenResponse: Codable, Sendable {
    var token_type: String?
    var expires_in: Int
    var access_token: String
}

/// Graph's error body: `{"error": {"code": "...", "message": "..."}}`.
struct GraphErrorBody: Codable, Sendable {
    struct Inner: Codable, Sendable {
        var code: String?
        var message: String?
    }
    var error: Inner
}

/// The identity platform's error body: `{"error": "invalid_client", "error_description": "..."}`.
struct TokenErrorBody: Codable, Sendable {
    var error: String
    var error_description: String?
}
