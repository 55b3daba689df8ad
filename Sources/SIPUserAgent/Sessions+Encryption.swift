import SDP
import SIP

/// SRTP keyed by SDES (RFC 4568) in the calls' offers and answers, as `sip.srtp` says:
///
/// | policy    | we offer                   | we answer                                                        |
/// |-----------|----------------------------|------------------------------------------------------------------|
/// | off       | RTP/AVP, no `a=crypto`     | RTP/AVP plainly (its `a=crypto` ignored); RTP/SAVP → 488          |
/// | optional  | RTP/AVP with `a=crypto`    | with our key when a usable `a=crypto` is offered, else plainly; RTP/SAVP without one → 488 |
/// | mandatory | RTP/SAVP with `a=crypto`   | with our key; no usable `a=crypto` → 488                           |
///
/// `optional` offers best-effort SDES (RTP/AVP carrying `a=crypto`), as baresip's
/// `mediaenc=srtp` and PJSIP's `use_srtp=1` do: a peer without SRTP ignores the attribute and
/// the call runs plainly, one with SRTP answers with its key. An RTP/SAVP offer would be
/// refused by every peer that lacks SRTP, which is what `mandatory` wants and `optional` does not.
///
/// Our key for a call is made once (from `AgentContext.keys`) and kept for its re-offers and
/// re-answers; the plan sends with ours and receives with the peer's.
extension Sessions {
    /// Our key for the leg, made on first use.
    func callKey(_ leg: inout CallLeg, _ context: inout AgentContext) -> [UInt8] {
        if let key = leg.localKey { return key }
        let key = context.keys.make()
        leg.localKey = key
        return key
    }

    /// Whether SDES keys may go in this dialog's SDP: only over TLS, or to a loopback address
    /// (tests). SPEC section 8: keys must not cross a network in clear text — the line listens
    /// on UDP and TCP too, so a configuration with a TLS registrar still sees clear-text INVITEs.
    static func keysMayTravel(over hop: SIPHop?) -> Bool {
        guard let hop else { return false }
        return hop.transport == .tls || isLoopback(hop.host)
    }

    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }

    /// The policy in force for a dialog: `sip.srtp`, but never keys in clear text — over a
    /// clear-text hop `optional` answers and offers plainly, and `mandatory` can only refuse
    /// (it still offers RTP/SAVP, without a key, which no peer accepts).
    static func policy(over hop: SIPHop?, _ context: AgentContext) -> (policy: SRTPPolicy, keys: Bool) {
        (context.configuration.srtp, keysMayTravel(over: hop))
    }

    /// How our answer for the leg treats SRTP.
    func answerEncryption(_ leg: inout CallLeg, _ context: inout AgentContext) -> AnswerEncryption {
        let (policy, keys) = Self.policy(over: leg.origin ?? leg.firstHop, context)
        guard keys else { return .refuse }
        switch policy {
        case .off: return .refuse
        case .optional: return .accept(key: callKey(&leg, &context))
        case .mandatory: return .require(key: callKey(&leg, &context))
        }
    }

    /// Whether an offer that came over `hop` can be answered under the policy, without making
    /// a key: the reason it cannot (the INVITE gets 488), or nil.
    static func refusal(of offer: SessionDescription, over hop: SIPHop, _ context: AgentContext) -> OfferAnswerError? {
        let (policy, keys) = Self.policy(over: hop, context)
        if policy == .mandatory, !keys { return .encryptionRequired }
        let probe = [UInt8](repeating: 0, count: CryptoAttribute.masterKeyLength)
        let encryption: AnswerEncryption = switch (keys ? policy : .off) {
        case .off: .refuse
        case .optional: .accept(key: probe)
        case .mandatory: .require(key: probe)
        }
        do {
            _ = try OfferAnswer.answer(offer: offer, localAddress: context.configuration.mediaHost, localPort: 9,
                                       sessionID: 1, version: 1, supported: context.configuration.codecs,
                                       encryption: encryption)
            return nil
        } catch {
            return error
        }
    }

    /// Our offer (first or re-offer) for the leg, as the policy says.
    func makeOffer(_ leg: inout CallLeg, port: UInt16, version: UInt64, direction: MediaDirection = .sendrecv,
                   _ context: inout AgentContext) -> SessionDescription {
        let (policy, keys) = Self.policy(over: leg.origin ?? leg.firstHop, context)
        let crypto = policy == .off || !keys ? nil : CryptoAttribute(tag: 1, masterKey: callKey(&leg, &context))
        return OfferAnswer.offer(localAddress: context.configuration.mediaHost, localPort: port, sessionID: sessionID,
                                 version: version, codecs: context.configuration.codecs, direction: direction,
                                 crypto: crypto,
                                 proto: policy == .mandatory ? MediaDescription.secureProfile : MediaDescription.plainProfile)
    }

    /// The keys of a call from our description and the peer's: ours to send, theirs to receive,
    /// when both carry a usable `a=crypto` with the same tag.
    static func keys(local: NegotiatedAudio?, remote: NegotiatedAudio) -> SRTPMasterKeys? {
        guard let ours = local?.crypto, let theirs = remote.crypto, ours.tag == theirs.tag,
              let send = ours.supportedMasterKey, let receive = theirs.supportedMasterKey else { return nil }
        return SRTPMasterKeys(send: send, receive: receive)
    }

    /// Starts (or changes) the call's media, and tells the app when the call becomes encrypted
    /// (or stops being so); a plain call reports nothing. The caller stores `leg`.
    func startMedia(_ leg: inout CallLeg, _ plan: MediaPlan, _ out: inout [Output]) {
        out.append(.media(.start(leg.coreID, plan)))
        let encrypted = plan.srtp != nil
        guard leg.encrypted != encrypted else { return }
        leg.encrypted = encrypted
        out.append(.report(.mediaEncrypted(leg.coreID, encrypted)))
    }
}

/// Where SDES master keys come from. `system` draws them from the operating system's
/// cryptographically secure generator (`SystemRandomNumberGenerator`: getrandom(2) on Linux);
/// tests give their own.
public struct SRTPKeySource: Sendable {
    let make: @Sendable () -> [UInt8]

    /// A source that calls `make` for each key (30 octets for AES_CM_128_HMAC_SHA1_80).
    public init(_ make: @escaping @Sendable () -> [UInt8]) {
        self.make = make
    }

    /// Keys from the system's secure generator.
    public static let system = SRTPKeySource {
        var generator = SystemRandomNumberGenerator()
        return (0..<CryptoAttribute.masterKeyLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

/// The SRTP master keys of a call: `send` is ours (in our `a=crypto`), `receive` the peer's.
public struct SRTPMasterKeys: Hashable, Sendable, CustomStringConvertible {
    public var send: [UInt8]
    public var receive: [UInt8]

    public init(send: [UInt8], receive: [UInt8]) {
        self.send = send
        self.receive = receive
    }

    /// Never the keys: plans and outputs are printed in logs and test failures.
    public var description: String { "SRTPMasterKeys(hidden)" }
}
