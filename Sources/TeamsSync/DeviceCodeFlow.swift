import Foundation
import SoftphoneConfig
import SoftphoneCore

/// The OAuth 2.0 device authorization grant (RFC 8628) as the Microsoft identity platform
/// runs it — pure: no I/O, no clock. The driver sends the `FormRequest`s it is told to,
/// at the instants it is told, and hands back each answer with the time it arrived.
///
///     requesting → waiting(user code, URI, message, interval, expiresAt)
///                → signedIn | expired | declined | failed(reason)
///
/// `authorization_pending` keeps polling at `interval`; `slow_down` adds 5 s to it for
/// that poll and every later one; `expired_token`, `authorization_declined` (or RFC
/// 8628's `access_denied`) and `bad_verification_code` end the flow. A poll that gets no
/// answer, or a 5xx, is tried again at the next interval until the code expires.
public struct DeviceCodeFlow: Sendable {
    public struct Waiting: Sendable, Hashable, CustomStringConvertible {
        /// What the agent types on the verification page.
        public var userCode: String
        public var verificationURI: String
        /// Microsoft's ready-made instructions (or ours, when the endpoint sends none).
        public var message: String
        /// Time between polls (raised by `slow_down`).
        public var interval: Duration
        public var expiresAt: Instant
        fileprivate var deviceCode: Secret

        public var description: String { "waiting(\(userCode), \(verificationURI), every \(interval), until \(expiresAt))" }
    }

    public enum State: Sendable, Hashable {
        case requesting
        case waiting(Waiting)
        case signedIn(TokenGrant)
        case expired
        case declined
        case failed(reason: String)

        public var isFinished: Bool {
            switch self {
            case .requesting, .waiting: false
            case .signedIn, .expired, .declined, .failed: true
            }
        }
    }

    /// What the driver does next.
    public enum Command: Sendable, Hashable {
        /// Send this request at `at` (now or later) and hand the answer to `received`.
        case send(FormRequest, at: Instant)
        /// The flow has ended; see `state`.
        case finish
    }

    /// RFC 8628 §3.5: the default interval, and what `slow_down` adds.
    public static let defaultInterval = Duration.seconds(5)
    public static let slowDownStep = Duration.seconds(5)
    public static let grantType = "urn:ietf:params:oauth:grant-type:device_code"

    public let clientID: String
    public let deviceCodeURL: String
    public let tokenURL: String
    public let scope: String
    public private(set) var state: State = .requesting

    /// - Parameter scope: space-separated; `DelegatedScopes.scope(graphURL:)` for Graph.
    public init(clientID: String, deviceCodeURL: String, tokenURL: String, scope: String) {
        self.clientID = clientID
        self.deviceCodeURL = deviceCodeURL
        self.tokenURL = tokenURL
        self.scope = scope
    }

    /// The device authorization request (no secret: a public client).
    public func start(at now: Instant) -> Command {
        .send(FormRequest(url: deviceCodeURL, fields: [.init("client_id", clientID), .init("scope", scope)]), at: now)
    }

    /// An answer to the last request sent: its HTTP status and body.
    public mutating func received(status: Int, body: Data, at now: Instant) -> Command {
        switch state {
        case .requesting:
            return authorizationAnswered(status: status, body: body, at: now)
        case .waiting(var waiting):
            if (200..<300).contains(status) {
                guard let response = try? JSONDecoder().decode(DelegatedTokenResponse.self, from: body) else {
                    return fail("the token endpoint's answer is not a token")
                }
                guard response.refresh_token != nil else {
                    return fail("the token endpoint sent no refresh token (offline_access was not granted)")
                }
                state = .signedIn(TokenGrant(response, at: now))
                return .finish
            }
            let parsed = try? JSONDecoder().decode(OAuthErrorBody.self, from: body)
            switch parsed?.error {
            case "authorization_pending":
                break
            case "slow_down":
                waiting.interval += Self.slowDownStep
            case "expired_token":
                state = .expired
                return .finish
            case "authorization_declined", "access_denied":
                state = .declined
                return .finish
            case "bad_verification_code":
                return fail("the identity platform did not recognise the device code (bad_verification_code)")
            default:
                let refusal = TokenRefusal(status: status, body: body)
                guard case .transient = refusal else { return fail(Self.reason(refusal)) }
            }
            return poll(waiting, at: now)
        case .signedIn, .expired, .declined, .failed:
            return .finish
        }
    }

    /// The last request got no answer (connection refused, timeout).
    public mutating func transportFailed(_ reason: String, at now: Instant) -> Command {
        switch state {
        case .requesting:
            return fail("the sign-in endpoint is unreachable: \(reason)")
        case .waiting(let waiting):
            return poll(waiting, at: now)
        case .signedIn, .expired, .declined, .failed:
            return .finish
        }
    }

    private mutating func authorizationAnswered(status: Int, body: Data, at now: Instant) -> Command {
        guard (200..<300).contains(status) else {
            return fail(Self.reason(TokenRefusal(status: status, body: body)))
        }
        guard let response = try? JSONDecoder().decode(DeviceAuthorizationResponse.self, from: body) else {
            return fail("the device-code endpoint's answer is not a device code")
        }
        let interval = response.interval.map { Duration.seconds(max(1, min($0, 3600))) } ?? Self.defaultInterval
        let message = response.message.flatMap { $0.isEmpty ? nil : $0 }
            ?? "To sign in, open \(response.verification_uri) and enter the code \(response.user_code)."
        let waiting = Waiting(userCode: response.user_code, verificationURI: response.verification_uri, message: message,
                              interval: interval, expiresAt: now + .seconds(max(0, min(response.expires_in, 86_400))),
                              deviceCode: Secret(response.device_code))
        return poll(waiting, at: now)
    }

    /// The next poll, `interval` from now, unless the code has expired by then.
    private mutating func poll(_ waiting: Waiting, at now: Instant) -> Command {
        let next = now + waiting.interval
        guard next <= waiting.expiresAt else {
            state = .expired
            return .finish
        }
        state = .waiting(waiting)
        return .send(FormRequest(url: tokenURL, fields: [
            .init("grant_type", Self.grantType), .init("client_id", clientID),
            .init("device_code", waiting.deviceCode.value),
        ]), at: next)
    }

    private mutating func fail(_ reason: String) -> Command {
        state = .failed(reason: reason)
        return .finish
    }

    static func reason(_ refusal: TokenRefusal) -> String {
        switch refusal {
        case .notPublicClient: return TokenRefusal.notPublicClientText
        case .signInAgain(let code, let description), .transient(_, let code?, let description),
             .other(_, let code?, let description):
            return "\(code)" + (description.map { ": \(TokenRefusal.firstLine($0))" } ?? "")
        case .transient(let status, nil, _), .other(let status, nil, _):
            return "the identity platform answered \(status)"
        }
    }
}
