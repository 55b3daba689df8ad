import SIP
import Testing
@testable import SIPResolver

/// Always draws 0: the first record whose running weight sum reaches 0 comes next.
struct ZeroGenerator: RandomNumberGenerator {
    mutating func next() -> UInt64 { 0 }
}

/// SplitMix64 with a seed, for repeatable weighted orders.
struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Records given by the test; every name asked is remembered.
final class FakeDNS: DNSLookup, @unchecked Sendable {
    var naptrs: [String: Result<[NAPTRRecord], DNSFailure>] = [:]
    var srvs: [String: Result<[SRVRecord], DNSFailure>] = [:]
    var hosts: [String: Result<[String], DNSFailure>] = [:]
    private(set) var asked: [String] = []

    func naptr(_ name: String) -> Result<[NAPTRRecord], DNSFailure> {
        asked.append("NAPTR \(name)")
        return naptrs[name] ?? .failure(.noRecords)
    }

    func srv(_ names: [String]) -> [String: Result<[SRVRecord], DNSFailure>] {
        var out: [String: Result<[SRVRecord], DNSFailure>] = [:]
        for name in names {
            asked.append("SRV \(name)")
            out[name] = srvs[name] ?? .failure(.noRecords)
        }
        return out
    }

    func addresses(_ names: [String]) -> [String: Result<[String], DNSFailure>] {
        var out: [String: Result<[String], DNSFailure>] = [:]
        for name in names {
            asked.append("A/AAAA \(name)")
            out[name] = hosts[name] ?? .failure(.noRecords)
        }
        return out
    }
}

func uri(_ text: String) -> SIPURI { SIPURI(text)! }
func udp(_ host: String, _ port: Int = 5060) -> SIPHop { SIPHop(transport: .udp, host: host, port: port) }
func tcp(_ host: String, _ port: Int = 5060) -> SIPHop { SIPHop(transport: .tcp, host: host, port: port) }
let tlsSpoken = SIPTransportKind(token: "tls") != nil

@Suite("RFC 3263 server location: the rules")
struct ServerLocationRuleTests {
    @Test("an IP address needs no DNS: its port or 5060, its transport or UDP")
    func ipLiterals() {
        #expect(ServerLocation.plan(for: uri("sip:192.0.2.1")) == .hops([udp("192.0.2.1")]))
        #expect(ServerLocation.plan(for: uri("sip:192.0.2.1:5070;transport=tcp")) == .hops([tcp("192.0.2.1", 5070)]))
        #expect(ServerLocation.plan(for: uri("sip:[2001:db8::1]:5080")) == .hops([udp("2001:db8::1", 5080)]))
        #expect(ServerLocation.plan(for: uri("sip:pbx.test;maddr=192.0.2.9")) == .hops([udp("192.0.2.9")]))
    }

