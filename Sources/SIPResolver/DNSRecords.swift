/// A NAPTR record (RFC 3403) as RFC 3263 §4.1 reads it: which transports a SIP domain
/// offers, in which order, and the SRV name to ask next for each.
public struct NAPTRRecord: Hashable, Sendable {
    public var order: UInt16
    public var preference: UInt16
    /// `s` (the replacement is an SRV name), `a`, `u`, `p` or empty.
    public var flags: String
    /// `SIP+D2U`, `SIP+D2T`, `SIPS+D2T`, … (case-insensitive).
    public var service: String
    public var regexp: String
    /// The next name to look up (`_sip._udp.example.com`).
    public var replacement: String

    public init(order: UInt16, preference: UInt16, flags: String, service: String, regexp: String = "",
                replacement: String) {
        self.order = order
        self.preference = preference
        self.flags = flags
        self.service = service
        self.regexp = regexp
        self.replacement = replacement
    }
}

/// An SRV record (RFC 2782): one server of a service.
public struct SRVRecord: Hashable, Sendable {
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    /// The server's host name; `.` means the service is decidedly not available here.
    public var target: String

    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// Why a DNS query gave no records.
public enum DNSFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name exists with no records of the type, or does not exist (NODATA, NXDOMAIN).
    case noRecords
    /// The server did not answer in time.
    case timeout
    /// Anything else (refused, server failure, bad answer, no servers), in words.
    case failed(String)

    public var description: String {
        switch self {
        case .noRecords: "no records"
        case .timeout: "no answer from the DNS server"
        case .failed(let reason): reason
        }
    }
}

/// The DNS queries server location needs. `CAresLookup` asks real servers; tests give records.
/// Each call blocks until every name is answered or has failed, within bounded timeouts: call
/// it off any event loop.
public protocol DNSLookup: Sendable {
    func naptr(_ name: String) -> Result<[NAPTRRecord], DNSFailure>
    /// SRV records of several names at once (asked in parallel).
    func srv(_ names: [String]) -> [String: Result<[SRVRecord], DNSFailure>]
    /// IPv4 and IPv6 addresses (as text, IPv6 without brackets) of several hosts at once.
    func addresses(_ hosts: [String]) -> [String: Result<[String], DNSFailure>]
}
