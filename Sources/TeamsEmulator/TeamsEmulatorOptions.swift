import SoftphoneCore

/// How a `TeamsEmulatorServer` is configured.
///
/// Everything has a default, so `TeamsEmulatorOptions()` is a usable emulator on an
/// ephemeral loopback port with no users; tests add users through `users` or the
/// control API (`PUT /_emulator/users/{id}`).
public struct TeamsEmulatorOptions: Sendable {
    /// Interface to listen on. Loopback by default; the emulator has no real security.
    public var host: String
    /// TCP port; `0` picks a free ephemeral port (read it back from `TeamsEmulatorServer.port`).
    public var port: Int
    /// The tenant id: the token endpoint is `POST /{tenant}/oauth2/v2.0/token`, and change
    /// notifications carry it as `tenantId`.
    public var tenant: String
    /// The tenant's domain: users' UPNs end in `@domain` (default `{tenant}.onmicrosoft.com`).
    /// The token endpoints accept it in place of `tenant`, as Entra does.
    public var domain: String
    /// The application registered in the tenant: the confidential client of the
    /// client-credentials flow (with `clientSecret`).
    public var clientID: String
    /// The secret that goes with `clientID`.
    public var clientSecret: String
    /// Client ids registered as public clients ("Allow public client flows" = Yes): only
    /// these may use the device-code and refresh-token grants without a secret; any other
    /// gets `invalid_client` (AADSTS7000218). `nil`: `clientID` is both confidential and public.
    public var publicClientIDs: [String]?
    /// How long an access token is valid (real time). `expires_in` is this in whole seconds.
    public var tokenLifetime: Duration
    /// How long a device code is valid (`expires_in` of `/devicecode`), on emulator time
    /// (so `timeScale` shortens it). Microsoft's default is 15 minutes.
    public var deviceCodeLifetime: Duration
    /// The `interval` (seconds) a device-code client must wait between polls; polling
    /// sooner while the code is pending gets `slow_down` (RFC 8628 §3.5). Emulator time.
    public var deviceCodeInterval: Int
    /// How long a refresh token is valid, on emulator time (90 days, as Entra's default).
    public var refreshTokenLifetime: Duration
    /// Presence requests (presence GETs, `getPresencesByUserId`, set/clear, subscriptions)
    /// one application may make per tenant in any 30 s (real time); more get 429 with
    /// `Retry-After`. Graph documents 1,500.
    public var presenceRequestsPer30s: Int
    /// Accept `http` notification URLs (a development mode; Graph requires https).
    public var allowHTTPNotifications: Bool
    /// Emulator time runs this many times faster than real time. Presence timing (idle
    /// stages, `expirationDuration`, preferred-presence expiry) runs on emulator time, so
    /// a test with `timeScale: 600` sees the 5-minute idle stage after half a second.
    /// Tokens, subscriptions and mailbox schedules run on real (wall-clock) time.
    public var timeScale: Double
    /// Added to every Graph and token request before it is handled (real time).
    public var latency: Duration
    /// Random changes to colleagues' Teams-client sessions, for the demo; `nil` for none.
    public var churn: ChurnOptions?
    /// Users that exist from the start.
    public var users: [EmulatedUserSeed]
    /// When `true`, a Graph call naming an unknown user creates that user (with no
    /// sessions) instead of answering 404. Off by default, like real Graph.
    public var autoCreateUsers: Bool
    /// How long the `validationToken` handshake of `POST /subscriptions` may take.
    public var validationTimeout: Duration
    /// How long the emulator waits for a notification receiver to answer.
    public var notificationTimeout: Duration
    /// Log server start-up and request errors (otherwise only warnings are logged).
    public var verbose: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        tenant: String = "emulator-tenant",
        domain: String? = nil,
        clientID: String = "emulator-client",
        clientSecret: String = "emulator-secret",
        publicClientIDs: [String]? = nil,
        tokenLifetime: Duration = .seconds(3600),
        deviceCodeLifetime: Duration = .seconds(900),
        deviceCodeInterval: Int = 5,
        refreshTokenLifetime: Duration = .seconds(90 * 86_400),
        presenceRequestsPer30s: Int = 1_500,
        allowHTTPNotifications: Bool = false,
        timeScale: Double = 1,
        latency: Duration = .zero,
        churn: ChurnOptions? = nil,
        users: [EmulatedUserSeed] = [],
        autoCreateUsers: Bool = false,
        validationTimeout: Duration = .seconds(10),
        notificationTimeout: Duration = .seconds(10),
        verbose: Bool = false
    ) {
        self.host = host
        self.port = port
        self.tenant = tenant
        self.domain = domain ?? "\(tenant).onmicrosoft.com"
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.publicClientIDs = publicClientIDs
        self.tokenLifetime = tokenLifetime
        self.deviceCodeLifetime = deviceCodeLifetime
        self.deviceCodeInterval = deviceCodeInterval
        self.refreshTokenLifetime = refreshTokenLifetime
        self.presenceRequestsPer30s = presenceRequestsPer30s
        self.allowHTTPNotifications = allowHTTPNotifications
        self.timeScale = timeScale
        self.latency = latency
        self.churn = churn
        self.users = users
        self.autoCreateUsers = autoCreateUsers
        self.validationTimeout = validationTimeout
        self.notificationTimeout = notificationTimeout
        self.verbose = verbose
    }
}

/// Roster churn: every `every` (real time), `changesPerTick` randomly chosen colleagues
/// change their Teams-client or calendar session. Deterministic for a given `seed`.
public struct ChurnOptions: Sendable, Hashable {
    public var every: Duration
    public var seed: UInt64
    public var changesPerTick: Int

    public init(every: Duration, seed: UInt64 = 1, changesPerTick: Int = 1) {
        self.every = every
        self.seed = seed
        self.changesPerTick = changesPerTick
    }
}

/// A user present when the emulator starts.
public struct EmulatedUserSeed: Sendable, Hashable {
    /// The user's object id (a GUID) or a short name such as `ada`; a short name gets a
    /// deterministic object id (`ObjectID.forName`) and stays usable in the control API.
    public var id: String
    /// The user principal name; default `{id}@{domain}`.
    public var userPrincipalName: String?
    public var displayName: String
    /// Colleagues are the roster that churn may change; the agent's own user is not one.
    public var colleague: Bool
    /// If set, the user starts with a signed-in Teams client session showing this pair.
    public var teamsClient: PresencePair?
    /// If set, the mailbox starts with automatic replies always enabled.
    public var outOfOffice: Bool

    public init(
        id: String,
        userPrincipalName: String? = nil,
        displayName: String? = nil,
        colleague: Bool = false,
        teamsClient: PresencePair? = nil,
        outOfOffice: Bool = false
    ) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName ?? id
        self.colleague = colleague
        self.teamsClient = teamsClient
        self.outOfOffice = outOfOffice
    }

    /// The object id Graph knows this user by: `id` when it is a GUID, else derived from it.
    public var objectID: String { ObjectID.forName(id) }
}

extension TeamsEmulatorOptions {
    /// The client ids allowed to use the public-client grants (device code, refresh token).
    var publicClients: [String] { publicClientIDs ?? [clientID] }

    /// The object id of a seed or short name, as Graph paths must use it.
    public func objectID(of name: String) -> String { ObjectID.forName(name) }
}
