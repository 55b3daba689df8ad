import SIP

/// Why an INVITE was refused before any call state existed (SPEC section 8, "Inbound call
/// policy"): neither rings, neither is recorded, neither reaches the core as a call.
public enum InboundRefusalReason: String, Hashable, Sendable, CaseIterable {
    /// Registered with `accept_from = "registrar"`, and the INVITE came from another address: 403.
    case notFromRegistrar
    /// `max_calls` calls were already in progress: 486.
    case tooManyCalls

    /// The status of the stateless answer.
    public var status: Int {
        switch self {
        case .notFromRegistrar: 403
        case .tooManyCalls: 486
        }
    }
}

/// The INVITEs refused in one summary window, as the Log reports them: one source (and one
/// reason), or every source beyond those listed.
public struct InboundRefusals: Hashable, Sendable {
    /// The address the INVITEs came from; nil for the line about the other sources.
    public var source: String?
    /// How many sources: 1 for a named source; for the others, how many were told apart
    /// (a lower bound when `moreSources`).
    public var sources: Int
    /// Whether there were more other sources than the tally keeps apart.
    public var moreSources: Bool
    /// How many INVITEs were refused.
    public var count: Int
    /// Why; nil for the other sources (their reasons may differ).
    public var reason: InboundRefusalReason?
    /// The length of the window.
    public var window: Duration

    public init(source: String?, sources: Int = 1, moreSources: Bool = false, count: Int,
                reason: InboundRefusalReason?, window: Duration) {
        self.source = source
        self.sources = sources
        self.moreSources = moreSources
        self.count = count
        self.reason = reason
        self.window = window
    }
}

/// The inbound policy, checked for an INVITE outside any dialog before a transaction or a
/// call leg exists. Pure: the caller says whether the line is registered, which addresses
/// are the registrar's, and how many calls are in progress.
enum InboundPolicy {
    /// The refusal for an INVITE from `source`, or nil to take it.
    static func refusal(source: String, registered: Bool, acceptFrom: AcceptFrom, trusted: some Sequence<String>,
                        callsInProgress: Int, maxCalls: Int) -> InboundRefusalReason? {
        if registered, acceptFrom == .registrar, !trusted.contains(where: { sameHost($0, source) }) {
            return .notFromRegistrar
        }
        if callsInProgress >= maxCalls { return .tooManyCalls }
        return nil
    }

    /// Whether two host texts name the same address (case aside, IPv6 brackets aside).
    static func sameHost(_ a: String, _ b: String) -> Bool {
        func plain(_ host: String) -> Substring {
            host.hasPrefix("[") && host.hasSuffix("]") ? host.dropFirst().dropLast() : Substring(host)
        }
        return plain(a).lowercased() == plain(b).lowercased()
    }

    /// Whether `host` is an IP address literal (IPv4 dotted quad or IPv6), not a host name.
    static func isAddressLiteral(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && (Int(part) ?? 256) <= 255
        }
    }

    /// A To tag for a stateless answer: the same for every retransmission of the request
    /// (RFC 3261 §8.2.7 asks a stateless UAS to answer a retransmission alike), unguessable
    /// without `salt` (FNV-1a over the Call-ID, From tag and branch).
    static func statelessTag(_ request: SIPRequest, salt: UInt64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        func mix(_ text: String?) {
            for byte in (text ?? "").utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            hash ^= 0xFF
            hash = hash &* 0x0000_0100_0000_01B3
        }
        mix(request.headers.callID)
        mix((try? request.headers.from.tag) ?? nil)
        mix((try? request.headers.topVia)?.branch)
        return "sl" + String(hash, radix: 36)
    }
}

/// Refused INVITEs counted by source and reason for the Log's summary, one window at a time.
/// Memory is bounded whatever arrives: at most `trackedSources` sources are counted one by
/// one; the rest are counted together, and told apart only up to `countedOtherSources`.
struct RefusalTally: Sendable {
    /// How long a window lasts: it opens with the first refusal and is summarised when it ends.
    static let window: Duration = .seconds(10)
    /// Sources counted one by one in a window.
    static let trackedSources = 1_000
    /// Sources given a Log line of their own (the most refused); the rest share one line.
    static let listedSources = 10
    /// Other sources told apart (to say how many there were).
    static let countedOtherSources = 10_000

    private struct Key: Hashable, Sendable {
        var source: String
        var reason: InboundRefusalReason
    }

    private var counts: [Key: Int] = [:]
    private var tracked: Set<String> = []
    private var others: Set<String> = []
    private var moreOthers = false
    private var otherCount = 0
    /// Whether a window is open (its summary timer runs).
    private(set) var isOpen = false

    /// How many sources are held, for tests: never more than the caps.
    var heldSources: Int { tracked.count + others.count }

    /// Counts one refusal; true when it opened a window (the caller starts its timer).
    mutating func count(source: String, reason: InboundRefusalReason) -> Bool {
        defer { isOpen = true }
        if tracked.contains(source) || tracked.count < Self.trackedSources {
            tracked.insert(source)
            counts[Key(source: source, reason: reason), default: 0] += 1
        } else {
            otherCount += 1
            if others.count < Self.countedOtherSources {
                others.insert(source)
            } else if !others.contains(source) {
                moreOthers = true
            }
        }
        return !isOpen
    }

    /// Ends the window: one summary per listed source and reason (most refused first), and
    /// one for the rest; the tally is empty again.
    mutating func close() -> [InboundRefusals] {
        defer { self = RefusalTally() }
        let ranked = counts.sorted { ($1.value, $0.key.source, $0.key.reason.rawValue) < ($0.value, $1.key.source, $1.key.reason.rawValue) }
        var summaries = ranked.prefix(Self.listedSources).map {
            InboundRefusals(source: $0.key.source, count: $0.value, reason: $0.key.reason, window: Self.window)
        }
        let listed = Set(summaries.compactMap(\.source))
        var restSources = others
        var restCount = otherCount
        for (key, count) in ranked.dropFirst(Self.listedSources) {
            restCount += count
            if !listed.contains(key.source) { restSources.insert(key.source) }
        }
        if restCount > 0 {
            summaries.append(InboundRefusals(source: nil, sources: restSources.count, moreSources: moreOthers,
                                             count: restCount, reason: nil, window: Self.window))
        }
        return summaries
    }
}
