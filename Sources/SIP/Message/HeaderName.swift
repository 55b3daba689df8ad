/// A header field name, normalised for lookup: lowercased, compact forms expanded
/// (`v` → `via`, `i` → `call-id`, …). Compare these, not raw names.
public struct HeaderName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The lowercase long form, e.g. `"call-id"`.
    public let key: String
    /// Index+1 into `KnownHeaders.table` for well-known headers, 0 otherwise (fast equality).
    let id: UInt16

    /// Normalises any spelling: `"CALL-ID"`, `"i"` and `"Call-Id"` all give `call-id`.
    public init(_ name: String) {
        var lower = name.asciiLowercased
        if lower.utf8.count == 1, let long = KnownHeaders.compactForms[lower] { lower = long }
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

    /// Each word capitalised: `max-forwards` → `Max-Forwards`.
    static func spell(_ key: String) -> String {
        return key.split(separator: "-", omittingEmptySubsequences: false).map { word in
            word.prefix(1).uppercased() + word.dropFirst()
        }.joined(separator: "-")
    }

    public var description: String { canonicalSpelling }

    // Well-known names (ids come from their rows in `KnownHeaders.table`).
    public static let via = HeaderName(known: "via")
    public static let from = HeaderName(known: "from")
    public static let to = HeaderName(known: "to")
    public static let callID = HeaderName(known: "call-id")
    public static let cseq = HeaderName(known: "cseq")
    public static let contact = HeaderName(known: "contact")
    public static let maxForwards = HeaderName(known: "max-forwards")
    public static let contentLength = HeaderName(known: "content-length")
    public static let contentType = HeaderName(known: "content-type")
    public static let contentEncoding = HeaderName(known: "content-encoding")
    public static let expires = HeaderName(known: "expires")
    public static let route = HeaderName(known: "route")
    public static let recordRoute = HeaderName(known: "record-route")
    public static let subject = HeaderName(known: "subject")
    public static let supported = HeaderName(known: "supported")
    public static let require = HeaderName(known: "require")
    public static let proxyRequire = HeaderName(known: "proxy-require")
    public static let allow = HeaderName(known: "allow")
    public static let accept = HeaderName(known: "accept")
    public static let event = HeaderName(known: "event")
    public static let allowEvents = HeaderName(known: "allow-events")
    public static let referTo = HeaderName(known: "refer-to")
    public static let referredBy = HeaderName(known: "referred-by")
    public static let sessionExpires = HeaderName(known: "session-expires")
    public static let userAgent = HeaderName(known: "user-agent")
    public static let date = HeaderName(known: "date")
    public static let authorization = HeaderName(known: "authorization")
    public static let wwwAuthenticate = HeaderName(known: "www-authenticate")
    public static let proxyAuthenticate = HeaderName(known: "proxy-authenticate")
    public static let proxyAuthorization = HeaderName(known: "proxy-authorization")

    /// A name from `KnownHeaders.table` (a missing one is a programming error caught by tests).
    init(known key: String) {
        self.key = key
        id = KnownHeaders.idByKey[key] ?? 0
    }

    /// Whether values of this header may be split at top-level commas.
    public var isList: Bool { id != 0 && KnownHeaders.table[Int(id) - 1].isList }
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
}

/// One known header: its lowercase key, its compact form (RFC 3261 §7.3.3 and extensions),
/// a spelling other than capitalised words, and whether its values are comma-separated lists
/// (RFC 3261 §7.3.1) that may be split. Everything else (credentials, challenges, Date,
/// Call-ID, unknown headers, …) is never split.
struct KnownHeader: Sendable {
    let key: String
    let compact: Character?
    let spelling: String?
    let isList: Bool

    init(_ key: String, compact: Character? = nil, spelling: String? = nil, list: Bool = false) {
        self.key = key
        self.compact = compact
        self.spelling = spelling
        self.isList = list
    }
}

