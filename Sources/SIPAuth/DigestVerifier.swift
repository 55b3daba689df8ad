/// The verdict on a request's digest credentials.
public enum DigestVerification: Sendable, Equatable {
    /// The response matches the password.
    case valid
    /// The response does not match: wrong password (or tampered request).
    case wrongResponse
    /// Credentials for another realm.
    case realmMismatch
    /// A nonce we did not issue (or no longer accept): challenge again with `stale=true`
    /// if the response is otherwise right.
    case unknownNonce(responseValid: Bool)
    /// The credentials use an algorithm or qop we do not support.
    case unsupported(reason: String)
}

/// Server-side digest authentication for one realm, used by the demo switchboard and tests.
public struct DigestVerifier: Sendable {
    /// The realm we challenge for.
    public var realm: String
    /// Whether our challenges offer `qop="auth"` (RFC 3261 section 22.4 says they should).
    public var offersQoP: Bool
    /// The algorithm our challenges name (any supported one is verified).
    public var algorithm: DigestAlgorithm

    public init(realm: String, offersQoP: Bool = true, algorithm: DigestAlgorithm = .md5) {
        self.realm = realm
        self.offersQoP = offersQoP
        self.algorithm = algorithm
    }

    /// A challenge for a 401/407 response.
    public func challenge(nonce: String, opaque: String? = nil, stale: Bool = false) -> DigestChallenge {
        DigestChallenge(realm: realm, nonce: nonce, opaque: opaque, stale: stale, algorithm: algorithm,
                        qop: offersQoP ? ["auth"] : [])
    }

    /// Checks parsed credentials for a request with `method` against `password`.
    /// `isKnownNonce` says whether we issued (and still accept) a nonce; `body` is for auth-int.
    public func verify(_ credentials: DigestAuthorization, method: String, password: String,
                       body: [UInt8] = [], isKnownNonce: (String) -> Bool = { _ in true }) -> DigestVerification {
        guard credentials.realm == realm else { return .realmMismatch }
        let algorithm = credentials.algorithm ?? .md5
        guard algorithm.isSupported else {
            return .unsupported(reason: "algorithm \(algorithm.name) is not supported")
        }
        if offersQoP, credentials.qop == nil {
            return .unsupported(reason: "qop is required")
        }
        let expected = DigestCalculator.response(
            username: credentials.username, password: password, realm: credentials.realm,
            nonce: credentials.nonce, method: method, uri: credentials.uri, algorithm: algorithm,
            qop: credentials.qop, nc: credentials.nonceCount ?? 0, cnonce: credentials.cnonce ?? "",
            body: body)
        let matches = DigestVerifier.constantTimeEqual(expected, credentials.response.lowercased())
        guard isKnownNonce(credentials.nonce) else { return .unknownNonce(responseValid: matches) }
        return matches ? .valid : .wrongResponse
    }

    /// Parses an `Authorization` / `Proxy-Authorization` value and checks it.
    public func verify(headerValue: String, method: String, password: String, body: [UInt8] = [],
                       isKnownNonce: (String) -> Bool = { _ in true }) throws(DigestParseError) -> DigestVerification {
        let credentials = try DigestAuthorization(parsing: headerValue)
        return verify(credentials, method: method, password: password, body: body, isKnownNonce: isKnownNonce)
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
