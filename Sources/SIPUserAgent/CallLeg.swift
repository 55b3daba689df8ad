import SDP
import SIP

/// The dialog state of RFC 3261 §12: tags, URIs, the remote target, the route set, CSeqs.
struct Dialog: Sendable {
    var callID: String
    var localTag: String
    /// Nil until the other side has answered with a tag (outbound, before any response).
    var remoteTag: String?
    /// Our From (outbound) or To (inbound) address, without the tag.
    var localAddress: NameAddress
    /// The other side's address, without the tag.
    var remoteAddress: NameAddress
    /// Where in-dialog requests go: the other side's Contact.
    var remoteTarget: SIPURI
    /// Record-Route, in the order requests must carry it.
    var routeSet: [NameAddress] = []
    var localSequence: UInt32
    var remoteSequence: UInt32?
    /// The transport of the dialog's requests when the target does not say.
    var transport: SIPTransportKind

    /// `From`/`To` values with their tags.
    var localHeader: String { tagged(localAddress, localTag) }
    var remoteHeader: String { remoteTag.map { tagged(remoteAddress, $0) } ?? remoteAddress.description }

    private func tagged(_ address: NameAddress, _ tag: String) -> String {
        var a = address
        a.parameters.set("tag", tag)
        return a.description
    }

    /// The Request-URI, Route headers and next hop of an in-dialog request (§12.2.1.1):
    /// loose routing when the first route has `lr`, strict routing otherwise.
    func routing() -> (uri: SIPURI, routes: [String], hop: SIPHop?) {
        guard let first = routeSet.first else {
            return (remoteTarget, [], hop(for: remoteTarget))
        }
        if first.uri.isLooseRouting {
            return (remoteTarget, routeSet.map(\.description), hop(for: first.uri))
        }
        var uri = first.uri
        uri.headers = []
        let rest = routeSet.dropFirst().map(\.description) + [NameAddress(uri: remoteTarget).description]
        return (uri, rest, hop(for: uri))
    }

    private func hop(for uri: SIPURI) -> SIPHop? {
        guard var hop = SIPHop(uri: uri) else { return nil }
        if uri.transport == nil, uri.scheme == "sip" {
            hop.transport = transport
            if uri.port == nil { hop.port = transport.defaultPort }
        }
        return hop
    }
}

/// One call on the line, inbound or outbound, from the first INVITE until it is over.
struct CallLeg: Sendable {
    enum Phase: Sendable, Equatable {
        /// Inbound: reported to the core, waiting for its decision.
        case offered
        /// Inbound: 180 sent, the agent's phone rings.
        case ringing
        /// Inbound: the agent answered; waiting for the RTP port before sending 200.
        case answering
        /// Inbound: 200 sent, waiting for the ACK.
        case answered
        /// Outbound: waiting for the RTP port, then the INVITE goes out.
        case preparing
        /// Outbound: INVITE sent, no final response yet.
        case calling
        /// Both sides agree the call is up.
        case confirmed
    }

    /// Who sent the initial INVITE.
    enum Direction: Sendable, Equatable {
        case inbound
        case outbound
    }

    let coreID: LineCallID
    let direction: Direction
    var phase: Phase
    var dialog: Dialog
    /// The initial INVITE (received or sent, the latest authenticated version for outbound).
    var invite: SIPRequest
    /// The INVITE's transaction (server for inbound, client for outbound).
    var inviteKey: TransactionKey?
    /// Where an inbound call's requests came from, for responses outside a transaction.
    var origin: SIPHop?
    /// Where the initial INVITE went (outbound), for CANCEL and the ACK of a 2xx.
    var firstHop: SIPHop?
    var remoteOffer: SessionDescription?
    var localSDP: SessionDescription?
    /// Our SRTP master key for the call (in our `a=crypto`), made when first offered or answered.
    var localKey: [UInt8]?
    /// Whether the app was last told that the call's media is encrypted.
    var encrypted = false
    var mediaPort: UInt16?
    var media: MediaPlan?
    var localHold = false
    var remoteHold = false
    /// The hold state the agent asked for that a re-INVITE still has to establish.
    var wantedHold: Bool?
    var reinviteKey: TransactionKey?
    /// The 2xx we retransmit until the ACK arrives (§13.3.1.4); nil when none waits.
    var pendingOK: ResponseRetransmission?
    /// The 2xx offered our SDP (late offer): the ACK carries the answer.
    var okCarriesOffer = false
    /// Outbound: a provisional response arrived, so CANCEL may be sent.
    var provisionalSeen = false
    /// Outbound: the agent hung up before a provisional response: CANCEL as soon as one comes.
    var cancelPending = false
    /// The agent hung up while the 2xx waited for its ACK: BYE once it comes.
    var byePending = false
    /// Outbound: headers to add to the INVITE.
    var extraHeaders: [SIPHeader] = []
    /// A blind transfer in progress, to this target.
    var transferTarget: String?
    var referKey: TransactionKey?
    /// Our INFO requests (DTMF) still waiting for their final answer.
    var infoKeys: Set<TransactionKey> = []
    /// Outbound: a provisional answer carried SDP and its media was started receive-only.
    var earlyMedia = false
    /// Outbound: a 180 or 183 came and `remoteRinging` was reported.
    var remoteRinging = false

    // Session timers (RFC 4028), UPDATE (RFC 3311), reliable provisionals (RFC 3262).
    /// The session timer the dialog agreed on; nil when the session does not expire.
    var sessionTimer: SessionTimer?
    /// The other side said `Supported: timer` (or required it).
    var peerSupportsTimer = false
    /// The other side's Allow lists UPDATE: refreshes go by UPDATE, else by re-INVITE.
    var peerAllowsUpdate = false
    /// Our session refresh (UPDATE or re-INVITE) still waiting for its final answer.
    var refreshKey: TransactionKey?
    /// Outbound: how many times a 422 made us ask again with a longer interval.
    var intervalRetries = 0
    /// Inbound: the caller asked for reliable provisional responses (`100rel` supported or required).
    var reliableProvisionals = false
    /// Inbound: our reliable 18x waiting for its PRACK.
    var pendingProvisional: ResponseRetransmission?
    /// Inbound: the RSeq of our last reliable provisional response.
    var lastRSeq: UInt32?
    /// Outbound: the RSeq of the last reliable provisional response we acknowledged.
    var acknowledgedRSeq: UInt32?

    var sipCallID: String { dialog.callID }
}
