/// Client-side digest authentication for one account (RFC 2617, RFC 3261 section 22).
///
/// Use it like this:
/// - before sending any request, ask `authorization(method:uri:)`: once a realm has
///   challenged us it returns a header reusing that nonce with the next `nc`, so a REGISTER
///   refresh or a new INVITE needs no fresh challenge;
/// - on a 401/407, pass each `Digest` challenge to `respond(to:method:uri:)` and act on the
///   `ChallengeOutcome`.
///
/// A non-stale challenge that arrives right after we answered a fresh challenge for that realm
/// means the credentials are wrong. One that arrives after a request with a *reused* nonce just
/// means the server forgot the nonce, so we answer it. `stale=true` always means: retry with the
/// new nonce.
public struct DigestAuthenticator: Sendable {
    /// The account.
    public var credentials: DigestCredentials

    private let makeCNonce: @Sendable () -> String
    private var realms: [String: NonceState] = [:]

    private struct NonceState: Sendable {
        var challenge: DigestChallenge
        var qop: DigestQoP?
        var cnonce: String
        /// The `nc` last sent with this nonce.
        var nonceCount: UInt32
        /// The last header for this realm answered a fresh challenge and no success or reuse
        /// happened since: another non-stale challenge now means wrong credentials.
        var awaitingVerdict: Bool
    }

    /// An authenticator for `credentials`. `cnonce` makes client nonces (random by default;
    /// inject a fixed one in tests).
    public init(credentials: DigestCredentials,
                cnonce: @escaping @Sendable () -> String = DigestAuthenticator.randomCNonce) {
        self.credentials = credentials
        self.makeCNonce = cnonce
    }

    /// 16 random hex digits.
    @Sendable public static func randomCNonce() -> String {
        var rng = SystemRandomNumberGenerator()
        let value = rng.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The realms we hold a nonce for.
    public var knownRealms: [String] { realms.keys.sorted() }

    /// Answers a challenge from a 401 or 407 response to a request with `method` and `uri`
    /// (the request-URI). `body` is only used for `qop=auth-int`. `cnonce` is the client nonce
    /// to use (a caller that owns its randomness passes one); nil asks the `cnonce` closure.
    public mutating func respond(to challenge: DigestChallenge, method: String, uri: String,
                                 body: [UInt8] = [], cnonce: String? = nil) -> ChallengeOutcome {
        guard challenge.algorithm.isSupported else {
            return .unsupported(reason: "algorithm \(challenge.algorithm.name) is not supported")
        }
        let qop: DigestQoP?
        switch challenge.preferredQoP {
        case .success(let value): qop = value
        case .failure(let error): return .unsupported(reason: error.reason)
        }
        if let previous = realms[challenge.realm], previous.awaitingVerdict, !challenge.stale {
            realms[challenge.realm] = nil
            return .wrongCredentials
        }
        var state = NonceState(challenge: challenge, qop: qop, cnonce: cnonce ?? makeCNonce(), nonceCount: 0,
                               awaitingVerdict: true)
        let header = makeHeader(&state, method: method, uri: uri, body: body)
        realms[challenge.realm] = state
        return .retry(header: header)
    }

    /// Answers a challenge unconditionally (never `.wrongCredentials`): for a caller that
    /// judges wrong credentials itself, per request — when several requests of one realm are
    /// challenged at the same time, the realm-wide guess of `respond` would misfire.
    public mutating func answer(toHeader value: String, method: String, uri: String,
                                body: [UInt8] = [], cnonce: String? = nil) -> ChallengeOutcome {
        guard let challenge = try? DigestChallenge(parsing: value) else {
            return .unsupported(reason: "malformed challenge")
        }
        realms[challenge.realm]?.awaitingVerdict = false
        return respond(to: challenge, method: method, uri: uri, body: body, cnonce: cnonce)
    }

    /// Parses a challenge header value and answers it; a malformed value is `.unsupported`.
    public mutating func respond(toHeader value: String, method: String, uri: String,
                                 body: [UInt8] = [], cnonce: String? = nil) -> ChallengeOutcome {
        do {
            let challenge = try DigestChallenge(parsing: value)
            return respond(to: challenge, method: method, uri: uri, body: body, cnonce: cnonce)
        } catch {
            return .unsupported(reason: error.description)
        }
    }

    /// A header for a new request reusing the nonce we hold for `realm` (or the only realm held,
    /// when `realm` is nil) with the next `nc`; `nil` when we hold none.
    public mutating func authorization(method: String, uri: String, realm: String? = nil,
                                       body: [UInt8] = []) -> String? {
        let key: String
        if let realm {
            key = realm
        } else if realms.count == 1, let only = realms.keys.first {
            key = only
        } else {
            return nil
        }
        guard var state = realms[key] else { return nil }
        state.awaitingVerdict = false
        let header = makeHeader(&state, method: method, uri: uri, body: body)
        realms[key] = state
        return header
    }

    /// Tells the authenticator a request was accepted, so a later challenge is a nonce
    /// expiry and not a wrong password.
    public mutating func succeeded() {
        for key in realms.keys { realms[key]?.awaitingVerdict = false }
    }

    /// Forgets all nonces (e.g. after the password changed).
    public mutating func reset() {
        realms.removeAll()
    }

    private func makeHeader(_ state: inout NonceState, method: String, uri: String, body: [UInt8]) -> String {
        let challenge = state.challenge
        if state.qop != nil {
            state.nonceCount &+= 1
        }
        let usesCNonce = state.qop != nil || challenge.algorithm.isSession
        let response = DigestCalculator.response(
            username: credentials.username, password: credentials.password, realm: challenge.realm,
            nonce: challenge.nonce, method: method, uri: uri, algorithm: challenge.algorithm,
            qop: state.qop, nc: state.nonceCount, cnonce: usesCNonce ? state.cnonce : "", body: body)
        let authorization = DigestAuthorization(
            username: credentials.username, realm: challenge.realm, nonce: challenge.nonce, uri: uri,
            response: response, algorithm: challenge.algorithm, opaque: challenge.opaque, qop: state.qop,
            nonceCount: state.qop == nil ? nil : state.nonceCount,
            cnonce: usesCNonce ? state.cnonce : nil)
        return authorization.headerValue
    }
}
