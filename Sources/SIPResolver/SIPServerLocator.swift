import SIP

/// The servers found for a URI, in the order to try them, and how they were found (for the Log).
public struct LocatedServers: Hashable, Sendable {
    public var hops: [SIPHop]
    /// The steps taken, in words: `NAPTR pbx.test → _sip._udp.pbx.test → UDP 127.0.0.5:5060, …`.
    public var how: String

    public init(hops: [SIPHop], how: String) {
        self.hops = hops
        self.how = how
    }
}

/// Why no server was found for a URI, in words: short (for the status bar), and the whole
/// trail of what was asked (for the Log).
public struct LocationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The last thing that failed: `no records`, `no answer from the DNS server`, ….
    public var reason: String
    /// Every step and its failure: `NAPTR pbx.test (no records) → no SRV → pbx.test:5060 → …`.
    public var trail: String
    public init(_ reason: String, trail: String? = nil) {
        self.reason = reason
        self.trail = trail ?? reason
    }
    public var description: String { trail }
}

/// RFC 3263 §4 server location: a SIP URI → the hops to try, in order. An IP address or an
/// explicit port skips NAPTR and SRV; otherwise NAPTR (the transports the domain offers) →
/// SRV (priority, then weight at random) → A/AAAA of each target. The rules are
/// `ServerLocation`'s (pure); the queries go to `lookup`. Blocking: call it off any event
/// loop (each query is bounded by the lookup's timeouts).
///
/// A TLS target keeps its host name (the transport resolves it and checks the certificate
/// against it); UDP and TCP targets become one hop per address.
public struct SIPServerLocator<Lookup: DNSLookup>: Sendable {
    public let lookup: Lookup

    public init(lookup: Lookup) { self.lookup = lookup }

    public func locate<Random: RandomNumberGenerator>(_ uri: SIPURI, using random: inout Random)
        -> Result<LocatedServers, LocationFailure> {
        switch ServerLocation.plan(for: uri) {
        case .unusable(let reason):
            return .failure(LocationFailure(reason))
        case .hops(let hops):
            return .success(LocatedServers(hops: hops, how: "\(uri.host) is an address"))
        case .addresses(let host, let port, let transport):
            return addressesOnly(host: host, port: port, transport: transport, steps: ["\(host):\(port)"])
        case .services(let services, let host, let transport):
            return viaSRV(services, host: host, fallback: transport, steps: [], using: &random)
        case .naptr(let domain, let secure):
            var steps = ["NAPTR \(domain)"]
            var services: [ServerLocation.Service] = []
            switch lookup.naptr(domain) {
            case .success(let records):
                services = ServerLocation.services(from: records, secure: secure)
                if services.isEmpty { steps[0] += " (none usable)" }
            case .failure(let failure):
                steps[0] += " (\(failure))"
            }
            if services.isEmpty { services = ServerLocation.fallbackServices(domain: domain, secure: secure) }
            guard let first = services.first else {
                return .failure(LocationFailure("no transport this line speaks for \(uri)"))
            }
            return viaSRV(services, host: domain, fallback: secure ? first.transport : .udp, steps: steps, using: &random)
        }
    }

    /// SRV of `services` in order; without any SRV record, the host's own addresses on the
    /// default port of `fallback` (§4.2).
    private func viaSRV<Random: RandomNumberGenerator>(_ services: [ServerLocation.Service], host: String,
                                                       fallback: SIPTransportKind, steps: [String],
                                                       using random: inout Random) -> Result<LocatedServers, LocationFailure> {
        var steps = steps
        let answers = lookup.srv(services.map(\.name))
        var targets: [(host: String, port: Int, transport: SIPTransportKind)] = []
        var failures: [String] = []
        var last: DNSFailure?
        for service in services {
            switch answers[service.name] ?? .failure(.noRecords) {
            case .success(let records):
                let ordered = ServerLocation.order(records, using: &random)
                if !ordered.isEmpty { steps.append("SRV \(service.name)") }
                for record in ordered {
                    targets.append((ServerLocation.trimmedDot(record.target), Int(record.port), service.transport))
                }
            case .failure(.noRecords):
                break
            case .failure(let failure):
                failures.append("SRV \(service.name): \(failure)")
                last = failure
            }
        }
        if targets.isEmpty {
            steps.append("no SRV" + (failures.isEmpty ? "" : " (\(failures.joined(separator: "; ")))"))
            let port = ServerLocation.defaultPort(fallback)
            steps.append("\(host):\(port)")
            return addressesOnly(host: host, port: port, transport: fallback, steps: steps)
        }
        let names = targets.filter { !keepsName($0.transport) && !ServerLocation.isIPLiteral($0.host) }.map(\.host)
        let addresses = names.isEmpty ? [:] : lookup.addresses(Array(Set(names)).sorted())
        var hops: [SIPHop] = []
        for target in targets {
            if keepsName(target.transport) || ServerLocation.isIPLiteral(target.host) {
                hops.append(SIPHop(transport: target.transport, host: target.host, port: target.port))
                continue
            }
            switch addresses[target.host] ?? .failure(.noRecords) {
            case .success(let list):
                hops += list.map { SIPHop(transport: target.transport, host: $0, port: target.port) }
            case .failure(let failure):
                failures.append("\(target.host): \(failure)")
                last = failure
            }
        }
        return finish(hops, steps: steps, failures: failures, last: last)
    }

    private func addressesOnly(host: String, port: Int, transport: SIPTransportKind, steps: [String])
        -> Result<LocatedServers, LocationFailure> {
        if keepsName(transport) {
            return finish([SIPHop(transport: transport, host: host, port: port)], steps: steps, failures: [])
        }
        switch lookup.addresses([host])[host] ?? .failure(.noRecords) {
        case .success(let list):
            return finish(list.map { SIPHop(transport: transport, host: $0, port: port) }, steps: steps, failures: [])
        case .failure(let failure):
            return finish([], steps: steps, failures: ["\(host): \(failure)"], last: failure)
        }
    }

    private func finish(_ hops: [SIPHop], steps: [String], failures: [String], last: DNSFailure? = nil)
        -> Result<LocatedServers, LocationFailure> {
        var unique: [SIPHop] = []
        for hop in hops where !unique.contains(hop) && unique.count < ServerLocation.maximumTargets { unique.append(hop) }
        guard !unique.isEmpty else {
            return .failure(LocationFailure((last ?? .noRecords).description,
                                            trail: (steps + failures).joined(separator: " → ")))
        }
        let how = (steps + [unique.map(\.description).joined(separator: ", ")]).joined(separator: " → ")
        return .success(LocatedServers(hops: unique, how: how))
    }

    /// TLS hops keep the server's name: the certificate is checked against it.
    private func keepsName(_ transport: SIPTransportKind) -> Bool { transport.rawValue == "tls" }
}
