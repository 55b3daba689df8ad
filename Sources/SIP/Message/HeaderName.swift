/// A header field name, normalised for lookup: lowercased, compact forms expanded
/// (`v` → `via`, `i` → `call-id`, …). Compare these, not raw names.
public struct HeaderName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The lowercase long form, e.g. `"call-id"`.
    public let key: String
    /// Index+1 into `KnownHeaders.keys` for well-known headers, 0 otherwise (fast equality).
    let id: UInt16

    /// Normalises any spelling: `"CALL-ID"`, `"i"` and `"Call-Id"` all give `call-id`.
    public init(_ name: String) {
        var lower = name.asciiLowercased
        if lower.utf8.count == 1, let long = HeaderName.compactForms[lower] { lower = long }
        key = lower
        id = KnownHeaders.idByKey[lower] ?? 0
    }

    public static func == (a: HeaderName, b: HeaderName) -> Bool {
        a.id == b.id && (a.id != 0 || a.key == b.key)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    public init(stringLiteral value: String) { self.init(value) }

    init(normalizedKey: String) {
        key = normalizedKey
        id = KnownHeaders.idByKey[normalizedKey] ?? 0
    }

    /// The conventional spelling for known headers (`CSeq`, `Call-ID`, `WWW-Authenticate`),
    /// else the key with each word capitalised.
    public var canonicalSpelling: String {
        if id != 0 { return KnownHeaders.spellings[Int(id) - 1] }
        return HeaderName.spell(key)
    }

    static func spell(_ key: String) -> String {
        if let known = HeaderName.spellings[key] { return known }
        return key.split(separator: "-", omittingEmptySubsequences: false).map { word in
            word.prefix(1).uppercased() + word.dropFirst()
        }.joined(separator: "-")
    }

    public var description: String { canonicalSpelling }

    /// Compact forms (RFC 3261 §7.3.3 and extensions).
    static let compactForms: [String: String] = [
        "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length", "c": "content-type",
        "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via", "o": "event", "u": "allow-events",
        "r": "refer-to", "b": "referred-by", "x": "session-expires", "a": "accept-contact", "j": "reject-contact",
        "d": "request-disposition", "y": "identity", "n": "identity-info",
    ]

    static let spellings: [String: String] = [
        "call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate", "mime-version": "MIME-Version",
        "rack": "RAck", "rseq": "RSeq", "sip-etag": "SIP-ETag", "sip-if-match": "SIP-If-Match",
    ]


    // Well-known names; their ids are their positions in `KnownHeaders.keys`.
    public static var via: HeaderName { HeaderName(fixedKey: "via", id: 1) }
    public static var from: HeaderName { HeaderName(fixedKey: "from", id: 2) }
    public static var to: HeaderName { HeaderName(fixedKey: "to", id: 3) }
    public static var callID: HeaderName { HeaderName(fixedKey: "call-id", id: 4) }
    public static var cseq: HeaderName { HeaderName(fixedKey: "cseq", id: 5) }
    public static var contact: HeaderName { HeaderName(fixedKey: "contact", id: 6) }
    public static var maxForwards: HeaderName { HeaderName(fixedKey: "max-forwards", id: 7) }
    public static var contentLength: HeaderName { HeaderName(fixedKey: "content-length", id: 8) }
    public static var contentType: HeaderName { HeaderName(fixedKey: "content-type", id: 9) }
    public static var contentEncoding: HeaderName { HeaderName(fixedKey: "content-encoding", id: 10) }
    public static var expires: HeaderName { HeaderName(fixedKey: "expires", id: 11) }
    public static var route: HeaderName { HeaderName(fixedKey: "route", id: 12) }
    public static var recordRoute: HeaderName { HeaderName(fixedKey: "record-route", id: 13) }
    public static var subject: HeaderName { HeaderName(fixedKey: "subject", id: 14) }
    public static var supported: HeaderName { HeaderName(fixedKey: "supported", id: 15) }
    public static var require: HeaderName { HeaderName(fixedKey: "require", id: 16) }
    public static var proxyRequire: HeaderName { HeaderName(fixedKey: "proxy-require", id: 17) }
    public static var allow: HeaderName { HeaderName(fixedKey: "allow", id: 18) }
    public static var accept: HeaderName { HeaderName(fixedKey: "accept", id: 19) }
    public static var event: HeaderName { HeaderName(fixedKey: "event", id: 20) }
    public static var allowEvents: HeaderName { HeaderName(fixedKey: "allow-events", id: 21) }
    public static var referTo: HeaderName { HeaderName(fixedKey: "refer-to", id: 22) }
    public static var referredBy: HeaderName { HeaderName(fixedKey: "referred-by", id: 23) }
    public static var sessionExpires: HeaderName { HeaderName(fixedKey: "session-expires", id: 24) }
    public static var userAgent: HeaderName { HeaderName(fixedKey: "user-agent", id: 25) }
    public static var date: HeaderName { HeaderName(fixedKey: "date", id: 26) }
    public static var authorization: HeaderName { HeaderName(fixedKey: "authorization", id: 27) }
    public static var wwwAuthenticate: HeaderName { HeaderName(fixedKey: "www-authenticate", id: 28) }
    public static var proxyAuthenticate: HeaderName { HeaderName(fixedKey: "proxy-authenticate", id: 29) }
    public static var proxyAuthorization: HeaderName { HeaderName(fixedKey: "proxy-authorization", id: 30) }

    init(fixedKey: String, id: UInt16) {
        key = fixedKey
        self.id = id
    }

    /// Headers whose values are comma-separated lists (RFC 3261 §7.3.1) and may be split.
    /// Everything else (credentials, challenges, Date, Call-ID, unknown headers, …) is never split.
    static let listHeaders: Set<String> = [
        "via", "contact", "route", "record-route", "path", "service-route", "accept", "accept-encoding",
        "accept-language", "alert-info", "allow", "allow-events", "call-info", "content-encoding",
        "content-language", "error-info", "in-reply-to", "proxy-require", "require", "supported", "unsupported",
        "warning", "reason", "p-asserted-identity", "p-preferred-identity", "accept-contact", "reject-contact",
        "security-client", "security-server", "security-verify", "privacy",
    ]

    /// Whether values of this header may be split at top-level commas.
    public var isList: Bool { HeaderName.listHeaders.contains(key) }
}