/// The well-known header names — one table from which ids, compact forms and canonical
/// spellings derive — with an open-addressing table for allocation-free lookup of raw
/// (any case, compact or long) names from the wire.
enum KnownHeaders {
    /// Every header the codec knows, once. A header's id is its position + 1.
    static let table: [KnownHeader] = [
        KnownHeader("via", compact: "v", list: true),
        KnownHeader("from", compact: "f"),
        KnownHeader("to", compact: "t"),
        KnownHeader("call-id", compact: "i", spelling: "Call-ID"),
        KnownHeader("cseq", spelling: "CSeq"),
        KnownHeader("contact", compact: "m", list: true),
        KnownHeader("max-forwards"),
        KnownHeader("content-length", compact: "l"),
        KnownHeader("content-type", compact: "c"),
        KnownHeader("content-encoding", compact: "e", list: true),
        KnownHeader("expires"),
        KnownHeader("route", list: true),
        KnownHeader("record-route", list: true),
        KnownHeader("subject", compact: "s"),
        KnownHeader("supported", compact: "k", list: true),
        KnownHeader("require", list: true),
        KnownHeader("proxy-require", list: true),
        KnownHeader("allow", list: true),
        KnownHeader("accept", list: true),
        KnownHeader("event", compact: "o"),
        KnownHeader("allow-events", compact: "u", list: true),
        KnownHeader("refer-to", compact: "r"),
        KnownHeader("referred-by", compact: "b"),
        KnownHeader("session-expires", compact: "x"),
        KnownHeader("user-agent"),
        KnownHeader("date"),
        KnownHeader("authorization"),
        KnownHeader("www-authenticate", spelling: "WWW-Authenticate"),
        KnownHeader("proxy-authenticate"),
        KnownHeader("proxy-authorization"),
        KnownHeader("accept-contact", compact: "a", list: true),
        KnownHeader("accept-encoding", list: true),
        KnownHeader("accept-language", list: true),
        KnownHeader("alert-info", list: true),
        KnownHeader("authentication-info"),
        KnownHeader("call-info", list: true),
        KnownHeader("content-disposition"),
        KnownHeader("content-language", list: true),
        KnownHeader("content-transfer-encoding"),
        KnownHeader("error-info", list: true),
        KnownHeader("identity", compact: "y"),
        KnownHeader("identity-info", compact: "n"),
        KnownHeader("in-reply-to", list: true),
        KnownHeader("mime-version", spelling: "MIME-Version"),
        KnownHeader("min-expires"),
        KnownHeader("min-se"),
        KnownHeader("organization"),
        KnownHeader("p-asserted-identity", list: true),
        KnownHeader("p-preferred-identity", list: true),
        KnownHeader("path", list: true),
        KnownHeader("priority"),
        KnownHeader("privacy", list: true),
        KnownHeader("rack", spelling: "RAck"),
        KnownHeader("reason", list: true),
        KnownHeader("reject-contact", compact: "j", list: true),
        KnownHeader("replaces"),
        KnownHeader("reply-to"),
        KnownHeader("request-disposition", compact: "d"),
        KnownHeader("retry-after"),
        KnownHeader("rseq", spelling: "RSeq"),
        KnownHeader("security-client", list: true),
        KnownHeader("security-server", list: true),
        KnownHeader("security-verify", list: true),
        KnownHeader("server"),
        KnownHeader("service-route", list: true),
        KnownHeader("sip-etag", spelling: "SIP-ETag"),
        KnownHeader("sip-if-match", spelling: "SIP-If-Match"),
        KnownHeader("subscription-state"),
        KnownHeader("timestamp"),
        KnownHeader("unsupported", list: true),
        KnownHeader("warning", list: true),
    ]

    static let keys: [String] = table.map(\.key)
    /// How each known header is written on output (`canonicalSpelling`).
    static let spellings: [String] = table.map { $0.spelling ?? HeaderName.spell($0.key) }
    static let idByKey: [String: UInt16] = {
        var d: [String: UInt16] = [:]
        for (i, k) in keys.enumerated() { d[k] = UInt16(i + 1) }
        return d
    }()
    /// Compact form → long key (`"i"` → `"call-id"`).
    static let compactForms: [String: String] = {
        var d: [String: String] = [:]
        for row in table { if let c = row.compact { d[String(c)] = row.key } }
        return d
    }()
    /// Lowercase compact byte → index into `table`, or -1.
    static let compactIndex: [Int16] = {
        var t = [Int16](repeating: -1, count: 256)
        for (i, row) in table.enumerated() {
            if let c = row.compact?.asciiValue { t[Int(c)] = Int16(i) }
        }
        return t
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
            let index = compactIndex[Int(ByteClass.lower(raw[0]))]
            return index < 0 ? nil : Int(index)
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
