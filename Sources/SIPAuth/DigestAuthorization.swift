/// The digest credentials of an `Authorization` / `Proxy-Authorization` header value
/// (RFC 2617 section 3.2.2, RFC 3261 section 22.4).
public struct DigestAuthorization: Sendable, Equatable {
    /// The account name.
    public var username: String
    /// The realm of the challenge answered.
    public var realm: String
    /// The server nonce used.
    public var nonce: String
    /// The digest-uri: the request-URI of the request, as sent.
    public var uri: String
    /// The 32-hex-digit request digest.
    public var response: String
    /// `nil` when the header omits it (meaning MD5).
    public var algorithm: DigestAlgorithm?
    /// The challenge's opaque value, echoed.
    public var opaque: String?
    /// The chosen qop, `nil` in RFC 2069 style.
    public var qop: DigestQoP?
    /// Nonce count; present with qop.
    public var nonceCount: UInt32?
    /// The client nonce; present with qop (and with MD5-sess).
    public var cnonce: String?

    /// Credentials with the given fields.
    public init(username: String, realm: String, nonce: String, uri: String, response: String,
                algorithm: DigestAlgorithm? = .md5, opaque: String? = nil, qop: DigestQoP? = nil,
                nonceCount: UInt32? = nil, cnonce: String? = nil) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.opaque = opaque
        self.qop = qop
        self.nonceCount = nonceCount
        self.cnonce = cnonce
    }

    /// Parses a header value such as `Digest username="bob", realm="biloxi.com", ...`.
    public init(parsing headerValue: String) throws(DigestParseError) {
        let parsed = try AuthParameters.parse(headerValue)
        guard parsed.scheme.lowercased() == "digest" else {
            throw DigestParseError("scheme is \"\(parsed.scheme)\", not Digest")
        }
        func required(_ name: String) throws(DigestParseError) -> String {
            guard let value = parsed.value(name) else {
                throw DigestParseError("missing the \"\(name)\" parameter")
            }
            return value
        }
        username = try required("username")
        realm = try required("realm")
        nonce = try required("nonce")
        uri = try required("uri")
        response = try required("response")
        algorithm = parsed.value("algorithm").map(DigestAlgorithm.init(name:))
        opaque = parsed.value("opaque")
        cnonce = parsed.value("cnonce")
        if let qopText = parsed.value("qop") {
            guard let qop = DigestQoP(rawValue: qopText.lowercased()) else {
                throw DigestParseError("unknown qop \"\(qopText)\"")
            }
            self.qop = qop
            let ncText = try required("nc")
            guard ncText.utf8.count == 8, let nc = UInt32(ncText, radix: 16) else {
                throw DigestParseError("nc \"\(ncText)\" is not 8 hex digits")
            }
            nonceCount = nc
            guard cnonce != nil else {
                throw DigestParseError("missing the \"cnonce\" parameter required with qop")
            }
        } else {
            qop = nil
            nonceCount = parsed.value("nc").flatMap { UInt32($0, radix: 16) }
        }
    }

    /// The header value, starting with `Digest `.
    public var headerValue: String {
        var parts = [
            AuthParameters.quoted("username", username),
            AuthParameters.quoted("realm", realm),
            AuthParameters.quoted("nonce", nonce),
            AuthParameters.quoted("uri", uri),
        ]
        if let qop, let nonceCount {
            parts.append("qop=\(qop.rawValue)")
            parts.append("nc=\(DigestCalculator.nonceCount(nonceCount))")
        }
        if let cnonce { parts.append(AuthParameters.quoted("cnonce", cnonce)) }
        parts.append(AuthParameters.quoted("response", response))
        if let algorithm { parts.append("algorithm=\(algorithm.name)") }
        if let opaque { parts.append(AuthParameters.quoted("opaque", opaque)) }
        return "Digest " + parts.joined(separator: ", ")
    }
}
