import SDP
import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// An offer as baresip writes it with `mediaenc=srtp-mand` (RTP/SAVP, two suites) or `srtp`
/// (RTP/AVP carrying a=crypto); `crypto: false` is a plain offer.
func srtpSDP(proto: String = "RTP/SAVP", crypto: Bool = true, host: String = "192.0.2.10", port: Int = 40000) -> String {
    var lines = ["v=0", "o=caller 4711 1 IN IP4 \(host)", "s=call", "c=IN IP4 \(host)", "t=0 0",
                 "m=audio \(port) \(proto) 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000",
                 "a=fmtp:101 0-16"]
    if crypto {
        lines += ["a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:\(SRTPSignallingTests.theirInline)",
                  "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:\(SRTPSignallingTests.theirInline)"]
    }
    lines.append("a=sendrecv")
    return lines.joined(separator: "\r\n") + "\r\n"
}

@Suite("SRTP (SDES) in the line's calls: offers, answers, 488, keys in the plan")
struct SRTPSignallingTests {
    static let theirKey: [UInt8] = Array(0..<30)
    static let theirInline = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
    static let ourKey: [UInt8] = Array(repeating: 0x5a, count: 30)
    let outID: CallID = "out-1"

    /// A line whose signalling runs over TLS (SDES keys may only travel there, or on loopback):
    /// a `sips:` registrar, callers reaching it over TLS. `secure: false` keeps plain UDP.
    func makeLine(_ policy: SRTPPolicy, secure: Bool = true) -> LineHarness {
        var configuration = Net.configuration()
        configuration.srtp = policy
        if secure { configuration.registrar = SIPURI("sips:pbx.example.com") }
        var line = LineHarness(configuration)
        line.agent = LineAgent(configuration: configuration, seed: 7, keys: SRTPKeySource { Self.ourKey })
        if secure {
            line.requestSource = SIPHop(transport: .tls, host: Net.caller.host, port: 5061)
            line.responseSource = SIPHop(transport: .tls, host: "pbx.example.com", port: 5061)
        }
        return line
    }

    @Test("Keys never travel in clear text: over UDP to another machine, optional answers a keyed offer plainly and offers no key; mandatory refuses with 488")
    func noKeysInClearText() throws {
        var optional = makeLine(.optional, secure: false)
        var caller = Caller()
        let ok = try #require(optional.answer(&caller, sdp: srtpSDP(proto: "RTP/AVP")))
        #expect(ok.sdp?.media.first?.cryptos.isEmpty == true)
        #expect(plans(optional).last?.srtp == nil)
        #expect(!optional.history.actions.contains(.mediaEncrypted(caller.coreID, true)))

        var mandatory = makeLine(.mandatory, secure: false)
        let step = mandatory.offer(Caller(), sdp: srtpSDP())
        #expect(step.statuses.filter { $0 >= 180 } == [488])
        #expect(mandatory.agent.callCount == 0)

        // From loopback (the interop tests' peers) keys may go over UDP.
        var local = makeLine(.optional, secure: false)
        local.requestSource = SIPHop(transport: .udp, host: "127.0.0.1", port: 5060)
        var localCaller = Caller()
        let localOK = try #require(local.answer(&localCaller, sdp: srtpSDP(proto: "RTP/AVP")))
        #expect(localOK.sdp?.media.first?.cryptos.isEmpty == false)
    }

    func plans(_ line: LineHarness) -> [MediaPlan] {
        line.history.media.compactMap { if case .start(_, let plan) = $0 { plan } else { nil } }
    }

    @Test("mandatory: an RTP/SAVP offer is answered with our key on the offer's AES_CM_128_HMAC_SHA1_80 tag; the plan sends with ours, receives with theirs; the core hears the call is encrypted")
    func mandatoryAnswer() throws {
        var line = makeLine(.mandatory)
        var caller = Caller()
        let ok = try #require(line.answer(&caller, sdp: srtpSDP()))
        let media = try #require(ok.sdp?.media.first)
        #expect(media.proto == "RTP/SAVP")
        #expect(media.cryptos == [CryptoAttribute(tag: 2, masterKey: Self.ourKey)])
        let plan = try #require(plans(line).last)
        #expect(plan.srtp == SRTPMasterKeys(send: Self.ourKey, receive: Self.theirKey))
        #expect(line.history.actions.contains(.mediaEncrypted(caller.coreID, true)))
    }

    @Test("mandatory: a plain offer gets 488 and never rings nor reaches the core as a call")
    func mandatoryRefusesPlain() {
        var line = makeLine(.mandatory)
        let step = line.offer(Caller(), sdp: remoteSDP())
        #expect(step.statuses.filter { $0 >= 180 } == [488])
        #expect(step.reports.isEmpty)
        #expect(line.agent.callCount == 0)
        #expect(step.notes.contains { $0.contains("488") && $0.contains("SRTP") })
    }

    @Test("off: an RTP/SAVP offer gets 488; an RTP/AVP offer with a=crypto is answered plainly")
    func off() throws {
        var refused = makeLine(.off)
        #expect(refused.offer(Caller(), sdp: srtpSDP()).statuses.filter { $0 >= 180 } == [488])
        var plain = makeLine(.off)
        var caller = Caller()
        let ok = try #require(plain.answer(&caller, sdp: srtpSDP(proto: "RTP/AVP")))
        #expect(ok.sdp?.media.first?.proto == "RTP/AVP")
        #expect(ok.sdp?.media.first?.cryptos.isEmpty == true)
        #expect(plans(plain).last?.srtp == nil)
        #expect(!plain.history.actions.contains { if case .call(.mediaEncrypted) = $0 { true } else { false } })
    }

