import Foundation
import SoftphoneCore
import Synchronization

/// What an access token stands for: an application (client credentials) or a user
/// signed in to a public client (delegated), with its roles or scopes.
struct AccessGrant: Sendable, Hashable {
    enum Kind: String, Sendable { case application, delegated }

    var kind: Kind
    var clientID: String
    /// Application roles (`Presence.ReadWrite.All`) or delegated scopes (`Presence.Read.All`).
    var permissions: Set<String>
    /// The signed-in user's object id (delegated tokens only).
    var subject: String?
    var expiresAt: ContinuousClock.Instant

    var isDelegated: Bool { kind == .delegated }

    /// Whether the token holds one of `names` (compared case-insensitively).
    func holds(anyOf names: [String]) -> Bool {
        names.contains { name in permissions.contains { $0.caseInsensitiveCompare(name) == .orderedSame } }
    }
}

/// Delegated permissions the emulated tenant knows (Microsoft Graph's names), and the
/// OpenID/refresh scopes a client may add. Anything else is `invalid_scope`.
enum DelegatedScopes {
    static let graph = [
        "Presence.Read", "Presence.Read.All", "Presence.ReadWrite", "Presence.ReadWrite.All",
        "User.Read", "User.ReadBasic.All", "User.Read.All", "MailboxSettings.Read", "MailboxSettings.ReadWrite",
    ]
    static let protocolScopes = ["offline_access", "openid", "profile", "email"]
    /// What `.default` (or a mint without scopes) grants: what the softphone asks for.
    static let standard = ["Presence.ReadWrite", "Presence.Read.All", "User.Read", "User.ReadBasic.All", "offline_access"]
    /// Roles of an application token (client credentials).
    static let applicationRoles: Set<String> = ["Presence.ReadWrite.All", "User.Read.All", "MailboxSettings.ReadWrite"]

    /// Canonical names for a space-separated scope list (the resource prefix dropped —
    /// `https://graph.microsoft.com/`, or `resource`, the emulator's own root, which is the
    /// Graph a client pointed at the emulator names — `.default` expanded); the first unknown
    /// one, or one for another resource, is thrown back.
    static func parse(_ text: String, resource: String? = nil) -> Result<[String], UnknownScope> {
        var prefixes = ["https://graph.microsoft.com/"]
        if let resource { prefixes.append(resource.hasSuffix("/") ? resource.lowercased() : resource.lowercased() + "/") }
        var out: [String] = []
        for raw in text.split(whereSeparator: { $0 == " " || $0 == "+" }) {
            var name = String(raw)
            for prefix in prefixes where name.lowercased().hasPrefix(prefix) {
                name = String(name.dropFirst(prefix.count))
                break
            }
            if name == ".default" {
                out += standard
                continue
            }
            guard let known = (graph + protocolScopes).first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
                return .failure(UnknownScope(name: String(raw)))
            }
            out.append(known)
        }
        var seen = Set<String>()
        return .success(out.filter { seen.insert($0).inserted })
    }

    struct UnknownScope: Error { var name: String }
}

/// The tenant's identity platform: access tokens (application and delegated), refresh
/// tokens that rotate, and device codes (RFC 8628). Access-token lifetimes are real time;
/// device codes and refresh tokens run on emulator time (`timeScale` shortens them).
final class TokenIssuer: Sendable {
    struct RefreshGrant: Sendable {
        var clientID: String
        var subject: String
        var scopes: [String]
        var expiresAt: Instant
        var revoked = false
    }

    struct DeviceCode: Sendable {
        enum State: Sendable, Equatable { case pending, approved(subject: String), declined }
        var deviceCode: String
        var userCode: String
        var clientID: String
        var scopes: [String]
        var expiresAt: Instant
        var interval: Duration
        var lastPoll: Instant?
        var state: State = .pending
    }

