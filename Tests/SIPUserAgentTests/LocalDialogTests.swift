import SDP
import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

@Suite("Our requests in a dialog")
struct LocalDialogTests {
    /// A confirmed inbound call through a record-routing proxy.
    func call() -> (LineHarness, Caller) {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        return (line, caller)
    }

    /// Checks the dialog fields every request we send in the call must carry.
    func expectInDialog(_ sent: SentRequest, _ caller: Caller, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sent.hop == Net.proxy, "loose routing: to the first route", sourceLocation: sourceLocation)
        #expect(sent.request.uri.description == "sip:ada@192.0.2.10:5060", "the remote target", sourceLocation: sourceLocation)
        #expect(sent.request.routeValues == ["<sip:proxy.example.com;lr>"], sourceLocation: sourceLocation)
        #expect(sent.request.fromTag == caller.localTag, sourceLocation: sourceLocation)
        #expect(sent.request.toTag == caller.fromTag, sourceLocation: sourceLocation)
        #expect(sent.request.headers.callID == caller.callID, sourceLocation: sourceLocation)
        #expect((try? sent.request.headers.from.uri.description) == "sip:alice@pbx.example.com", sourceLocation: sourceLocation)
        #expect((try? sent.request.headers.to.uri.description) == "sip:+4930111222@pbx.example.com", sourceLocation: sourceLocation)
    }

    @Test("hold sends a sendonly re-INVITE along the route set; the 200 is ACKed with its CSeq and media follows the answer")
    func holdReinvite() throws {
        var (line, caller) = call()
        let step = line.command(.hold(caller.coreID))
        let sent = try #require(step.sent(.invite).first)
        expectInDialog(sent, caller)
        #expect(sent.transaction != nil)
        let reinvite = sent.request
        #expect(reinvite.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>")
        let offer = try #require(reinvite.sdp)
        #expect(offer.audioDirection == .sendonly)
        let firstVersion = try #require(line.history.responses(200).first?.sdp?.origin.sessionVersion)
        #expect(offer.origin.sessionVersion == firstVersion + 1)

        let ok = reply(to: reinvite, 200, toTag: caller.fromTag, headers: [("Contact", caller.contact)],
                       sdp: remoteSDP(direction: "recvonly", version: 2))
        let answered = line.receive(ok, from: Net.proxy)
        let ack = try #require(answered.sent(.ack).first)
        #expect(ack.transaction == nil)
        expectInDialog(ack, caller)
        #expect(ack.request.cseqNumber == reinvite.cseqNumber)
        #expect(try ack.request.headers.cseq.method == .ack)
        #expect(answered.media == [.start(caller.coreID, MediaPlan(remoteHost: "192.0.2.10", remotePort: 40000,
                                                                   payloadType: 0, codec: "PCMU",
                                                                   telephoneEventPayloadType: 101, sending: true))])
        #expect(answered.reports.isEmpty)
        // A retransmission of that 200 is ACKed again.
        #expect(line.receive(ok, from: Net.proxy).requests(.ack).count == 1)
    }

    @Test("An inactive answer to our hold stops sending")
    func holdInactiveAnswer() throws {
        var (line, caller) = call()
        let reinvite = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        let answered = line.receive(reply(to: reinvite, 200, toTag: caller.fromTag,
                                          sdp: remoteSDP(direction: "inactive", version: 2)), from: Net.proxy)
        guard case .start(_, let plan) = try #require(answered.media.first) else {
            Issue.record("no media start")
            return
        }
        #expect(!plan.sending)
    }

    @Test("The ACK of our re-INVITE carries no credentials copied from the caller's INVITE")
    func ackCarriesNoForeignCredentials() throws {
        var line = LineHarness()
        var caller = Caller()
        let invite = caller.invite(extra: ["Proxy-Authorization: Digest username=\"ada\", realm=\"x\", nonce=\"n\", uri=\"sip:alice@pbx.example.com\", response=\"00\""])
        line.receive(invite)
        caller.localTag = line.command(.ring(caller.coreID)).responses(180).first?.toTag
        line.feed(.mediaOpened(caller.coreID, port: 30000))
        line.command(.answer(caller.coreID))
        line.receive(caller.ack(sequence: 1))
        let reinvite = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        #expect(!reinvite.headers.contains(.proxyAuthorization))
        let ack = try #require(line.receive(reply(to: reinvite, 200, toTag: caller.fromTag,
                                                  sdp: remoteSDP(direction: "recvonly")), from: Net.proxy).requests(.ack).first)
        #expect(!ack.headers.contains(.proxyAuthorization))
        #expect(!ack.headers.contains(.authorization))
    }

    @Test("resume sends a sendrecv re-INVITE with the next CSeq")
    func resumeReinvite() throws {
        var (line, caller) = call()
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        line.receive(reply(to: hold, 200, toTag: caller.fromTag, sdp: remoteSDP(direction: "recvonly")), from: Net.proxy)
        let sent = try #require(line.command(.resume(caller.coreID)).sent(.invite).first)
        expectInDialog(sent, caller)
        #expect(sent.request.cseqNumber == hold.cseqNumber.map { $0 + 1 })
        #expect(sent.request.sdp?.audioDirection == .sendrecv)
        #expect(sent.request.sdp?.origin.sessionVersion == hold.sdp.map { $0.origin.sessionVersion + 1 })
        let answered = line.receive(reply(to: sent.request, 200, toTag: caller.fromTag,
                                          sdp: remoteSDP(direction: "sendrecv", version: 3)), from: Net.proxy)
        #expect(answered.requests(.ack).count == 1)
        #expect(answered.requests(.invite).isEmpty)
    }

    @Test("hold then resume at once: the second re-INVITE waits for the first to finish")
    func reinvitesAreSerialised() throws {
        var (line, caller) = call()
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        let early = line.command(.resume(caller.coreID))
        #expect(early.requests.isEmpty)
        let answered = line.receive(reply(to: hold, 200, toTag: caller.fromTag, sdp: remoteSDP(direction: "recvonly")),
                                    from: Net.proxy)
        #expect(answered.requests.map(\.method) == [.ack, .invite])
        let resume = try #require(answered.requests(.invite).first)
        #expect(resume.sdp?.audioDirection == .sendrecv)
        #expect(resume.cseqNumber == hold.cseqNumber.map { $0 + 1 })
        let done = line.receive(reply(to: resume, 200, toTag: caller.fromTag, sdp: remoteSDP()), from: Net.proxy)
        #expect(done.requests.map(\.method) == [.ack])
    }

    @Test("hold while our 200 still waits for its ACK is sent once the ACK arrives")
    func holdBeforeAck() throws {
        var line = LineHarness()
        var caller = Caller()
        let answered = line.answer(&caller)
        #expect(answered != nil)
        #expect(line.command(.hold(caller.coreID)).requests.isEmpty)
        let acked = line.receive(caller.ack(sequence: 1))
        let reinvite = try #require(acked.sent(.invite).first)
        expectInDialog(reinvite, caller)
        #expect(reinvite.request.sdp?.audioDirection == .sendonly)
    }

    @Test("hold while the 200 to the other side's re-INVITE waits for its ACK is sent after that ACK")
    func holdDuringRemoteReinvite() throws {
        var (line, caller) = call()
        line.receive(caller.inDialog("INVITE", sdp: remoteSDP(version: 2)))
        #expect(line.command(.hold(caller.coreID)).requests.isEmpty)
        let acked = line.receive(caller.ack(sequence: caller.sequence))
        #expect(acked.requests(.invite).first?.sdp?.audioDirection == .sendonly)
    }

    @Test("hold after accepting, before the port is known, takes effect once the call is up")
    func holdWhileAnswering() throws {
        var line = LineHarness()
        var caller = Caller()
        line.offer(caller)
        caller.localTag = line.command(.ring(caller.coreID)).responses(180).first?.toTag
        line.command(.answer(caller.coreID))
        #expect(line.command(.hold(caller.coreID)).requests.isEmpty)
        #expect(line.feed(.mediaOpened(caller.coreID, port: 30000)).statuses == [200])
        let acked = line.receive(caller.ack(sequence: 1))
        #expect(acked.requests(.invite).first?.sdp?.audioDirection == .sendonly)
    }

    @Test("491 to our re-INVITE: retried after 2.1–4 s with a new transaction")
    func glareRetried() throws {
        var (line, caller) = call()
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        let glare = line.receive(reply(to: hold, 491, toTag: caller.fromTag), from: Net.proxy)
        #expect(glare.requests(.ack).first?.branch == hold.branch, "the transaction ACKs the 491")
        let wait = try #require(glare.startedTimer(.reinviteRetry(callID: caller.callID)))
        #expect(wait >= ms(2100) && wait <= .seconds(4))
        #expect(line.advance(by: wait - ms(1)).requests(.invite).isEmpty)
        let retry = try #require(line.advance(by: ms(1)).sent(.invite).first)
        expectInDialog(retry, caller)
        #expect(retry.request.sdp?.audioDirection == .sendonly)
        #expect(retry.request.branch != hold.branch)
        #expect((retry.request.cseqNumber ?? 0) > (hold.cseqNumber ?? .max))
    }

    @Test("No answer at all to our re-INVITE ends the call as lost")
    func reinviteTimesOut() throws {
        var (line, caller) = call()
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        let step = line.advance(by: .seconds(33))
        #expect(step.requests(.invite).allSatisfy { $0.branch == hold.branch }, "only retransmissions")
        #expect(step.reports == [.remoteHangUp(caller.coreID)])
        #expect(step.media == [.close(caller.coreID)])
        #expect(!step.notes.isEmpty)
        #expect(line.agent.callCount == 0)
    }

    @Test("481 to our re-INVITE: the other side lost the call; BYE and a remote hang-up")
    func reinviteGets481() throws {
        var (line, caller) = call()
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        let step = line.receive(reply(to: hold, 481, toTag: caller.fromTag), from: Net.proxy)
        #expect(step.reports == [.remoteHangUp(caller.coreID)])
        #expect(step.requests(.bye).count == 1)
    }

    @Test("A refused hold (488) leaves the call as it was, with a note")
    func holdRefused() throws {
        var (line, caller) = call()
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        let step = line.receive(reply(to: hold, 488, toTag: caller.fromTag), from: Net.proxy)
        #expect(step.reports.isEmpty)
        #expect(step.notes.contains { $0.contains("488") })
        #expect(line.agent.callCount == 1)
        // A later hold is offered again, as a new version.
        let again = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        #expect(again.sdp?.audioDirection == .sendonly)
        #expect((again.sdp?.origin.sessionVersion ?? 0) > (hold.sdp?.origin.sessionVersion ?? .max))
    }

    @Test("hangUp sends BYE with our tags along the route set and closes media")
    func hangUpSendsBye() throws {
        var (line, caller) = call()
        let step = line.command(.hangUp(caller.coreID))
        let bye = try #require(step.sent(.bye).first)
        expectInDialog(bye, caller)
        #expect(step.media == [.close(caller.coreID)])
        #expect(step.reports.isEmpty)
        #expect(line.agent.callCount == 0)
        #expect(line.receive(reply(to: bye.request, 200, toTag: caller.fromTag), from: Net.proxy).reports.isEmpty)
    }

    @Test("hangUp before the ACK waits for it, then sends the BYE")
    func hangUpBeforeAck() throws {
        var line = LineHarness()
        var caller = Caller()
        let answered = line.answer(&caller)
        #expect(answered != nil)
        let step = line.command(.hangUp(caller.coreID))
        #expect(step.requests.isEmpty)
        #expect(step.media == [.close(caller.coreID)])
        let acked = line.receive(caller.ack(sequence: 1))
        #expect(acked.requests(.bye).count == 1)
    }

    @Test("Local and remote CSeqs are independent: our BYE after hold follows our own numbering")
    func byeAfterHoldCSeq() throws {
        var (line, caller) = call()
        let hold = try #require(line.command(.hold(caller.coreID)).requests(.invite).first)
        line.receive(reply(to: hold, 200, toTag: caller.fromTag, sdp: remoteSDP(direction: "recvonly")), from: Net.proxy)
        let bye = try #require(line.command(.hangUp(caller.coreID)).requests(.bye).first)
        #expect(bye.cseqNumber == hold.cseqNumber.map { $0 + 1 })
    }

    /// A confirmed call, transferred: returns the REFER.
    func transferred(to target: String = "4930555") throws -> (LineHarness, Caller, SentRequest, Step) {
        var (line, caller) = call()
        let step = line.command(.transfer(caller.coreID, target: target))
        let refer = try #require(step.sent(.refer).first)
        return (line, caller, refer, step)
    }

    func notify(_ caller: inout Caller, fragment: String, terminated: Bool = true) -> SIPRequest {
        caller.inDialog("NOTIFY", extra: ["Event: refer", "Subscription-State: " + (terminated ? "terminated;reason=noresource" : "active;expires=60"),
                                          "Content-Type: message/sipfrag;version=2.0"],
                        body: fragment)
    }

    @Test("transfer sends REFER with Refer-To (a bare number at our domain) and Referred-By")
    func transferSendsRefer() throws {
        let (_, caller, refer, step) = try transferred(to: "4930555")
        expectInDialog(refer, caller)
        #expect(refer.request.headers.first(.referTo) == "<sip:4930555@pbx.example.com>")
        #expect(refer.request.headers.first(.referredBy) == "<sip:alice@pbx.example.com>")
        #expect(refer.request.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>")
        #expect(step.media == [.close(caller.coreID)])
        #expect(step.reports.isEmpty)
    }

    @Test("A SIP URI transfer target is kept as written")
    func transferToURI() throws {
        let (_, _, refer, _) = try transferred(to: "sip:bob@other.example.com")
        #expect(refer.request.headers.first(.referTo) == "<sip:bob@other.example.com>")
    }

    @Test("202, then NOTIFY with SIP/2.0 200 OK: 200 to the NOTIFY and a BYE")
    func transferSucceeds() throws {
        var (line, caller, refer, _) = try transferred()
        let accepted = line.receive(reply(to: refer.request, 202, toTag: caller.fromTag), from: Net.proxy)
        #expect(accepted.requests.isEmpty && accepted.reports.isEmpty)
        let trying = line.receive(notify(&caller, fragment: "SIP/2.0 100 Trying\r\n", terminated: false))
        #expect(trying.statuses == [200])
        #expect(trying.requests.isEmpty)
        let done = line.receive(notify(&caller, fragment: "SIP/2.0 200 OK\r\n"))
        #expect(done.statuses == [200])
        let bye = try #require(done.sent(.bye).first)
        expectInDialog(bye, caller)
        #expect(done.notes.contains { $0.contains("succeeded") })
        #expect(done.media.isEmpty, "media was closed when the transfer started")
        #expect(!line.isRunning(.transferTimeout(callID: caller.callID)))
        #expect(line.agent.callCount == 0)
    }

    @Test("NOTIFY with 486: a note that the transfer failed, and a BYE")
    func transferFails() throws {
        var (line, caller, refer, _) = try transferred()
        line.receive(reply(to: refer.request, 202, toTag: caller.fromTag), from: Net.proxy)
        let done = line.receive(notify(&caller, fragment: "SIP/2.0 486 Busy Here\r\n"))
        #expect(done.statuses == [200])
        #expect(done.requests(.bye).count == 1)
        #expect(done.notes.contains { $0.contains("failed") && $0.contains("486") })
    }

    @Test("No NOTIFY: the call is ended with a BYE after the transfer timeout")
    func transferTimesOut() throws {
        var (line, caller, refer, _) = try transferred()
        line.receive(reply(to: refer.request, 202, toTag: caller.fromTag), from: Net.proxy)
        let wait = try #require(line.remaining(.transferTimeout(callID: caller.callID)))
        #expect(line.advance(by: wait - ms(1)).requests(.bye).isEmpty)
        let step = line.advance(by: ms(1))
        #expect(step.requests(.bye).count == 1)
        #expect(!step.notes.isEmpty)
        #expect(line.agent.callCount == 0)
    }

    @Test("A refused REFER ends the call with a BYE and a note")
    func referRefused() throws {
        var (line, caller, refer, _) = try transferred()
        let step = line.receive(reply(to: refer.request, 603, toTag: caller.fromTag), from: Net.proxy)
        #expect(step.requests(.bye).count == 1)
        #expect(step.notes.contains { $0.contains("603") })
        #expect(!line.isRunning(.transferTimeout(callID: caller.callID)))
    }
}
