import SDP
import SIP
import SoftphoneCore
import SoftphoneSIPMapping
import Testing
@testable import SIPUserAgent

/// What a caller that supports session timers and UPDATE adds to its INVITE.
private let timerCaller = ["Supported: timer, 100rel", "Allow: INVITE, ACK, CANCEL, BYE, UPDATE, PRACK"]

/// One row of the refresher choice (RFC 4028 §9).
struct RefresherCase: Sendable, CustomTestStringConvertible {
    var label: String
    var extra: [String]
    /// The Session-Expires of our 2xx (nil: none).
    var answered: String?
    var requireTimer: Bool
    /// Whether we refresh.
    var weRefresh: Bool
    var testDescription: String { label }
}

@Suite("Session timers (RFC 4028)")
struct SessionTimerTests {
    static let refresherCases: [RefresherCase] = [
        RefresherCase(label: "no refresher, UAC supports timer → uac", extra: timerCaller + ["Session-Expires: 1800"],
                      answered: "1800;refresher=uac", requireTimer: true, weRefresh: false),
        RefresherCase(label: "refresher=uac → uac", extra: timerCaller + ["Session-Expires: 120;refresher=uac"],
                      answered: "120;refresher=uac", requireTimer: true, weRefresh: false),
        RefresherCase(label: "refresher=uas → we refresh", extra: timerCaller + ["Session-Expires: 120;refresher=uas"],
                      answered: "120;refresher=uas", requireTimer: true, weRefresh: true),
        RefresherCase(label: "UAC without timer (a proxy asked) → we refresh, no Require",
                      extra: ["Session-Expires: 600"], answered: "600;refresher=uas", requireTimer: false, weRefresh: true),
        RefresherCase(label: "compact form x: and k:", extra: ["k: timer", "x: 300"], answered: "300;refresher=uac",
                      requireTimer: true, weRefresh: false),
        RefresherCase(label: "timer supported but no Session-Expires → no session timer", extra: timerCaller,
                      answered: nil, requireTimer: false, weRefresh: false),
    ]

    @Test("The refresher we put in our 2xx", arguments: refresherCases)
    func refresherChoice(row: RefresherCase) throws {
        var line = LineHarness()
        var caller = Caller()
        line.receive(caller.invite(extra: row.extra))
        caller.localTag = line.command(.ring(caller.coreID)).responses(180).first?.toTag
        line.feed(.mediaOpened(caller.coreID, port: 30000))
        let step = line.command(.answer(caller.coreID))
        let ok = try #require(step.responses(200).first)
        #expect(ok.headers.first(.sessionExpires) == row.answered)
        #expect(optionTags(ok.headers, .require).contains("timer") == row.requireTimer)
        let id = caller.callID
        #expect(line.isRunning(.sessionRefresh(callID: id)) == row.weRefresh)
        #expect(line.isRunning(.sessionExpiry(callID: id)) == (row.answered != nil))
    }