    @Test("an explicit port on a name: only its addresses; an explicit transport: SRV of that transport")
    func explicitPortOrTransport() {
        #expect(ServerLocation.plan(for: uri("sip:pbx.test:5080")) == .addresses(host: "pbx.test", port: 5080, transport: .udp))
        #expect(ServerLocation.plan(for: uri("sip:pbx.test:5080;transport=tcp"))
            == .addresses(host: "pbx.test", port: 5080, transport: .tcp))
        #expect(ServerLocation.plan(for: uri("sip:pbx.test;transport=tcp"))
            == .services([.init(name: "_sip._tcp.pbx.test", transport: .tcp)], host: "pbx.test", transport: .tcp))
        #expect(ServerLocation.plan(for: uri("sip:pbx.test")) == .naptr(domain: "pbx.test", secure: false))
    }

    @Test("what the line cannot reach is said in words")
    func unusable() {
        if case .unusable(let why) = ServerLocation.plan(for: uri("sip:pbx.test;transport=sctp")) {
            #expect(why.contains("sctp"))
        } else { Issue.record("sctp accepted") }
        if case .unusable = ServerLocation.plan(for: uri("tel:+4930123")) {} else { Issue.record("tel: accepted") }
        if tlsSpoken {
            #expect(ServerLocation.plan(for: uri("sips:pbx.test")) == .naptr(domain: "pbx.test", secure: true))
            // RFC 3261's own spelling of TLS over TCP.
            #expect(ServerLocation.plan(for: uri("sips:192.0.2.1;transport=tcp"))
                    == .hops([SIPHop(transport: .tls, host: "192.0.2.1", port: 5061)]))
        } else if case .unusable(let why) = ServerLocation.plan(for: uri("sips:pbx.test")) {
            #expect(why.contains("TLS"))
        } else { Issue.record("sips: accepted without TLS") }
    }

    @Test("NAPTR: services we speak with the s flag, by order then preference")
    func naptrOrder() {
        let records = [
            NAPTRRecord(order: 20, preference: 10, flags: "s", service: "SIP+D2U", replacement: "_sip._udp.pbx.test."),
            NAPTRRecord(order: 10, preference: 20, flags: "S", service: "SIP+D2T", replacement: "_sip._tcp.pbx.test"),
            NAPTRRecord(order: 10, preference: 30, flags: "s", service: "SIP+D2S", replacement: "_sip._sctp.pbx.test"),
            NAPTRRecord(order: 10, preference: 5, flags: "u", service: "E2U+sip", regexp: "!^.*$!sip:x@y!", replacement: "."),
            NAPTRRecord(order: 15, preference: 10, flags: "s", service: "SIPS+D2T", replacement: "_sips._tcp.pbx.test"),
        ]
        let services = ServerLocation.services(from: records, secure: false)
        var expected: [ServerLocation.Service] = [.init(name: "_sip._tcp.pbx.test", transport: .tcp)]
        if let tls = SIPTransportKind(token: "tls") { expected.append(.init(name: "_sips._tcp.pbx.test", transport: tls)) }
        expected.append(.init(name: "_sip._udp.pbx.test", transport: .udp))
        #expect(services == expected)
        // A sips: URI takes only SIPS+ services.
        #expect(ServerLocation.services(from: records, secure: true).map(\.name) == (tlsSpoken ? ["_sips._tcp.pbx.test"] : []))
    }

    @Test("without NAPTR: SRV of UDP then TCP")
    func fallbackServices() {
        #expect(ServerLocation.fallbackServices(domain: "pbx.test", secure: false)
            == [.init(name: "_sip._udp.pbx.test", transport: .udp), .init(name: "_sip._tcp.pbx.test", transport: .tcp)])
    }

    @Test("SRV: priority ascending; a dead target (.) dropped")
    func srvPriority() {
        var random = ZeroGenerator()
        let ordered = ServerLocation.order([
            SRVRecord(priority: 20, weight: 0, port: 5060, target: "c.pbx.test"),
            SRVRecord(priority: 10, weight: 0, port: 5060, target: "a.pbx.test"),
            SRVRecord(priority: 5, weight: 0, port: 5060, target: "."),
            SRVRecord(priority: 15, weight: 0, port: 5060, target: "b.pbx.test"),
        ], using: &random)
        #expect(ordered.map(\.target) == ["a.pbx.test", "b.pbx.test", "c.pbx.test"])
    }

    @Test("SRV weights (RFC 2782): a draw of 0 picks weight-0 records first; the order follows the injected draws")
    func srvWeights() {
        let records = [
            SRVRecord(priority: 10, weight: 60, port: 5060, target: "heavy"),
            SRVRecord(priority: 10, weight: 0, port: 5060, target: "zero"),
            SRVRecord(priority: 10, weight: 40, port: 5060, target: "light"),
        ]
        var zero = ZeroGenerator()
        #expect(ServerLocation.order(records, using: &zero).map(\.target) == ["zero", "heavy", "light"])
        // The same seed gives the same order; over many seeds the heavier leads more often.
        var a = Seeded(state: 42), b = Seeded(state: 42)
        #expect(ServerLocation.order(records, using: &a) == ServerLocation.order(records, using: &b))
        var heavyFirst = 0, lightFirst = 0
        for seed in 0..<1000 {
            var random = Seeded(state: UInt64(seed))
            let first = ServerLocation.order(records, using: &random).first?.target
            if first == "heavy" { heavyFirst += 1 }
            if first == "light" { lightFirst += 1 }
        }
        #expect(heavyFirst > lightFirst)
        #expect(lightFirst > 200)
        #expect(heavyFirst + lightFirst > 960)  // weight 0 leads only on a draw of exactly 0
    }

    @Test("IP literals are told from names")
    func literals() {
        #expect(ServerLocation.isIPLiteral("127.0.0.1"))
        #expect(ServerLocation.isIPLiteral("[::1]"))
        #expect(ServerLocation.isIPLiteral("2001:db8::5"))
        #expect(!ServerLocation.isIPLiteral("pbx.test"))
        #expect(!ServerLocation.isIPLiteral("1.2.3"))
        #expect(!ServerLocation.isIPLiteral("1.2.3.400"))
        #expect(!ServerLocation.isIPLiteral("cafe"))
    }
}

