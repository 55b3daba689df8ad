/// A `sip:`/`sips:` URI (RFC 3261 §19.1), or any other absolute URI (`tel:`, `urn:`, …)
/// kept opaque.
///
/// Text fields keep their escaping as written (`user` of `sip:%75ser@h` is `"%75ser"`);
/// use `decodedUser` for the unescaped value. Equality follows RFC 3261 §19.1.4.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    /// One `name=value` pair of the `?` headers component (escaped as written).
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    /// The scheme, lowercased (`sip`, `sips`, `tel`, …).
    public var scheme: String
    /// The user part (escaped as written), if any. SIP/SIPS only.
    public var user: String?
    /// The password after `user:`, if any (deprecated by RFC 3261 but parsed).
    public var password: String?
    /// The host: a name, an IPv4 address, or an IPv6 reference including its brackets.
    public var host: String
    /// The port, if given.
    public var port: UInt16?
    /// The uri-parameters (`;transport=tcp;lr`).
    public var parameters: SIPParameters
    /// The headers component after `?`.
    public var headers: [Header]
    /// For non-SIP schemes, everything after `scheme:`; nil for SIP/SIPS.
    public var opaque: String?

    /// Creates a SIP or SIPS URI.
    public init(scheme: String = "sip", user: String? = nil, password: String? = nil, host: String, port: UInt16? = nil,
                parameters: SIPParameters = SIPParameters(), headers: [Header] = []) {
        self.scheme = scheme.asciiLowercased
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = nil
    }

    init(lowercasedScheme: String) {
        scheme = lowercasedScheme
        user = nil
        password = nil
        host = ""
        port = nil
        parameters = SIPParameters()
        headers = []
        opaque = nil
    }

    /// Creates an opaque URI of another scheme, e.g. `SIPURI(scheme: "tel", opaque: "+15551234")`.
    public init(scheme: String, opaque: String) {
        self.scheme = scheme.asciiLowercased
        self.user = nil
        self.password = nil
        self.host = ""
        self.port = nil
        self.parameters = SIPParameters()
        self.headers = []
        self.opaque = opaque
    }

    /// Parses a URI; nil if malformed.
    public init?(_ text: String) {
        guard let uri = try? SIPURI(parsing: text) else { return nil }
        self = uri
    }

    /// Parses a URI, throwing `SIPParseError` (kind `.invalidURI`) if malformed.
    public init(parsing text: String) throws(SIPParseError) {
        self = try text.withBytes { (buf) throws(SIPParseError) in try SIPURI.parse(buf, 0..<buf.count) }
    }

    /// Whether the scheme is `sip` or `sips`.
    public var isSIP: Bool { opaque == nil && (scheme == "sip" || scheme == "sips") }

    /// Whether the host is a bracketed IPv6 reference.
    public var isIPv6: Bool { host.utf8.first == UInt8(ascii: "[") }

    /// The `transport` parameter, lowercased.
    public var transport: String? { parameters.value("transport")?.asciiLowercased }
    /// Whether the `lr` (loose routing) parameter is present.
    public var isLooseRouting: Bool { parameters.contains("lr") }
    /// The `maddr` parameter.
    public var maddr: String? { parameters.value("maddr") }
    /// The `user` parameter (`phone`, `ip`, …).
    public var userParameter: String? { parameters.value("user") }

    /// The user part with `%XX` escapes resolved (may contain any byte, including NUL).
    public var decodedUserBytes: [UInt8]? { user.map(SIPURI.percentDecode) }
    /// The user part with `%XX` escapes resolved, as a string.
    public var decodedUser: String? { decodedUserBytes.map { String(decoding: $0, as: UTF8.self) } }

    /// Resolves `%XX` escapes; a `%` not followed by two hex digits is kept literally.
    public static func percentDecode(_ s: String) -> [UInt8] {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let h = ByteClass.hexValue(bytes[i + 1]), let l = ByteClass.hexValue(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// The URI text.
    public var description: String {
        if let opaque { return scheme + ":" + opaque }
        var out = scheme + ":"
        if let user {
            out += user
            if let password { out += ":" + password }
            out += "@"
        }
        out += host
        if let port { out += ":" + String(port) }
        out += parameters.serialized
        if !headers.isEmpty {
            out += "?" + headers.map { $0.name + "=" + $0.value }.joined(separator: "&")
        }
        return out
    }

    // MARK: Comparison (RFC 3261 §19.1.4)

    public static func == (a: SIPURI, b: SIPURI) -> Bool {
        guard a.scheme == b.scheme else { return false }
        if a.opaque != nil || b.opaque != nil { return a.opaque == b.opaque }
        guard a.decodedUserBytes == b.decodedUserBytes,
              a.password.map(percentDecode) == b.password.map(percentDecode),
              a.host.asciiCaseInsensitiveEquals(b.host),
              a.port == b.port else { return false }
        // Parameters that must match when present in either URI.
        for name in ["user", "ttl", "method", "maddr", "transport"] {
            let x = a.parameters[name], y = b.parameters[name]
            switch (x, y) {
            case (nil, nil): continue
            case (.some(let vx), .some(let vy)):
                if !equalDecoded(vx, vy) { return false }
            default: return false
            }
        }
        // Other parameters must match only when present in both. A name written more than
        // once (RFC 3261 forbids it, but it parses) compares all its values in order, so
        // that equality stays reflexive.
        for p in a.parameters.items where b.parameters.contains(p.name) {
            let xs = a.parameters.items.filter { $0.name.asciiCaseInsensitiveEquals(p.name) }
            let ys = b.parameters.items.filter { $0.name.asciiCaseInsensitiveEquals(p.name) }
            guard xs.count == ys.count else { return false }
            for (x, y) in zip(xs, ys) where !equalDecoded(x.value, y.value) { return false }
        }
        // Headers must match as sets (names case-insensitive, values unescaped).
        guard a.headers.count == b.headers.count else { return false }
        for h in a.headers {
            guard b.headers.contains(where: {
                $0.name.asciiCaseInsensitiveEquals(h.name) && percentDecode($0.value) == percentDecode(h.value)
            }) else { return false }
        }
        return true
    }

    private static func equalDecoded(_ x: String?, _ y: String?) -> Bool {
        switch (x, y) {
        case (nil, nil): return true
        case (.some(let a), .some(let b)):
            return percentDecode(a).map(ByteClass.lower) == percentDecode(b).map(ByteClass.lower)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(scheme)
        if let opaque { hasher.combine(opaque); return }
        hasher.combine(decodedUserBytes)
        hasher.combine(host.asciiLowercased)
        hasher.combine(port)
    }
}