    @Test("Our 2xx advertises timer and 100rel, allows UPDATE and PRACK, and no longer offers replaces")
    func capabilities() throws {
        var line = LineHarness()
        var caller = Caller()
        let answered = line.answer(&caller)
        let ok = try #require(answered)
        #expect(optionTags(ok.headers, .supported) == ["timer", "100rel"])
        let allow = try #require(ok.headers.first(.allow))
        for method in ["UPDATE", "PRACK", "INVITE", "INFO"] { #expect(allow.contains(method)) }
        #expect(!allow.contains("replaces"))
    }

    @Test("Require: replaces (no longer advertised) or an unknown option gets 420; timer and 100rel are accepted",
          arguments: [("replaces", true), ("foo, timer", true), ("timer", false), ("100rel, timer", false)])
    func requireTags(tags: String, refused: Bool) {
        var line = LineHarness()
        let step = line.receive(Caller().invite(extra: ["Require: \(tags)", "Session-Expires: 90"]))
        #expect(step.statuses == (refused ? [100, 420] : [100]))
        #expect(line.agent.callCount == (refused ? 0 : 1))
    }

    @Test("Session-Expires below 90 s gets 422 with Min-SE: 90 and is not reported")
    func tooShort() throws {
        var line = LineHarness()
        let step = line.receive(Caller().invite(extra: timerCaller + ["Session-Expires: 60"]))
        #expect(step.statuses == [100, 422])
        #expect(step.responses.last?.headers.first(HeaderName("Min-SE")) == "90")
        #expect(step.reports.isEmpty)
        #expect(line.agent.callCount == 0)
    }

    @Test("A malformed Session-Expires gets 400 and never traps",
          arguments: ["abc", "-5", "90;refresher=bogus", "99999999999999999999", "90;refresher", "1e3", "９０"])
    func malformed(value: String) {
        var line = LineHarness()
        let step = line.receive(Caller().invite(extra: ["Session-Expires: \(value)"]))
        #expect(step.statuses == [100, 400])
        #expect(line.agent.callCount == 0)
    }

    @Test("As refresher we send an UPDATE at half the interval; its 2xx restarts the timers")
    func refreshByUpdate() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: timerCaller + ["Session-Expires: 90;refresher=uas"])
        let id = caller.callID
        #expect(line.remaining(.sessionRefresh(callID: id)) == .seconds(45))
        #expect(line.remaining(.sessionExpiry(callID: id)) == .seconds(60))
        #expect(line.advance(by: .seconds(44)).requests.isEmpty)
        let step = line.advance(by: .seconds(1))
        let update = try #require(step.sent(.update).first)
        #expect(update.request.uri.description == "sip:ada@192.0.2.10:5060")
        #expect(update.request.routeValues == ["<sip:proxy.example.com;lr>"])
        #expect(update.request.headers.first(.sessionExpires) == "90;refresher=uac")
        #expect(optionTags(update.request.headers, .supported).contains("timer"))
        #expect(update.request.body.isEmpty)
        #expect(update.request.toTag == caller.fromTag)
        #expect(try update.request.headers.cseq.method == .update)
        let answered = line.receive(reply(to: update.request, 200, toTag: caller.fromTag,
                                          headers: [("Session-Expires", "90;refresher=uac")]))
        #expect(answered.requests.isEmpty)  // no ACK for UPDATE
        #expect(line.remaining(.sessionRefresh(callID: id)) == .seconds(45))
        #expect(line.remaining(.sessionExpiry(callID: id)) == .seconds(60))
        // A second interval: refreshed again, the call stays.
        let second = line.advance(by: .seconds(45))
        #expect(second.requests(.update).count == 1)
        #expect(second.requests(.bye).isEmpty)
    }

    @Test("Without UPDATE in the peer's Allow the refresh is a re-INVITE with the same SDP, ACKed on its 2xx")
    func refreshByReinvite() throws {
        var line = LineHarness()
        var caller = Caller()
        let first = line.answer(&caller, extra: ["Supported: timer", "Session-Expires: 90;refresher=uas"])
        let ok = try #require(first)
        line.receive(caller.ack(sequence: 1))
        let step = line.advance(by: .seconds(45))
        let reinvite = try #require(step.sent(.invite).first?.request)
        #expect(reinvite.headers.first(.sessionExpires) == "90;refresher=uac")
        #expect(reinvite.sdpText == ok.sdpText)  // same session, same version
        let answered = line.receive(reply(to: reinvite, 200, toTag: caller.fromTag,
                                          headers: [("Contact", caller.contact), ("Session-Expires", "90;refresher=uac")],
                                          sdp: remoteSDP()))
        #expect(answered.requests(.ack).count == 1)
        #expect(answered.media.isEmpty)  // nothing changed
        #expect(line.remaining(.sessionRefresh(callID: caller.callID)) == .seconds(45))
    }

    @Test("405 to our UPDATE refresh falls back to a re-INVITE; 481 ends the call with a BYE")
    func refreshFallbacks() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: timerCaller + ["Session-Expires: 90;refresher=uas"])
        let update = try #require(line.advance(by: .seconds(45)).requests(.update).first)
        let fallback = line.receive(reply(to: update, 405, toTag: caller.fromTag))
        let reinvite = try #require(fallback.requests(.invite).first)
        let lost = line.receive(reply(to: reinvite, 481, toTag: caller.fromTag))
        #expect(lost.requests(.bye).count == 1)
        #expect(lost.events.contains(.remoteHangUp(LineMapping.line(caller.coreID))))
        #expect(line.agent.callCount == 0)
    }

    @Test("405 to our refresh re-INVITE is a refusal: no further re-INVITE at once, a note in the Log")
    func refreshReinviteRefused() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: ["Supported: timer", "Session-Expires: 90;refresher=uas"])
        let reinvite = try #require(line.advance(by: .seconds(45)).requests(.invite).first)
        let refused = line.receive(reply(to: reinvite, 405, toTag: caller.fromTag))
        #expect(refused.requests(.invite).isEmpty)
        #expect(refused.notes.contains { $0.contains("session refresh refused") && $0.contains("405") })
        #expect(line.agent.callCount == 1)
    }

    @Test("A hold asked for while the refresh UPDATE is out is sent after the refresh's non-2xx answer too")
    func holdAfterRefusedRefresh() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: timerCaller + ["Session-Expires: 90;refresher=uas"])
        let update = try #require(line.advance(by: .seconds(45)).requests(.update).first)
        #expect(line.command(.hold(caller.coreID)).requests.isEmpty)  // waits for the refresh
        let answered = line.receive(reply(to: update, 500, reason: "Server Internal Error", toTag: caller.fromTag))
        let hold = try #require(answered.requests(.invite).first)
        #expect(hold.sdp?.audioDirection == .sendonly)
        #expect(answered.notes.contains { $0.contains("session refresh refused") })
    }

    @Test("A hold re-INVITE in a dialog with a session timer carries Session-Expires and Supported: timer; its 2xx restarts the timers")
    func holdReinviteRefreshes() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: timerCaller + ["Session-Expires: 90;refresher=uas"])
        let id = caller.callID
        #expect(line.advance(by: .seconds(30)).requests.isEmpty)
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        #expect(hold.headers.first(.sessionExpires) == "90;refresher=uac")  // we refresh
        #expect(optionTags(hold.headers, .supported).contains("timer"))
        line.receive(reply(to: hold, 200, toTag: caller.fromTag,
                           headers: [("Contact", caller.contact), ("Session-Expires", "90;refresher=uac")],
                           sdp: remoteSDP(direction: "recvonly", version: 2)))
        #expect(line.remaining(.sessionRefresh(callID: id)) == .seconds(45))
        #expect(line.remaining(.sessionExpiry(callID: id)) == .seconds(60))
    }

    @Test("No refresh from the refresher by expiry − min(32, SE/3): BYE and a note in the Log")
    func expiry() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: timerCaller + ["Session-Expires: 90"])
        #expect(line.advance(by: .seconds(59)).requests.isEmpty)
        let step = line.advance(by: .seconds(1))
        #expect(step.requests(.bye).count == 1)
        #expect(step.events.contains(.remoteHangUp(LineMapping.line(caller.coreID))))
        #expect(step.notes.contains { $0.contains("session timer") })
        #expect(line.agent.callCount == 0)
    }

    @Test("The caller's refreshes (UPDATE, then re-INVITE) are answered with Session-Expires and restart the expiry")
    func peerRefreshes() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: timerCaller + ["Session-Expires: 90"])
        line.advance(by: .seconds(45))
        let update = line.receive(caller.inDialog("UPDATE", extra: ["Session-Expires: 90;refresher=uac", "Supported: timer"]))
        let ok = try #require(update.responses(200).first)
        #expect(ok.headers.first(.sessionExpires) == "90;refresher=uac")
        #expect(optionTags(ok.headers, .require).contains("timer"))
        #expect(ok.body.isEmpty)
        #expect(line.remaining(.sessionExpiry(callID: caller.callID)) == .seconds(60))
        line.advance(by: .seconds(45))
        let reinvite = line.receive(caller.inDialog("INVITE", sdp: remoteSDP(version: 2),
                                                    extra: ["Session-Expires: 90;refresher=uac", "Supported: timer"]))
        #expect(reinvite.responses(200).first?.headers.first(.sessionExpires) == "90;refresher=uac")
        line.receive(caller.ack(sequence: caller.sequence))
        #expect(line.advance(by: .seconds(59)).requests.isEmpty)
        #expect(line.agent.callCount == 1)
    }

    @Test("A refresh asking for less than 90 s gets 422 and changes nothing")
    func refreshTooShort() {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(), extra: timerCaller + ["Session-Expires: 90"])
        let step = line.receive(caller.inDialog("UPDATE", extra: ["Session-Expires: 30"]))
        #expect(step.statuses == [422])
        #expect(step.responses.first?.headers.first(HeaderName("Min-SE")) == "90")
        #expect(line.remaining(.sessionExpiry(callID: caller.callID)) == .seconds(60))
    }
}

