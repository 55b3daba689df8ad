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
    /// The only client id the token endpoint accepts.
    public var clientID: String
    /// The secret that goes with `clientID`.
    public var clientSecret: String
    /// How long an access token is valid (real time). `expires_in` is this in whole seconds.
    public var tokenLifetime: Duration
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
        clientID: String = "emulator-client",
        clientSecret: String = "emulator-secret",
        tokenLifetime: Duration = .seconds(3600),
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
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.tokenLifetime = tokenLifetime
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
    /// The Graph user id (a GUID in real tenants; any string without `/` here).
    public var id: String
    public var displayName: String
    /// Colleagues are the roster that churn may change; the agent's own user is not one.
    public var colleague: Bool
    /// If set, the user starts with a signed-in Teams client session showing this pair.
    public var teamsClient: PresencePair?
    /// If set, the mailbox starts with automatic replies always enabled.
    public var outOfOffice: Bool

    public init(
        id: String,
        displayName: String? = nil,
        colleague: Bool = false,
        teamsClient: PresencePair? = nil,
        outOfOffice: Bool = false
    ) {
        self.id = id
        self.displayName = displayName ?? id
        self.colleague = colleague
        self.teamsClient = teamsClient
        self.outOfOffice = outOfOffice
    }
}