    /// What a device-code poll finds.
    enum PollOutcome: Sendable, Equatable {
        case pending, slowDown, declined, expired, unknown, wrongClient
        case approved(subject: String, scopes: [String])
    }

    /// What a refresh-token redemption finds.
    enum RefreshOutcome: Sendable {
        case granted(subject: String, scopes: [String])
        /// A scope asked for was never granted: the refresh token is not spent.
        case notGranted(scope: String)
        case unknown, revoked, expired, wrongClient
    }

    private struct State {
        var access: [String: AccessGrant] = [:]
        var refresh: [String: RefreshGrant] = [:]
        var deviceCodes: [String: DeviceCode] = [:]
    }

    let lifetime: Duration
    let refreshLifetime: Duration
    let deviceCodeLifetime: Duration
    let deviceCodeInterval: Int
    let clock: EmulatorClock
    private let state = Mutex(State())

    init(lifetime: Duration, refreshLifetime: Duration = .seconds(90 * 86_400),
         deviceCodeLifetime: Duration = .seconds(900), deviceCodeInterval: Int = 5, clock: EmulatorClock) {
        self.lifetime = lifetime
        self.refreshLifetime = refreshLifetime
        self.deviceCodeLifetime = deviceCodeLifetime
        self.deviceCodeInterval = deviceCodeInterval
        self.clock = clock
    }

