import GraphModel
import SoftphoneCore

/// Where and as whom the Graph client talks (from `[teams]` in the configuration).
public struct GraphConfiguration: Sendable, Hashable {
    /// "https://graph.microsoft.com/v1.0", or the emulator's URL.
    public var graphURL: String
    /// The OAuth2 token endpoint (client-credentials flow).
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    /// The agent's Teams user id.
    public var userID: String
    /// `expirationDuration` of the softphone's presence session; renewed well before.
    public var sessionExpiration: Duration
    /// How long one HTTP request may take.
    public var requestTimeout: Duration
    /// How often a failing request is tried again (429, 5xx, connection errors).
    public var maxRetries: Int

    public init(graphURL: String, tokenURL: String, clientID: String, clientSecret: String, userID: String,
                sessionExpiration: Duration = .seconds(5 * 60), requestTimeout: Duration = .seconds(10),
                maxRetries: Int = 4) {
        self.graphURL = graphURL.hasSuffix("/") ? String(graphURL.dropLast()) : graphURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.userID = userID
        self.sessionExpiration = sessionExpiration
        self.requestTimeout = requestTimeout
        self.maxRetries = maxRetries
    }

    /// The scope of an application token for Graph: the Graph host's `/.default`.
    public var scope: String { "\(Self.resource(of: graphURL))/.default" }

    /// The scheme and host of a Graph URL (`https://graph.microsoft.com`): the prefix of
    /// Graph's scopes; Graph's own when the URL has no scheme.
    public static func resource(of graphURL: String) -> String {
        guard let schemeEnd = graphURL.range(of: "://") else { return "https://graph.microsoft.com" }
        let rest = graphURL[schemeEnd.upperBound...]
        let host = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? String(rest)
        return "\(graphURL[..<schemeEnd.upperBound])\(host)"
    }
}

extension Duration {
    /// ISO 8601, as Graph's `expirationDuration` takes it: "PT5M", "PT1H30M", "PT45S"
    /// (the one format shared with the emulator, `ISODuration`).
    public var iso8601: String { ISODuration.format(self) }
}