@Suite("RFC 3263 server location: the queries")
struct SIPServerLocatorTests {
    @Test("NAPTR → SRV → A/AAAA: targets in order, one hop per address")
    func fullChain() throws {
        let dns = FakeDNS()
        dns.naptrs["pbx.test"] = .success([
            NAPTRRecord(order: 10, preference: 10, flags: "s", service: "SIP+D2U", replacement: "_sip._udp.pbx.test"),
            NAPTRRecord(order: 20, preference: 10, flags: "s", service: "SIP+D2T", replacement: "_sip._tcp.pbx.test"),
        ])
        dns.srvs["_sip._udp.pbx.test"] = .success([
            SRVRecord(priority: 20, weight: 0, port: 5070, target: "kam2.pbx.test."),
            SRVRecord(priority: 10, weight: 0, port: 5060, target: "kam1.pbx.test."),
        ])
        dns.srvs["_sip._tcp.pbx.test"] = .success([SRVRecord(priority: 10, weight: 0, port: 5060, target: "kam1.pbx.test")])
        dns.hosts["kam1.pbx.test"] = .success(["127.0.0.5", "::5"])
        dns.hosts["kam2.pbx.test"] = .success(["127.0.0.6"])
        var random = ZeroGenerator()
        let found = try SIPServerLocator(lookup: dns).locate(uri("sip:pbx.test"), using: &random).get()
        #expect(found.hops == [udp("127.0.0.5"), udp("::5"), udp("127.0.0.6", 5070), tcp("127.0.0.5"), tcp("::5")])
        #expect(found.how.hasPrefix("NAPTR pbx.test → SRV _sip._udp.pbx.test → SRV _sip._tcp.pbx.test → UDP 127.0.0.5:5060"))
    }

    @Test("no NAPTR: SRV of UDP and TCP; no SRV either: the domain's own addresses on 5060")
    func fallbacks() throws {
        let dns = FakeDNS()
        dns.srvs["_sip._tcp.pbx.test"] = .success([SRVRecord(priority: 1, weight: 0, port: 5062, target: "kam.pbx.test")])
        dns.hosts["kam.pbx.test"] = .success(["192.0.2.7"])
        var random = ZeroGenerator()
        let viaSRV = try SIPServerLocator(lookup: dns).locate(uri("sip:pbx.test"), using: &random).get()
        #expect(viaSRV.hops == [tcp("192.0.2.7", 5062)])
        #expect(dns.asked == ["NAPTR pbx.test", "SRV _sip._udp.pbx.test", "SRV _sip._tcp.pbx.test", "A/AAAA kam.pbx.test"])

        let bare = FakeDNS()
        bare.hosts["pbx.test"] = .success(["192.0.2.8"])
        let viaA = try SIPServerLocator(lookup: bare).locate(uri("sip:pbx.test"), using: &random).get()
        #expect(viaA.hops == [udp("192.0.2.8")])
        #expect(viaA.how.contains("no SRV"))
    }

    @Test("an explicit port asks only for addresses; an IP address asks nothing")
    func shortcuts() throws {
        let dns = FakeDNS()
        dns.hosts["pbx.test"] = .success(["192.0.2.8"])
        var random = ZeroGenerator()
        let port = try SIPServerLocator(lookup: dns).locate(uri("sip:pbx.test:5099;transport=tcp"), using: &random).get()
        #expect(port.hops == [tcp("192.0.2.8", 5099)])
        #expect(dns.asked == ["A/AAAA pbx.test"])
        let literal = try SIPServerLocator(lookup: dns).locate(uri("sip:192.0.2.4"), using: &random).get()
        #expect(literal.hops == [udp("192.0.2.4")])
        #expect(dns.asked.count == 1)
    }

    @Test("an explicit transport skips NAPTR and asks SRV of that transport only")
    func explicitTransport() throws {
        let dns = FakeDNS()
        dns.srvs["_sip._tcp.pbx.test"] = .success([SRVRecord(priority: 1, weight: 0, port: 5060, target: "192.0.2.30")])
        var random = ZeroGenerator()
        let found = try SIPServerLocator(lookup: dns).locate(uri("sip:pbx.test;transport=tcp"), using: &random).get()
        #expect(found.hops == [tcp("192.0.2.30")])
        #expect(dns.asked == ["SRV _sip._tcp.pbx.test"])
    }

    @Test("nothing found: a failure that says what was asked and why it failed")
    func nothing() {
        let dns = FakeDNS()
        dns.naptrs["pbx.test"] = .failure(.timeout)
        dns.hosts["pbx.test"] = .failure(.failed("server failure"))
        var random = ZeroGenerator()
        let result = SIPServerLocator(lookup: dns).locate(uri("sip:pbx.test"), using: &random)
        guard case .failure(let failure) = result else { Issue.record("found \(result)"); return }
        #expect(failure.trail.contains("NAPTR pbx.test (no answer from the DNS server)"))
        #expect(failure.trail.contains("pbx.test: server failure"))
        #expect(failure.reason == "server failure")
    }

    @Test("an SRV target whose name does not resolve is skipped; the others stay")
    func unresolvedTarget() throws {
        let dns = FakeDNS()
        dns.srvs["_sip._udp.pbx.test"] = .success([
            SRVRecord(priority: 1, weight: 0, port: 5060, target: "gone.pbx.test"),
            SRVRecord(priority: 2, weight: 0, port: 5060, target: "kam.pbx.test"),
        ])
        dns.hosts["kam.pbx.test"] = .success(["192.0.2.7"])
        var random = ZeroGenerator()
        let found = try SIPServerLocator(lookup: dns).locate(uri("sip:pbx.test"), using: &random).get()
        #expect(found.hops == [udp("192.0.2.7")])
    }
}