@Suite("UPDATE (RFC 3311)")
struct UpdateTests {
    @Test("UPDATE without SDP gets 200 without a body; with an offer, 200 with our answer and the hold it brings")
    func update() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        let plain = line.receive(caller.inDialog("UPDATE"))
        #expect(plain.statuses == [200])
        #expect(plain.responses.first?.body.isEmpty == true)
        #expect(plain.responses.first?.headers.first(.contact) != nil)
        let hold = line.receive(caller.inDialog("UPDATE", sdp: remoteSDP(direction: "sendonly", version: 2)))
        let ok = try #require(hold.responses(200).first)
        #expect(ok.sdp?.audioDirection == .recvonly)
        #expect(hold.events.contains(.remoteHold(LineMapping.line(caller.coreID), true)))
        #expect(hold.media.count == 1)
        let bad = line.receive(caller.inDialog("UPDATE", sdp: remoteSDP(formats: [18], version: 3)))
        #expect(bad.statuses == [488])
    }

    @Test("UPDATE with an offer while our 2xx waits for its ACK gets 491; UPDATE outside a dialog 481")
    func updateGlare() {
        var line = LineHarness()
        var caller = Caller()
        line.answer(&caller)
        #expect(line.receive(caller.inDialog("UPDATE", sdp: remoteSDP(version: 2))).statuses == [491])
        var stranger = Caller(callID: "nobody@192.0.2.10")
        stranger.localTag = "x"
        stranger.viaHost = "192.0.2.11"  // its own transaction, not a repeat of the caller's branch
        #expect(line.receive(stranger.inDialog("UPDATE")).statuses == [481])
    }
}

