/// A digest challenge from a `WWW-Authenticate` (401) or `Proxy-Authenticate` (407)
/// header value (RFC 2617 section 3.2.1, RFC 3261 section 22, RFC 7616 section 3.3).
public struct DigestChallenge: Sendable, Equatable {
    /// The protection space, e.g. `biloxi.com`.
    public var realm: String
    /// The server's nonce.
    public var nonce: String
    /// Opaque data the client must echo unchanged.
    public var opaque: String?
    /// `stale=true`: the previous answer was right but its nonce expired.
    public var stale: Bool
    /// The hash algorithm; `MD5` if the challenge names none.
    public var algorithm: DigestAlgorithm
    /// The offered `qop` values in order (e.g. `["auth", "auth-int"]`); empty for RFC 2069 style.
    public var qop: [String]
    /// The `domain` parameter, unparsed.
    public var domain: String?
    /// Parameters we do not interpret, by lowercased name.
    public var extensions: [String: String]

    /// A challenge with the given parameters.
    public init(realm: String, nonce: String, opaque: String? = nil, stale: Bool = false,
                algorithm: DigestAlgorithm = .md5, qop: [String] = [], domain: String? = nil,
                extensions: [String: String] = [:]) {
        self.realm = realm
        self.nonce = nonce
        self.opaque = opaque
        self.stale = stale
        self.algorithm = algorithm
        self.qop = qop
        self.domain = domain
        self.extensions = extensions
    }

    /// Parses a header value such as `Digest realm="atlanta.com", nonce="ea9c8e88", qop="auth"`.
    /// Throws a `DigestParseError` naming what is wrong.
    public init(parsing headerValue: String) throws(DigestParseError) {
        let parsed = try AuthParameters.parse(headerValue)
        guard parsed.scheme.lowercased() == "digest" else {
            throw DigestParseError("scheme is \"\(parsed.scheme)\", not Digest")
        }
        guard let realm = parsed.value("realm") else {
            throw DigestParseError("missing the \"realm\" parameter")
        }
        guard let nonce = parsed.value("nonce") else {
            throw DigestParseError("missing the \"nonce\" parameter")
        }
        self.realm = realm
        self.nonce = nonce
        opaque = parsed.value("opaque")
        stale = parsed.value("stale")?.lowercased() == "true"
        algorithm = parsed.value("algorithm").map(DigestAlgorithm.init(name:)) ?? .md5
        qop = parsed.value("qop").map { list in
            list.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        } ?? []
        domain = parsed.value("domain")
        var extensions: [String: String] = [:]
        let known: Set<String> = ["realm", "nonce", "opaque", "stale", "algorithm", "qop", "domain"]
        for param in parsed.parameters where !known.contains(param.name) {
            extensions[param.name] = param.value
        }
        self.extensions = extensions
    }

    /// The quality of protection we would answer with: `auth` if offered, else `auth-int`,
    /// `nil` when the challenge offers no qop (RFC 2069 compatibility).
    /// `.failure` when qop is offered but contains nothing we know.
    public var preferredQoP: Result<DigestQoP?, DigestParseError> {
        if qop.isEmpty { return .success(nil) }
        let lowered = qop.map { $0.lowercased() }
        if lowered.contains("auth") { return .success(.auth) }
        if lowered.contains("auth-int") { return .success(.authInt) }
        return .failure(DigestParseError("no supported qop among \(qop.joined(separator: ","))"))
    }

    /// Challenge header values in the order to try them: the strongest algorithm we support
    /// first (SHA-256 before MD5, RFC 8760 section 2.4), the server's order among equals,
    /// unsupported and malformed ones last.
    public static func strongestFirst(_ headerValues: [String]) -> [String] {
        let strength = headerValues.map { (try? DigestChallenge(parsing: $0))?.algorithm.strength ?? 0 }
        return headerValues.indices.sorted { a, b in
            strength[a] != strength[b] ? strength[a] > strength[b] : a < b
        }.map { headerValues[$0] }
    }

    /// The header value, e.g. for a server's 401 response.
    public var headerValue: String {
        var parts = [AuthParameters.quoted("realm", realm)]
        if let domain { parts.append(AuthParameters.quoted("domain", domain)) }
        parts.append(AuthParameters.quoted("nonce", nonce))
        if let opaque { parts.append(AuthParameters.quoted("opaque", opaque)) }
        if stale { parts.append("stale=true") }
        parts.append("algorithm=\(algorithm.name)")
        if !qop.isEmpty { parts.append(AuthParameters.quoted("qop", qop.joined(separator: ","))) }
        for key in extensions.keys.sorted() {
            if let value = extensions[key] { parts.append(AuthParameters.quoted(key, value)) }
        }
        return "Digest " + parts.joined(separator: ", ")
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
