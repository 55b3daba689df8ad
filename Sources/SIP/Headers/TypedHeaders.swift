/// Typed access to the common headers. Each accessor parses on demand and throws
/// `SIPParseError` when the value is malformed; absent optional headers give nil.
extension SIPHeaders {
    /// All Via values, top first (fields and comma-separated values flattened).
    public var via: [Via] {
        get throws(SIPParseError) {
            var out: [Via] = []
            for f in fields where f.key == .via { out.append(contentsOf: try Via.parseList(f.value)) }
            return out
        }
    }

    /// The topmost Via value.
    public var topVia: Via? {
        get throws(SIPParseError) {
            guard let f = first(.via) else { return nil }
            return try Via.parseList(f).first
        }
    }

    /// The From header (required; throws if missing, repeated or malformed).
    public var from: NameAddress { get throws(SIPParseError) { try single(.from, "from") } }

    /// The To header (required; throws if missing, repeated or malformed).
    public var to: NameAddress { get throws(SIPParseError) { try single(.to, "to") } }

    /// The Call-ID value.
    public var callID: String? { first(.callID) }

    /// The CSeq header (required; throws if missing, repeated or malformed).
    public var cseq: CSeq {
        get throws(SIPParseError) { try CSeq(parsing: try singleValue(.cseq, "cseq")) }
    }

    /// Max-Forwards (0–255), nil when absent.
    public var maxForwards: UInt8? {
        get throws(SIPParseError) {
            guard let v = try optionalSingleValue(.maxForwards, "max-forwards") else { return nil }
            guard let n = parseDecimal(v, limit: 255) else {
                throw SIPParseError(.malformedHeader, "Max-Forwards must be 0–255", header: "max-forwards")
            }
            return UInt8(n)
        }
    }

    /// Content-Length, nil when absent; throws for non-numeric, negative or absurd values.
    public var contentLength: Int? {
        get throws(SIPParseError) {
            guard let v = try optionalSingleValue(.contentLength, "content-length") else { return nil }
            guard let n = parseDecimal(v, limit: UInt64(Int32.max)) else {
                throw SIPParseError(.invalidContentLength, "Content-Length is not a valid length: '\(v)'", header: "content-length")
            }
            return Int(n)
        }
    }

    /// Content-Type, nil when absent.
    public var contentType: MediaType? {
        get throws(SIPParseError) {
            guard let v = try optionalSingleValue(.contentType, "content-type") else { return nil }
            return try MediaType(parsing: v)
        }
    }

    /// Expires in seconds (below 2³²), nil when absent.
    public var expires: UInt32? {
        get throws(SIPParseError) {
            guard let v = try optionalSingleValue(.expires, "expires") else { return nil }
            guard let n = parseDecimal(v, limit: UInt64(UInt32.max)) else {
                throw SIPParseError(.malformedHeader, "Expires must be a number below 2^32", header: "expires")
            }
            return UInt32(n)
        }
    }

    /// The Contact header(s): nil when absent, `.wildcard` for `*`, else every address.
    public var contact: ContactValue? {
        get throws(SIPParseError) {
            let raw = all(.contact)
            if raw.isEmpty { return nil }
            if raw.count == 1, raw[0] == "*" { return .wildcard }
            var out: [NameAddress] = []
            for v in raw {
                if v == "*" { throw SIPParseError(.malformedHeader, "'*' mixed with other contacts", header: "contact") }
                out.append(contentsOf: try NameAddress.parseList(v, header: "contact"))
            }
            return .addresses(out)
        }
    }

    /// Contact addresses (empty when absent or `*`).
    public var contacts: [NameAddress] {
        get throws(SIPParseError) {
            if case .addresses(let a)? = try contact { return a }
            return []
        }
    }

    /// Route values in order.
    public var routes: [NameAddress] { get throws(SIPParseError) { try list(.route, "route") } }
    /// Record-Route values in order.
    public var recordRoutes: [NameAddress] { get throws(SIPParseError) { try list(.recordRoute, "record-route") } }
    /// Refer-To, nil when absent.
    public var referTo: NameAddress? {
        get throws(SIPParseError) {
            guard let v = try optionalSingleValue(.referTo, "refer-to") else { return nil }
            return try NameAddress(parsing: v, header: "refer-to")
        }
    }

    // MARK: helpers

    func list(_ name: HeaderName, _ label: String) throws(SIPParseError) -> [NameAddress] {
        var out: [NameAddress] = []
        for f in fields where f.key == name { out.append(contentsOf: try NameAddress.parseList(f.value, header: label)) }
        return out
    }

    func single(_ name: HeaderName, _ label: String) throws(SIPParseError) -> NameAddress {
        try NameAddress(parsing: try singleValue(name, label), header: label)
    }

    func singleValue(_ name: HeaderName, _ label: String) throws(SIPParseError) -> String {
        guard let v = try optionalSingleValue(name, label) else {
            throw SIPParseError(.missingHeader, "missing required header", header: label)
        }
        return v
    }

    func optionalSingleValue(_ name: HeaderName, _ label: String) throws(SIPParseError) -> String? {
        var found: String? = nil
        for f in fields where f.key == name {
            if found != nil { throw SIPParseError(.duplicateHeader, "header must appear only once", header: label) }
            found = f.value
        }
        return found
    }
}