@Suite("Outbound session timers")
struct OutboundSessionTimerTests {
    let id: CallID = "out-st"

    func dialled(_ line: inout LineHarness) throws -> SIPRequest {
        line.command(.dial(id, target: "4930555"))
        return try #require(line.feed(.mediaOpened(id, port: 31000)).requests(.invite).first)
    }

    func answer(_ invite: SIPRequest, _ status: Int = 200, headers: [(String, String)]) -> SIPResponse {
        reply(to: invite, status, toTag: "callee-tag", headers: [("Contact", "<sip:bob@203.0.113.7:5070>")] + headers,
              sdp: status == 200 ? remoteSDP(host: "203.0.113.7", port: 50000) : nil)
    }

    @Test("Our INVITE asks for 1800 s with Min-SE 90, supports timer and 100rel, allows UPDATE")
    func inviteShape() throws {
        var line = LineHarness()
        let invite = try dialled(&line)
        #expect(invite.headers.first(.sessionExpires) == "1800")
        #expect(invite.headers.first(HeaderName("Min-SE")) == "90")
        #expect(optionTags(invite.headers, .supported) == ["timer", "100rel"])
        #expect(invite.headers.first(.allow)?.contains("UPDATE") == true)
    }

    @Test("The 2xx decides: refresher=uac makes us refresh at half its interval; refresher=uas makes us watch",
          arguments: [("1800;refresher=uac", true), ("1800;refresher=uas", false), ("5;refresher=uac", true)])
    func followsAnswer(expires: String, weRefresh: Bool) throws {
        var line = LineHarness()
        let invite = try dialled(&line)
        let callID = try #require(invite.headers.callID)
        line.receive(answer(invite, headers: [("Session-Expires", expires), ("Require", "timer"),
                                              ("Allow", "INVITE, ACK, BYE, UPDATE")]))
        // Never below 90 s, whatever the answer says.
        let interval: Int64 = expires.hasPrefix("5;") ? 90 : 1800
        #expect(line.remaining(.sessionRefresh(callID: callID)) == (weRefresh ? .seconds(interval / 2) : nil))
        #expect(line.remaining(.sessionExpiry(callID: callID)) == .seconds(interval - min(32, interval / 3)))
        if weRefresh {
            let update = try #require(line.advance(by: .seconds(interval / 2)).requests(.update).first)
            #expect(update.uri.description == "sip:bob@203.0.113.7:5070")
            #expect(update.headers.first(.sessionExpires) == "\(interval);refresher=uac")
        }
    }

    @Test("A 2xx without Session-Expires: the session does not expire")
    func noTimer() throws {
        var line = LineHarness()
        let invite = try dialled(&line)
        line.receive(answer(invite, headers: []))
        #expect(line.agent.calls.values.first?.sessionTimer == nil)
        #expect(line.advance(by: .seconds(4000)).requests(.bye).isEmpty)
    }