extension HeaderName {
    /// Normalises a raw header name taken from the wire.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        if let known = KnownHeaders.lookup(bytes) {
            key = KnownHeaders.keys[known]
            id = UInt16(known + 1)
            return
        }
        id = 0
        key = String(unsafeUninitializedCapacity: bytes.count) { out in
            for (n, b) in bytes.enumerated() { out[n] = ByteClass.lower(b) }
            return bytes.count
        }
    }

    /// Keys of the headers this codec knows, written with `canonicalSpelling` on output.
    static let knownKeys: Set<String> = listHeaders.union([
        "call-id", "cseq", "from", "to", "max-forwards", "content-length", "content-type", "expires", "subject",
        "event", "refer-to", "referred-by", "session-expires", "user-agent", "server", "date", "authorization",
        "www-authenticate", "proxy-authenticate", "proxy-authorization", "min-expires", "retry-after",
        "timestamp", "organization", "priority", "reply-to", "mime-version", "content-disposition",
        "authentication-info", "identity", "identity-info", "rack", "rseq", "subscription-state", "min-se",
        "replaces", "sip-etag", "sip-if-match", "request-disposition", "content-transfer-encoding",
        "allow-events", "accept-contact", "reject-contact", "identity", "content-encoding", "supported", "require",
    ])
}