    static func random(_ prefix: String) -> String {
        prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    // MARK: Access tokens

    /// A new application token for `clientID` (client credentials), valid for `lifetime`.
    func issue(clientID: String) -> String {
        issue(AccessGrant(kind: .application, clientID: clientID, permissions: DelegatedScopes.applicationRoles,
                          subject: nil, expiresAt: .now + lifetime))
    }

    /// A new delegated access token (and a refresh token when `offline_access` is among `scopes`).
    func issueDelegated(clientID: String, subject: String, scopes: [String]) -> (access: String, refresh: String?) {
        let access = issue(AccessGrant(kind: .delegated, clientID: clientID,
                                       permissions: Set(scopes.filter { DelegatedScopes.graph.contains($0) }),
                                       subject: subject, expiresAt: .now + lifetime))
        guard scopes.contains("offline_access") else { return (access, nil) }
        let refresh = Self.random("emurt.")
        let grant = RefreshGrant(clientID: clientID, subject: subject, scopes: scopes,
                                 expiresAt: clock.now() + refreshLifetime)
        state.withLock { $0.refresh[refresh] = grant }
        return (access, refresh)
    }

    private func issue(_ grant: AccessGrant) -> String {
        let token = Self.random("emu.")
        let now = ContinuousClock.now
        state.withLock { state in
            state.access = state.access.filter { $0.value.expiresAt > now }
            state.access[token] = grant
        }
        return token
    }

    /// `expires_in`: the lifetime in whole seconds, at least 1.
    var expiresInSeconds: Int64 { max(1, lifetime.wholeSeconds) }

    /// The grant behind an `Authorization: Bearer …` header, or a 401 Graph failure.
    func authenticate(_ header: String?) throws(GraphFailure) -> AccessGrant {
        guard let header, !header.isEmpty else {
            throw GraphFailure.unauthorized("Access token is empty.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].caseInsensitiveCompare("Bearer") == .orderedSame else {
            throw GraphFailure.unauthorized("The Authorization header must be 'Bearer {token}'.")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let grant = state.withLock({ $0.access[token] }) else {
            throw GraphFailure.unauthorized("Invalid access token: it was not issued by this tenant.")
        }
        guard grant.expiresAt > .now else {
            throw GraphFailure.unauthorized("Lifetime validation failed, the token is expired.")
        }
        return grant
    }

    // MARK: Device codes

    /// Starts a device authorization (`/devicecode`).
    func startDeviceCode(clientID: String, scopes: [String]) -> DeviceCode {
        let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ23456789")
        let code = DeviceCode(
            deviceCode: Self.random("emudc."), userCode: String((0..<9).map { _ in alphabet.randomElement()! }),
            clientID: clientID, scopes: scopes, expiresAt: clock.now() + deviceCodeLifetime,
            interval: .seconds(deviceCodeInterval))
        state.withLock { state in
            let now = clock.now()
            state.deviceCodes = state.deviceCodes.filter { $0.value.expiresAt > now }
            state.deviceCodes[code.deviceCode] = code
        }
        return code
    }

    /// A poll of the token endpoint with `device_code`. `slow_down` is a variant of
    /// `authorization_pending` (RFC 8628 §3.5): only a pending code polled sooner than
    /// `interval` after the previous poll gets it. An approved code is redeemed once.
    func poll(deviceCode: String, clientID: String) -> PollOutcome {
        let now = clock.now()
        return state.withLock { state in
            guard var code = state.deviceCodes[deviceCode] else { return .unknown }
            guard code.clientID == clientID else { return .wrongClient }
            guard code.expiresAt > now else { return .expired }
            let previous = code.lastPoll
            code.lastPoll = now
            state.deviceCodes[deviceCode] = code
            switch code.state {
            case .declined:
                return .declined
            case .approved(let subject):
                state.deviceCodes[deviceCode] = nil
                return .approved(subject: subject, scopes: code.scopes)
            case .pending:
                if let previous, now - previous < code.interval {
                    // RFC 8628 §3.5: the client adds 5 s for this and every later poll; the
                    // server holds it to that from now on.
                    code.interval += .seconds(5)
                    state.deviceCodes[deviceCode] = code
                    return .slowDown
                }
                return .pending
            }
        }
    }

    /// The user entered `userCode` and approved (or declined) the sign-in. Returns false
    /// when no pending, unexpired code has that user code.
    func decide(userCode: String, approve subject: String?) -> Bool {
        let now = clock.now()
        let wanted = userCode.uppercased().replacingOccurrences(of: "-", with: "")
        return state.withLock { state in
            guard let key = state.deviceCodes.first(where: {
                $0.value.userCode == wanted && $0.value.state == .pending && $0.value.expiresAt > now
            })?.key else { return false }
            state.deviceCodes[key]?.state = subject.map { .approved(subject: $0) } ?? .declined
            return true
        }
    }

    /// Pending device codes (for the control API).
    func pendingDeviceCodes() -> [DeviceCode] {
        let now = clock.now()
        return state.withLock { $0.deviceCodes.values.filter { $0.state == .pending && $0.expiresAt > now } }
            .sorted { $0.userCode < $1.userCode }
    }

    // MARK: Refresh tokens

    /// Redeems a refresh token; on success the old one is gone (rotation: the caller issues a new one).
    func redeem(refreshToken: String, clientID: String, asking asked: [String]? = nil) -> RefreshOutcome {
        let now = clock.now()
        return state.withLock { state in
            guard let grant = state.refresh[refreshToken] else { return .unknown }
            guard grant.clientID == clientID else { return .wrongClient }
            guard !grant.revoked else { return .revoked }
            guard grant.expiresAt > now else { return .expired }
            if let extra = asked?.first(where: { !grant.scopes.contains($0) }) { return .notGranted(scope: extra) }
            state.refresh[refreshToken] = nil
            return .granted(subject: grant.subject, scopes: grant.scopes)
        }
    }

    /// Revokes (or expires) every live refresh token of a user; returns how many.
    func invalidateRefreshTokens(of subject: String, expire: Bool) -> Int {
        let now = clock.now()
        return state.withLock { state in
            var count = 0
            for (key, grant) in state.refresh where grant.subject == subject && !grant.revoked && grant.expiresAt > now {
                if expire { state.refresh[key]?.expiresAt = now + .seconds(-1) } else { state.refresh[key]?.revoked = true }
                count += 1
            }
            return count
        }
    }
}