    @Test("422 to our INVITE: called again with the Min-SE asked for, next CSeq, new branch; a second 422 too, a third fails")
    func interval422() throws {
        var line = LineHarness()
        let invite = try dialled(&line)
        let retry = try #require(line.receive(answer(invite, 422, headers: [("Min-SE", "3600")])).requests(.invite).first)
        #expect(retry.headers.first(.sessionExpires) == "3600")
        #expect(retry.headers.first(HeaderName("Min-SE")) == "3600")
        #expect(retry.cseqNumber == invite.cseqNumber.map { $0 + 1 })
        #expect(retry.branch != invite.branch)
        #expect(retry.headers.callID == invite.headers.callID)
        #expect(retry.fromTag == invite.fromTag)
        let again = try #require(line.receive(answer(retry, 422, headers: [("Min-SE", "7200")])).requests(.invite).first)
        let last = line.receive(answer(again, 422, headers: [("Min-SE", "9000")]))
        #expect(last.requests(.invite).isEmpty)
        #expect(last.events.contains { if case .outboundFailed(_, 422, _) = $0 { true } else { false } })
    }

    @Test("422 without a usable Min-SE fails the call", arguments: ["", "abc", "10"])
    func bad422(minSE: String) throws {
        var line = LineHarness()
        let invite = try dialled(&line)
        let step = line.receive(answer(invite, 422, headers: minSE.isEmpty ? [] : [("Min-SE", minSE)]))
        #expect(step.requests(.invite).isEmpty)
        #expect(line.agent.callCount == 0)
    }
}

@Suite("Reliable provisional responses (RFC 3262)")
struct ReliableProvisionalTests {
    @Test("With 100rel the 180 is reliable: Require: 100rel and RSeq, sent again at T1, 2·T1, 4·T1 until the PRACK")
    func reliableRinging() throws {
        var line = LineHarness()
        var caller = Caller()
        line.receive(caller.invite(extra: ["Require: 100rel"]))
        let ring = line.command(.ring(caller.coreID))
        let ringing = try #require(ring.responses(180).first)
        caller.localTag = ringing.toTag
        #expect(optionTags(ringing.headers, .require) == ["100rel"])
        let rseq = try #require(ringing.headers.first(HeaderName("RSeq")).flatMap { UInt32($0) })
        #expect(line.advance(by: ms(500)).statuses == [180])
        #expect(line.advance(by: ms(999)).statuses.isEmpty)
        #expect(line.advance(by: ms(1)).statuses == [180])
        #expect(line.advance(by: ms(2000)).statuses == [180])
        #expect(line.history.responses(180).allSatisfy { $0.headers.first(HeaderName("RSeq")) == "\(rseq)" })
        // The wrong RAck is refused; the right one stops the retransmissions.
        #expect(line.receive(caller.inDialog("PRACK", extra: ["RAck: \(rseq &+ 1) 1 INVITE"])).statuses == [481])
        let prack = line.receive(caller.inDialog("PRACK", extra: ["RAck: \(rseq) 1 INVITE"]))
        #expect(prack.statuses == [200])
        #expect(line.advance(by: .seconds(10)).statuses.isEmpty)
        // Answering afterwards: the ACK (with the INVITE's CSeq, below the PRACK's) confirms the call.
        line.feed(.mediaOpened(caller.coreID, port: 30000))
        #expect(line.command(.answer(caller.coreID)).statuses == [200])
        line.receive(caller.ack(sequence: 1))
        #expect(line.agent.calls[caller.callID]?.phase == .confirmed)
        #expect(line.advance(by: .seconds(40)).requests(.bye).isEmpty)
    }

    @Test("Supported: 100rel makes the 180 reliable too; the 2xx may precede the PRACK and stops the retransmission")
    func answerBeforePrack() throws {
        var line = LineHarness()
        var caller = Caller()
        line.receive(caller.invite(extra: ["Supported: 100rel"]))
        let ringing = try #require(line.command(.ring(caller.coreID)).responses(180).first)
        caller.localTag = ringing.toTag
        #expect(ringing.headers.first(HeaderName("RSeq")) != nil)
        line.feed(.mediaOpened(caller.coreID, port: 30000))
        let answered = line.command(.answer(caller.coreID))
        #expect(answered.statuses == [200])
        #expect(answered.cancelled.contains(.provisionalRetransmit(callID: caller.callID)))
        #expect(!line.isRunning(.provisionalRetransmit(callID: caller.callID)))
        let rseq = try #require(ringing.headers.first(HeaderName("RSeq")))
        // A late PRACK still gets its 200.
        #expect(line.receive(caller.inDialog("PRACK", extra: ["RAck: \(rseq) 1 INVITE"])).statuses == [200])
        line.receive(caller.ack(sequence: 1))
        #expect(line.agent.calls[caller.callID]?.phase == .confirmed)
    }

