import SIP

/// The pure rules of RFC 3263 §4 (locating a SIP server) and RFC 2782 (ordering SRV
/// records): what a URI alone decides, which SRV names NAPTR records lead to, and the order
/// in which SRV targets are tried. No I/O; the randomness of SRV weights is passed in.
public enum ServerLocation {
    /// An SRV name to ask and the transport its servers speak.
    public struct Service: Hashable, Sendable, CustomStringConvertible {
        public var name: String
        public var transport: SIPTransportKind
        public init(name: String, transport: SIPTransportKind) {
            self.name = name
            self.transport = transport
        }
        public var description: String { name }
    }

    /// What the URI alone decides (§4.1, §4.2).
    public enum Plan: Hashable, Sendable {
        /// An IP address: no DNS at all.
        case hops([SIPHop])
        /// An explicit port on a host name: only its addresses (A/AAAA).
        case addresses(host: String, port: Int, transport: SIPTransportKind)
        /// An explicit transport on a host name without port: SRV of that transport, then A/AAAA.
        case services([Service], host: String, transport: SIPTransportKind)
        /// Neither: NAPTR of the domain first.
        case naptr(domain: String, secure: Bool)
        /// The URI names nothing this line can reach (another scheme, a transport we lack).
        case unusable(String)
    }

    /// At most this many targets are tried in one round.
    public static let maximumTargets = 16

    /// The default port of a transport: 5061 for TLS, else 5060.
    public static func defaultPort(_ transport: SIPTransportKind) -> Int {
        transport.rawValue == "tls" ? 5061 : 5060
    }

    /// The transport an URI's `transport=` parameter (or a NAPTR service) names, among those
    /// the line speaks; nil for others.
    static func transport(_ token: String) -> SIPTransportKind? { SIPTransportKind(token: token) }

    /// What the URI alone decides: an IP literal or an explicit port skips NAPTR and SRV.
    public static func plan(for uri: SIPURI) -> Plan {
        guard uri.isSIP else { return .unusable("\(uri) is not a SIP URI") }
        let secure = uri.scheme == "sips"
        let host = unbracketed(uri.maddr ?? uri.host)
        guard !host.isEmpty else { return .unusable("\(uri) names no host") }
        var chosen: SIPTransportKind?
        if let token = uri.transport {
            guard let transport = transport(token) else { return .unusable("transport \(token) is not supported") }
            chosen = transport
        }
        if secure {
            guard let tls = transport("tls") else { return .unusable("\(uri) needs TLS, which this line does not speak") }
            // `sips:…;transport=tcp` is RFC 3261's own way to write TLS over TCP (§19.1.2).
            if let chosen, chosen != tls, chosen != .tcp { return .unusable("a sips: URI needs TLS, not \(chosen.viaToken)") }
            chosen = tls
        }
        if isIPLiteral(host) {
            let transport = chosen ?? .udp
            return .hops([SIPHop(transport: transport, host: host, port: Int(uri.port ?? UInt16(defaultPort(transport))))])
        }
        if let port = uri.port {
            return .addresses(host: host, port: Int(port), transport: chosen ?? .udp)
        }
        if let chosen, uri.transport != nil {
            return .services([service(domain: host, transport: chosen, secure: secure)], host: host, transport: chosen)
        }
        return .naptr(domain: host, secure: secure)
    }

    /// The SRV names the NAPTR records of a domain lead to (§4.1): services we speak
    /// (`SIP+D2U`, `SIP+D2T`, `SIPS+D2T`; only `SIPS+` for a sips: URI) with the `s` flag,
    /// by order then preference.
    public static func services(from records: [NAPTRRecord], secure: Bool) -> [Service] {
        let usable = records.compactMap { record -> (NAPTRRecord, SIPTransportKind)? in
            guard record.flags.lowercased() == "s", !record.replacement.isEmpty, record.replacement != "." else { return nil }
            let service = record.service.uppercased()
            let token: String
            switch service {
            case "SIP+D2U" where !secure: token = "udp"
            case "SIP+D2T" where !secure: token = "tcp"
            case "SIPS+D2T": token = "tls"
            default: return nil
            }
            guard let transport = transport(token) else { return nil }
            return (record, transport)
        }
        let sorted = usable.enumerated().sorted { a, b in
            (a.element.0.order, a.element.0.preference, a.offset) < (b.element.0.order, b.element.0.preference, b.offset)
        }
        var seen = Set<Service>()
        return sorted.compactMap { _, pair in
            let service = Service(name: trimmedDot(pair.0.replacement), transport: pair.1)
            return seen.insert(service).inserted ? service : nil
        }
    }

    /// Without NAPTR records (§4.1): the SRV names of the transports we speak, UDP before TCP
    /// for sip:, TLS for sips:.
    public static func fallbackServices(domain: String, secure: Bool) -> [Service] {
        let tokens = secure ? ["tls"] : ["udp", "tcp"]
        return tokens.compactMap { token in
            transport(token).map { service(domain: domain, transport: $0, secure: secure) }
        }
    }

    /// `_sip._udp.domain`, `_sip._tcp.domain` or `_sips._tcp.domain`.
    static func service(domain: String, transport: SIPTransportKind, secure: Bool) -> Service {
        let tls = transport.rawValue == "tls"
        let proto = transport == .udp ? "_udp" : "_tcp"
        return Service(name: "\(secure || tls ? "_sips" : "_sip").\(proto).\(trimmedDot(domain))", transport: transport)
    }

    /// The order to try SRV records in (RFC 2782): priority ascending; within a priority, a
    /// weighted random order (a record's chance to come next is its share of the remaining
    /// weight; weight-0 records first in the running sums, so they rarely lead). A `.` target
    /// (no service) is dropped.
    public static func order<Random: RandomNumberGenerator>(_ records: [SRVRecord], using random: inout Random) -> [SRVRecord] {
        let live = records.filter { trimmedDot($0.target) != "" }
        let priorities = Set(live.map(\.priority)).sorted()
        var ordered: [SRVRecord] = []
        for priority in priorities {
            var group = live.filter { $0.priority == priority }
            // Zero weights first, as RFC 2782 says, then the rest as given.
            group = group.filter { $0.weight == 0 } + group.filter { $0.weight != 0 }
            while !group.isEmpty {
                let total = group.reduce(UInt64(0)) { $0 + UInt64($1.weight) }
                // A uniform draw in 0...total (the modulo bias is below 2^-48 for 16-bit weights).
                let pick = total == 0 ? 0 : random.next() % (total + 1)
                var sum: UInt64 = 0
                var index = group.count - 1
                for (i, record) in group.enumerated() {
                    sum += UInt64(record.weight)
                    if sum >= pick { index = i; break }
                }
                ordered.append(group.remove(at: index))
            }
        }
        return ordered
    }

    /// Whether `host` is an IPv4 dotted quad or an IPv6 address (brackets removed).
    public static func isIPLiteral(_ host: String) -> Bool {
        let host = unbracketed(host)
        if host.contains(":") { return host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && (Int(part) ?? 256) <= 255
        }
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// A name without its trailing root dot (`example.com.` → `example.com`; `.` → empty).
    static func trimmedDot(_ name: String) -> String {
        name.hasSuffix(".") ? String(name.dropLast()) : name
    }
}
