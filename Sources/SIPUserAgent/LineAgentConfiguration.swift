import SDP
import SIP
import SIPAuth

/// What the line's user agent needs to know: who it is, where it listens, where it registers.
public struct LineAgentConfiguration: Sendable {
    /// The user part of the line's address and contact (the SIP user name or the extension).
    public var user: String
    /// The agent's name, for From headers of outbound calls.
    public var displayName: String?
    /// The address the line listens on and writes into Via and Contact (must be reachable by peers).
    public var local: SIPHop
    /// The registrar; nil means the line only listens.
    public var registrar: SIPURI?
    /// The digest credentials for the registrar (and for calls it challenges).
    public var credentials: DigestCredentials?
    /// The registration lifetime asked for, in seconds.
    public var registerExpires: UInt32
    /// How long to wait before registering again after a failure (doubles up to `maximumRetryDelay`).
    public var retryDelay: Duration
    public var maximumRetryDelay: Duration
    /// The address written into SDP (`c=`, `o=`) for RTP.
    public var mediaHost: String
    /// The product token for User-Agent and Server headers.
    public var product: String
    /// The RFC 3261 timers (T1, T2, T4).
    public var timers: SIPTimers
    /// SIP presence: PUBLISH the agent's presence (RFC 3903) and SUBSCRIBE to `watched`
    /// (RFC 3856) through the registrar, which must be a presence server.
    public var presence: Bool
    /// The colleagues whose presence the line watches.
    public var watched: [SIPURI]
    /// The lifetime asked for publications and subscriptions, in seconds.
    public var presenceExpires: UInt32
    /// Whether a REFER from the other side is accepted (202, then a NOTIFY saying it
    /// succeeded); refused with 603 otherwise, as a contact-center line should.
    public var acceptsTransfers: Bool
    /// The audio codecs offered and answered, in this order of preference (`audio.codecs`).
    public var codecs: [Codec]
    /// The host of the address of record (`sip.domain`); nil: the registrar's.
    public var domainOverride: String?
    /// Where every request outside a dialog goes first (`sip.outbound_proxy`); nil: the registrar.
    public var outboundProxyURI: SIPURI?
    /// Media encryption (`sip.srtp`, already resolved to its default for the transport).
    public var srtp: SRTPPolicy
    /// At most this many calls at once; an INVITE beyond gets 486 without ringing (`sip.max_calls`).
    public var maxCalls: Int
    /// Whose INVITEs are taken while registered (`sip.accept_from`).
    public var acceptFrom: AcceptFrom
    /// How often a keep-alive goes to the registrar's hop while registered (RFC 5626 §4.4.1;
    /// SPEC section 8: 25 s); nil sends none.
    public var keepAliveInterval: Duration?
    /// Whether registration asks its driver to locate the registrar's (or outbound proxy's)
    /// servers (RFC 3263, `LineOutput.locate`) before each round of attempts and fails over
    /// between them; false: the URI's host as written (what the agent's own tests use).
    public var locatesServers = false
    /// How long a REGISTER to one of several located servers may go unanswered before the
    /// next is tried (the last one gets the whole transaction timeout, Timer F).
    public var failoverTimeout: Duration = .seconds(8)

    public init(user: String, displayName: String? = nil, local: SIPHop, registrar: SIPURI? = nil,
                credentials: DigestCredentials? = nil, registerExpires: UInt32 = 600,
                retryDelay: Duration = .seconds(30), maximumRetryDelay: Duration = .seconds(300),
                mediaHost: String? = nil,
                product: String = "softphone", timers: SIPTimers = SIPTimers(), acceptsTransfers: Bool = false,
                presence: Bool = false, watched: [SIPURI] = [], presenceExpires: UInt32 = 600,
                codecs: [Codec] = Codec.all, domain: String? = nil, outboundProxy: SIPURI? = nil,
                srtp: SRTPPolicy = .off, maxCalls: Int = 4, acceptFrom: AcceptFrom = .registrar,
                keepAliveInterval: Duration? = .seconds(25)) {
        self.keepAliveInterval = keepAliveInterval.flatMap { $0 > .zero ? $0 : nil }
        self.domainOverride = domain
        self.outboundProxyURI = outboundProxy
        self.srtp = srtp
        self.maxCalls = max(1, maxCalls)
        self.acceptFrom = acceptFrom
        self.user = user
        self.displayName = displayName
        self.local = local
        self.registrar = registrar
        self.credentials = credentials
        self.registerExpires = registerExpires
        self.retryDelay = retryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.mediaHost = mediaHost ?? local.host
        self.product = product
        self.timers = timers
        self.acceptsTransfers = acceptsTransfers
        self.presence = presence
        self.watched = watched
        self.presenceExpires = presenceExpires
        self.codecs = codecs.isEmpty ? Codec.all : codecs
    }

    /// The domain of the line's address of record: `sip.domain`, else the registrar's, else
    /// the listening host.
    var domain: String {
        if let domainOverride { return domainOverride }
        guard let registrar else { return SIPHop(transport: .udp, host: local.host, port: local.port).hostPort }
        return registrar.port.map { "\(registrar.host):\($0)" } ?? registrar.host
    }

    /// The line's address of record, `sip:user@domain`.
    public var addressOfRecord: SIPURI {
        SIPURI(string: "sip:\(user)@\(domain)") ?? SIPURI(user: user, host: local.host)
    }

    /// The line's own contact address, `sip:user@host:port` (for presence documents).
    public var contactAddress: String { "sip:\(user)@\(local.hostPort)" }

    /// Where requests outside a dialog go: the outbound proxy, else the registrar.
    var outboundProxy: SIPHop? { serverURI.flatMap(SIPHop.init(uri:)) }

    /// The server every request outside a dialog goes to first: the outbound proxy, else the registrar.
    var serverURI: SIPURI? { outboundProxyURI ?? registrar }
}

/// Media encryption with SDES-keyed SRTP (RFC 4568; SPEC section 8).
public enum SRTPPolicy: String, Sendable, Hashable, CaseIterable {
    /// Never offered; an offer with only SRTP is refused.
    case off
    /// Offered and accepted; plain RTP accepted too.
    case optional
    /// Plain RTP refused with 488.
    case mandatory
}

/// Whose INVITEs the line takes while registered (`sip.accept_from`; SPEC section 8).
public enum AcceptFrom: String, Sendable, Hashable, CaseIterable {
    /// Only from the registrar or the outbound proxy; others get 403, without ringing.
    case registrar
    /// From anyone: direct peer-to-peer use.
    case any
}

extension SIPURI {
    /// Parses `text`; nil when it is not a URI.
    init?(string text: String) { self.init(text) }
}