    @Test("Without 100rel the 180 is sent once, unreliably")
    func unreliable() throws {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        let ringing = try #require(line.command(.ring(caller.coreID)).responses(180).first)
        #expect(ringing.headers.first(HeaderName("RSeq")) == nil)
        #expect(line.advance(by: .seconds(40)).statuses.isEmpty)
    }

    @Test("No PRACK in 64·T1: the INVITE gets 504 and the caller's call ends")
    func noPrack() throws {
        var line = LineHarness()
        let caller = Caller()
        line.receive(caller.invite(extra: ["Require: 100rel"]))
        line.command(.ring(caller.coreID))
        let step = line.advance(by: .seconds(32))
        #expect(step.statuses.last == 504)
        #expect(step.events.contains(.callerCancelled(LineMapping.line(caller.coreID))))
        #expect(line.agent.callCount == 0)
    }

    @Test("A malformed RAck gets 400 and never traps", arguments: ["", "x 1 INVITE", "1 INVITE", "99999999999 1 INVITE", "1 2 3 4"])
    func badRAck(value: String) {
        var line = LineHarness()
        var caller = Caller()
        line.receive(caller.invite(extra: ["Require: 100rel"]))
        caller.localTag = line.command(.ring(caller.coreID)).responses(180).first?.toTag
        let step = line.receive(caller.inDialog("PRACK", extra: value.isEmpty ? [] : ["RAck: \(value)"]))
        #expect(step.statuses == [400])
        #expect(line.isRunning(.provisionalRetransmit(callID: caller.callID)))
    }

    @Test("As UAC a reliable 18x gets one PRACK with RAck to its Contact; its retransmissions get none")
    func prackSent() throws {
        var line = LineHarness()
        let id: CallID = "out-rel"
        line.command(.dial(id, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(id, port: 31000)).requests(.invite).first)
        let ringing = reply(to: invite, 180, toTag: "callee-tag",
                            headers: [("Contact", "<sip:bob@203.0.113.7:5070>"), ("Require", "100rel"), ("RSeq", "4711"),
                                      ("Record-Route", "<sip:proxy.example.com;lr>")])
        let step = line.receive(ringing)
        let prack = try #require(step.requests(.prack).first)
        #expect(prack.headers.first(HeaderName("RAck")) == "4711 \(invite.cseqNumber ?? 0) INVITE")
        #expect(prack.uri.description == "sip:bob@203.0.113.7:5070")
        #expect(prack.routeValues == ["<sip:proxy.example.com;lr>"])
        #expect(prack.toTag == "callee-tag")
        #expect(prack.cseqNumber == invite.cseqNumber.map { $0 + 1 })
        #expect(step.events.contains(.remoteRinging(LineMapping.line(id))))
        let again = line.receive(ringing)
        #expect(again.requests(.prack).isEmpty)
        #expect(again.events.isEmpty)
        // The 2xx still completes the call: ACK with the INVITE's CSeq.
        let ok = reply(to: invite, 200, toTag: "callee-tag", headers: [("Contact", "<sip:bob@203.0.113.7:5070>")],
                       sdp: remoteSDP(host: "203.0.113.7", port: 50000))
        let answered = line.receive(ok)
        #expect(answered.requests(.ack).first?.cseqNumber == invite.cseqNumber)
    }

    @Test("A reliable 18x with a malformed RSeq gets no PRACK and never traps",
          arguments: ["", "abc", "-1", "123456789012345678901234567890"])
    func badRSeq(value: String) throws {
        var line = LineHarness()
        let id: CallID = "out-rel"
        line.command(.dial(id, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(id, port: 31000)).requests(.invite).first)
        let step = line.receive(reply(to: invite, 183, toTag: "callee-tag",
                                      headers: [("Require", "100rel")] + (value.isEmpty ? [] : [("RSeq", value)])))
        #expect(step.requests(.prack).isEmpty)
        #expect(line.agent.callCount == 1)
    }
}