    @Test("optional: best-effort SDES (RTP/AVP + a=crypto) is encrypted; a plain offer runs plainly")
    func optional() throws {
        var secure = makeLine(.optional)
        var caller = Caller()
        let ok = try #require(secure.answer(&caller, sdp: srtpSDP(proto: "RTP/AVP")))
        #expect(ok.sdp?.media.first?.proto == "RTP/AVP")
        #expect(ok.sdp?.media.first?.cryptos.first?.supportedMasterKey == Self.ourKey)
        #expect(plans(secure).last?.srtp != nil)
        var plain = makeLine(.optional)
        var other = Caller()
        let plainOK = try #require(plain.answer(&other, sdp: remoteSDP()))
        #expect(plainOK.sdp?.media.first?.cryptos.isEmpty == true)
        #expect(plans(plain).last?.srtp == nil)
    }

    @Test("our offers: off plain, optional RTP/AVP with a=crypto, mandatory RTP/SAVP with a=crypto")
    func offers() throws {
        for (policy, proto, crypto) in [(SRTPPolicy.off, "RTP/AVP", false), (.optional, "RTP/AVP", true),
                                        (.mandatory, "RTP/SAVP", true)] {
            var line = makeLine(policy)
            line.command(.dial(outID, target: "4930555"))
            let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
            let media = try #require(invite.sdp?.media.first)
            #expect(media.proto == proto)
            #expect(media.cryptos == (crypto ? [CryptoAttribute(tag: 1, masterKey: Self.ourKey)] : []))
        }
    }

    @Test("outbound, mandatory: the callee's key in the answer goes to the plan; a plain answer ends the call")
    func outboundAnswer() throws {
        var line = makeLine(.mandatory)
        line.command(.dial(outID, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        let answer = srtpSDP(host: "203.0.113.7", port: 50000).replacingCrypto(tag: 1)
        let step = line.receive(reply(to: invite, 200, toTag: "callee-tag", headers: [("Contact", "<sip:bob@203.0.113.7>")],
                                      sdp: answer))
        let plan = try #require(step.media.compactMap { if case .start(_, let plan) = $0 { plan } else { nil } }.first)
        #expect(plan.srtp == SRTPMasterKeys(send: Self.ourKey, receive: Self.theirKey))
        #expect(step.actions.contains(.mediaEncrypted(outID, true)))

        var plainLine = makeLine(.mandatory)
        plainLine.command(.dial(outID, target: "4930555"))
        let second = try #require(plainLine.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        let refused = plainLine.receive(reply(to: second, 200, toTag: "callee-tag",
                                              headers: [("Contact", "<sip:bob@203.0.113.7>")],
                                              sdp: remoteSDP(host: "203.0.113.7", port: 50000)))
        #expect(refused.media.allSatisfy { if case .start = $0 { false } else { true } })
        #expect(refused.requests(.bye).count == 1)
        #expect(refused.reports.contains { if case .call(.outboundFailed(_, 488, _)) = $0 { true } else { false } })
    }

    @Test("a refresh re-INVITE answered without a key: the plan loses SRTP and the core hears the call is no longer encrypted")
    func refreshLosesEncryption() throws {
        var line = makeLine(.optional)
        var caller = Caller()
        line.confirmedCall(&caller, sdp: srtpSDP(proto: "RTP/AVP"),
                           extra: ["Supported: timer", "Session-Expires: 90;refresher=uas"])  // no UPDATE: re-INVITE
        #expect(line.history.actions.contains(.mediaEncrypted(caller.coreID, true)))
        let refresh = try #require(line.advance(by: .seconds(45)).requests(.invite).first)
        let step = line.receive(reply(to: refresh, 200, toTag: caller.fromTag,
                                      headers: [("Contact", caller.contact), ("Session-Expires", "90;refresher=uac")],
                                      sdp: remoteSDP(version: 2)))
        #expect(plans(line).last?.srtp == nil)
        #expect(step.actions.contains(.mediaEncrypted(caller.coreID, false)))
    }

    @Test("a hold re-INVITE keeps the keys: same plan keys, no new key made")
    func reinviteKeepsKey() throws {
        var line = makeLine(.mandatory)
        var caller = Caller()
        line.confirmedCall(&caller, sdp: srtpSDP())
        let before = try #require(plans(line).last?.srtp)
        let hold = srtpSDP().replacingOccurrences("a=sendrecv", "a=sendonly")
        let step = line.receive(caller.inDialog("INVITE", sdp: hold))
        let answer = try #require(step.responses(200).first?.sdp?.media.first)
        #expect(answer.cryptos == [CryptoAttribute(tag: 2, masterKey: Self.ourKey)])
        #expect(plans(line).last?.srtp == before)
        #expect(before.description.contains("hidden"))
    }
}

extension String {
    /// The SDP with only the a=crypto line of `tag` kept.
    func replacingCrypto(tag: Int) -> String {
        split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("a=crypto:") || $0.hasPrefix("a=crypto:\(tag) ") }
            .map { $0.hasPrefix("a=crypto:") ? Substring("a=crypto:\(tag) AES_CM_128_HMAC_SHA1_80 inline:\(SRTPSignallingTests.theirInline)") : $0 }
            .joined(separator: "\r\n")
    }

    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