/// The well-known header names, with an open-addressing table for allocation-free lookup
/// of raw (any case, compact or long) names from the wire.
enum KnownHeaders {
    /// The first entries are fixed (they back `HeaderName.via` … with constant ids).
    static let fixed: [String] = ["via", "from", "to", "call-id", "cseq", "contact", "max-forwards", "content-length", "content-type", "content-encoding", "expires", "route", "record-route", "subject", "supported", "require", "proxy-require", "allow", "accept", "event", "allow-events", "refer-to", "referred-by", "session-expires", "user-agent", "date", "authorization", "www-authenticate", "proxy-authenticate", "proxy-authorization"]
    static let keys: [String] = fixed + HeaderName.knownKeys.subtracting(fixed).sorted()
    static let spellings: [String] = keys.map(HeaderName.spell)
    static let idByKey: [String: UInt16] = {
        var d: [String: UInt16] = [:]
        for (i, k) in keys.enumerated() { d[k] = UInt16(i + 1) }
        return d
    }()
    static let keyBytes: [[UInt8]] = keys.map { Array($0.utf8) }
    static let spellingBytes: [[UInt8]] = spellings.map { Array($0.utf8) }

    /// The header name string for raw bytes, sharing the canonical spelling when identical.
    static func name(_ raw: UnsafeBufferPointer<UInt8>, key: HeaderName) -> String {
        if key.id != 0 {
            let i = Int(key.id) - 1
            let spelled = spellingBytes[i]
            if spelled.count == raw.count {
                var same = true
                for j in 0..<raw.count where spelled[j] != raw[j] { same = false; break }
                if same { return spellings[i] }
            }
        }
        return String(decoding: raw, as: UTF8.self)
    }
    static let slotCount = 512
    /// Slot → index into `keys`, or -1.
    static let slots: [Int16] = {
        var t = [Int16](repeating: -1, count: slotCount)
        for (i, k) in keyBytes.enumerated() {
            var h = hash(k[...]) & (slotCount - 1)
            while t[h] != -1 { h = (h + 1) & (slotCount - 1) }
            t[h] = Int16(i)
        }
        return t
    }()

    @inline(__always)
    static func hash<C: Collection<UInt8>>(_ bytes: C) -> Int {
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(ByteClass.lower(b))) &* 16_777_619 }
        return Int(h)
    }

    /// The index of a known header for a raw name (compact forms included), or nil.
    static func lookup(_ raw: UnsafeBufferPointer<UInt8>) -> Int? {
        if raw.count == 1 {
            let long: String? = switch ByteClass.lower(raw[0]) {
            case UInt8(ascii: "i"): "call-id"
            case UInt8(ascii: "m"): "contact"
            case UInt8(ascii: "e"): "content-encoding"
            case UInt8(ascii: "l"): "content-length"
            case UInt8(ascii: "c"): "content-type"
            case UInt8(ascii: "f"): "from"
            case UInt8(ascii: "s"): "subject"
            case UInt8(ascii: "k"): "supported"
            case UInt8(ascii: "t"): "to"
            case UInt8(ascii: "v"): "via"
            case UInt8(ascii: "o"): "event"
            case UInt8(ascii: "u"): "allow-events"
            case UInt8(ascii: "r"): "refer-to"
            case UInt8(ascii: "b"): "referred-by"
            case UInt8(ascii: "x"): "session-expires"
            case UInt8(ascii: "a"): "accept-contact"
            case UInt8(ascii: "j"): "reject-contact"
            case UInt8(ascii: "d"): "request-disposition"
            case UInt8(ascii: "y"): "identity"
            case UInt8(ascii: "n"): "identity-info"
            default: nil
            }
            return long.flatMap { idByKey[$0] }.map { Int($0) - 1 }
        }
        var h = hash(raw) & (slotCount - 1)
        while true {
            let s = Int(slots[h])
            if s < 0 { return nil }
            let k = keyBytes[s]
            if k.count == raw.count {
                var same = true
                for j in 0..<k.count where k[j] != ByteClass.lower(raw[j]) { same = false; break }
                if same { return s }
            }
            h = (h + 1) & (slotCount - 1)
        }
    }
}
