import SDP
import SIP
import SIPAuth
import SoftphoneCore
import Testing
@testable import SIPUserAgent

@Suite("Outbound calls")
struct OutboundCallTests {
    let id: CallID = "out-1"
    /// The callee's phone.
    static let calleeContact = "<sip:bob@203.0.113.7:5070>"

    /// dial and the port: returns the INVITE as sent.
    func dialled(_ line: inout LineHarness, target: String = "4930555") throws -> SentRequest {
        line.command(.dial(id, target: target))
        return try #require(line.feed(.mediaOpened(id, port: 31000)).sent(.invite).first)
    }

    func answer(_ invite: SIPRequest, status: Int = 200, sdp: String? = remoteSDP(host: "203.0.113.7", port: 50000),
                recordRoute: [String] = []) -> SIPResponse {
        reply(to: invite, status, toTag: "callee-tag",
              headers: recordRoute.map { ("Record-Route", $0) } + [("Contact", Self.calleeContact)],
              sdp: status >= 200 ? sdp : nil)
    }

    @Test("dial opens media first and sends no INVITE until the port is known")
    func dialOpensMediaFirst() {
        var line = LineHarness()
        let step = line.command(.dial(id, target: "4930555"))
        #expect(step.media == [.open(id)])
        #expect(step.requests.isEmpty)
        #expect(step.reports.isEmpty)
    }

    @Test("The INVITE goes to the outbound proxy with an SDP offer, a tagged From and our Contact")
    func inviteToOutboundProxy() throws {
        var line = LineHarness()
        let sent = try dialled(&line)
        #expect(sent.hop == Net.registrar)
        #expect(sent.transaction != nil)
        let invite = sent.request
        #expect(invite.uri.description == "sip:4930555@pbx.example.com")
        #expect(try invite.headers.to.uri.description == "sip:4930555@pbx.example.com")
        #expect(invite.toTag == nil)
        let from = try invite.headers.from
        #expect(from.uri.description == "sip:alice@pbx.example.com")
        #expect(from.displayName == "Alice Agent")
        #expect(from.tag?.isEmpty == false)
        #expect(invite.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>")
        #expect(invite.headers.first(.contentType) == "application/sdp")
        #expect(invite.headers.callID?.isEmpty == false)
        #expect(try invite.headers.cseq.method == .invite)
        let offer = try #require(invite.sdp)
        #expect(offer.negotiatedAudio()?.remote == RTPEndpoint(address: "198.51.100.5", port: 31000))
        #expect(Set(offer.media[0].formats).isSuperset(of: ["0", "8"]))
        #expect(offer.audioDirection == .sendrecv)
    }

    @Test("407 is answered with Proxy-Authorization on a new branch with CSeq+1")
    func proxyChallengeAnswered() throws {
        var line = LineHarness()
        let first = try dialled(&line).request
        let verifier = DigestVerifier(realm: Net.realm)
        let challenge = reply(to: first, 407, toTag: "proxy-tag",
                              headers: [("Proxy-Authenticate", verifier.challenge(nonce: "inv-nonce").headerValue)])
        let step = line.receive(challenge)
        let ack = try #require(step.sent(.ack).first, "the transaction ACKs the 407")
        #expect(ack.request.branch == first.branch)
        let second = try #require(step.sent(.invite).first)
        #expect(second.hop == Net.registrar)
        let invite = second.request
        #expect(invite.branch != first.branch)
        #expect(invite.cseqNumber == first.cseqNumber.map { $0 + 1 })
        #expect(invite.headers.callID == first.headers.callID)
        #expect(invite.fromTag == first.fromTag)
        #expect(invite.body == first.body)
        let credentials = try #require(invite.headers.first(.proxyAuthorization))
        #expect(try verifier.verify(headerValue: credentials, method: "INVITE", password: Net.password) == .valid)
        #expect(step.reports.isEmpty)
        // The call goes on with the new transaction.
        let ringing = line.receive(answer(invite, status: 180))
        #expect(ringing.reports == [.remoteRinging(id)] && ringing.requests.isEmpty)
        let ok = line.receive(answer(invite))
        #expect(ok.reports == [.remoteAnswered(id)])
        let ackOK = try #require(ok.requests(.ack).first)
        #expect(ackOK.cseqNumber == invite.cseqNumber)
        #expect(ackOK.headers.first(.proxyAuthorization) == credentials, "the ACK carries the INVITE's credentials")
    }

    @Test("180 then 200: ACK to the 200's Contact along the reversed Record-Route; answered, media started")
    func answeredCall() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        let ringing = line.receive(answer(invite, status: 180))
        #expect(ringing.requests.isEmpty && ringing.reports == [.remoteRinging(id)])
        // A second 180 (or a 183) rings no more.
        #expect(line.receive(answer(invite, status: 180)).reports.isEmpty)
        let ok = answer(invite, recordRoute: ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"])
        let step = line.receive(ok)
        let ack = try #require(step.sent(.ack).first)
        #expect(ack.transaction == nil)
        #expect(ack.hop == SIPHop(transport: .udp, host: "p1.example.com", port: 5060))
        #expect(ack.request.uri.description == "sip:bob@203.0.113.7:5070")
        #expect(ack.request.routeValues == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        #expect(ack.request.cseqNumber == invite.cseqNumber)
        #expect(try ack.request.headers.cseq.method == .ack)
        #expect(ack.request.fromTag == invite.fromTag)
        #expect(ack.request.toTag == "callee-tag")
        #expect(ack.request.branch != invite.branch)
        #expect(step.reports == [.remoteAnswered(id)])
        #expect(step.media == [.start(id, MediaPlan(remoteHost: "203.0.113.7", remotePort: 50000, payloadType: 0,
                                                     codec: "PCMU", telephoneEventPayloadType: 101, sending: true))])
        // A retransmitted 200 is ACKed again, nothing else happens.
        let again = line.receive(ok)
        #expect(again.requests.map(\.method) == [.ack])
        #expect(again.requests.first?.cseqNumber == invite.cseqNumber)
        #expect(again.reports.isEmpty && again.media.isEmpty)
        // Our BYE later goes the same way.
        let bye = try #require(line.command(.hangUp(id)).sent(.bye).first)
        #expect(bye.hop == ack.hop)
        #expect(bye.request.routeValues == ack.request.routeValues)
        #expect(bye.request.cseqNumber == invite.cseqNumber.map { $0 + 1 })
    }

    @Test("hold on an outbound call: the re-INVITE follows the INVITE's CSeq and the reversed Record-Route")
    func holdOutbound() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        line.receive(answer(invite, recordRoute: ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]))
        let sent = try #require(line.command(.hold(id)).sent(.invite).first)
        #expect(sent.hop == SIPHop(transport: .udp, host: "p1.example.com", port: 5060))
        #expect(sent.request.uri.description == "sip:bob@203.0.113.7:5070")
        #expect(sent.request.routeValues == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        #expect(sent.request.cseqNumber == invite.cseqNumber.map { $0 + 1 })
        #expect(sent.request.fromTag == invite.fromTag && sent.request.toTag == "callee-tag")
        #expect(sent.request.sdp?.audioDirection == .sendonly)
        #expect(sent.request.sdp?.origin.sessionVersion == invite.sdp.map { $0.origin.sessionVersion + 1 })
    }

    @Test("The callee's hold re-INVITE on an outbound call is answered and its 200 retransmitted to the callee")
    func calleeHolds() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        line.receive(answer(invite))
        let calleeHop = SIPHop(transport: .udp, host: "203.0.113.7", port: 5070)
        let reinvite = request(["INVITE sip:alice@198.51.100.5:5060 SIP/2.0",
                                "Via: SIP/2.0/UDP 203.0.113.7:5070;branch=z9hG4bKcalleehold1",
                                "Max-Forwards: 70", "From: <sip:4930555@pbx.example.com>;tag=callee-tag",
                                "To: \"Alice Agent\" <sip:alice@pbx.example.com>;tag=\(invite.fromTag ?? "")",
                                "Call-ID: \(invite.headers.callID ?? "")", "CSeq: 7 INVITE",
                                "Contact: <sip:bob@203.0.113.7:5070>", "Content-Type: application/sdp"],
                               body: remoteSDP(host: "203.0.113.7", port: 50000, direction: "sendonly", version: 2))
        let step = line.receive(reinvite, from: calleeHop)
        #expect(step.reports == [.remoteHold(id, true)])
        let ok = try #require(step.replies.first { $0.response.statusCode == 200 })
        #expect(ok.origin == calleeHop)
        #expect(ok.response.sdp?.audioDirection == .recvonly)
        let again = line.advance(by: ms(500))
        #expect(again.replies.map(\.origin) == [calleeHop])
    }

    @Test("Without Record-Route the ACK goes straight to the 200's Contact")
    func ackWithoutRoutes() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        let ack = try #require(line.receive(answer(invite)).sent(.ack).first)
        #expect(ack.hop == SIPHop(transport: .udp, host: "203.0.113.7", port: 5070))
        #expect(ack.request.routeValues.isEmpty)
    }

    @Test("A PCMA answer is sent as PCMA with payload type 8")
    func pcmaAnswer() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        let step = line.receive(answer(invite, sdp: remoteSDP(host: "203.0.113.7", port: 50000, formats: [8, 101])))
        #expect(step.media == [.start(id, MediaPlan(remoteHost: "203.0.113.7", remotePort: 50000, payloadType: 8,
                                                     codec: "PCMA", telephoneEventPayloadType: 101, sending: true))])
    }

    @Test("486 reports the outbound call failed with its status and closes media")
    func busy() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        let step = line.receive(answer(invite, status: 486))
        #expect(step.reports == [.outboundFailed(id, status: 486, reason: "Busy Here")])
        #expect(step.media == [.close(id)])
        #expect(step.requests(.ack).first?.branch == invite.branch)
        #expect(line.agent.callCount == 0)
    }

    @Test("No answer at all (Timer B) fails the call with 408")
    func noAnswer() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        let step = line.advance(by: .seconds(33))
        #expect(step.requests(.invite).count >= 5)
        #expect(step.requests(.invite).allSatisfy { $0.branch == invite.branch })
        guard case .call(.outboundFailed(let failed, let status, _)) = try #require(step.reports.first) else {
            Issue.record("no failure: \(step.reports)")
            return
        }
        #expect(failed == id && status == 408)
        #expect(step.media == [.close(id)])
    }

    @Test("cancelDial before any provisional response waits for one, then CANCELs with the INVITE's branch and CSeq")
    func cancelWaitsForProvisional() throws {
        var line = LineHarness()
        let sent = try dialled(&line)
        let invite = sent.request
        #expect(line.command(.cancelDial(id)).requests.isEmpty)
        #expect(line.receive(answer(invite, status: 100)).requests.isEmpty, "100 does not allow a CANCEL")
        let step = line.receive(answer(invite, status: 180))
        let cancel = try #require(step.sent(.cancel).first)
        #expect(cancel.hop == sent.hop)
        #expect(cancel.request.uri == invite.uri)
        #expect(cancel.request.branch == invite.branch)
        #expect(cancel.request.cseqNumber == invite.cseqNumber)
        #expect(try cancel.request.headers.cseq.method == .cancel)
        #expect(cancel.request.headers.callID == invite.headers.callID)
        #expect(cancel.request.fromTag == invite.fromTag)
        #expect(cancel.request.toTag == nil)
        // More provisional responses do not send the CANCEL again.
        let more = line.receive(answer(invite, status: 183))
        #expect(more.requests(.cancel).isEmpty)
        #expect(more.notes.isEmpty, "\(more.notes)")
        line.receive(reply(to: cancel.request, 200, toTag: "callee-tag"))
        let terminated = line.receive(answer(invite, status: 487))
        #expect(terminated.requests(.ack).count == 1)
        #expect(!terminated.reports.contains(.remoteAnswered(id)))
        #expect(line.agent.callCount == 0)
    }

    @Test("cancelDial before a 407: the challenge is not answered, so nothing rings after the agent hung up")
    func cancelBeforeChallenge() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        line.command(.cancelDial(id))
        let challenge = reply(to: invite, 407, toTag: "proxy-tag", headers: [
            ("Proxy-Authenticate", DigestVerifier(realm: Net.realm).challenge(nonce: "n").headerValue)])
        let step = line.receive(challenge)
        #expect(step.requests(.invite).isEmpty)
        #expect(step.requests(.ack).count == 1, "the transaction ACKs the 407")
        #expect(step.media == [.close(id)])
        #expect(line.agent.callCount == 0)
    }

    @Test("cancelDial after a provisional response CANCELs at once")
    func cancelAfterProvisional() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        line.receive(answer(invite, status: 180))
        let step = line.command(.cancelDial(id))
        #expect(step.requests(.cancel).first?.branch == invite.branch)
        let more = line.receive(answer(invite, status: 183))
        #expect(more.requests(.cancel).isEmpty)
        #expect(more.notes.isEmpty, "\(more.notes)")
    }

    @Test("A 200 arriving after cancelDial (before any provisional) is ACKed and ended with a BYE")
    func okAfterPendingCancel() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        line.command(.cancelDial(id))
        let step = line.receive(answer(invite))
        #expect(step.requests.map(\.method) == [.ack, .bye])
        #expect(!step.reports.contains(.remoteAnswered(id)))
        #expect(step.media == [.close(id)])
        #expect(line.agent.callCount == 0)
    }

    @Test("A 200 racing our CANCEL is ACKed and ended with a BYE, not reported answered")
    func okRacingCancel() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        line.receive(answer(invite, status: 180))
        let cancel = try #require(line.command(.cancelDial(id)).requests(.cancel).first)
        line.receive(reply(to: cancel, 200, toTag: "callee-tag"))
        let step = line.receive(answer(invite))
        #expect(step.requests.map(\.method) == [.ack, .bye])
        #expect(!step.reports.contains(.remoteAnswered(id)))
        #expect(!step.media.contains { if case .start = $0 { true } else { false } })
        #expect(line.agent.callCount == 0)
    }

    @Test("cancelDial while the port is still being opened drops the call and sends nothing")
    func cancelWhilePreparing() {
        var line = LineHarness()
        line.command(.dial(id, target: "4930555"))
        let step = line.command(.cancelDial(id))
        #expect(step.requests.isEmpty)
        #expect(step.media == [.close(id)])
        let late = line.feed(.mediaOpened(id, port: 31000))
        #expect(late.requests.isEmpty)
        #expect(late.media == [.close(id)])
    }

    @Test("A target that is neither a number nor a URI fails with 416 at once",
          arguments: ["not a number!", "", "12+34", "bob"])
    func badTarget(target: String) {
        var line = LineHarness()
        let step = line.command(.dial(id, target: target))
        guard case .call(.outboundFailed(let failed, let status, let reason)) = step.reports.first else {
            Issue.record("no failure for \(target): \(step.outputs)")
            return
        }
        #expect(failed == id && status == 416 && !reason.isEmpty)
        #expect(step.media.isEmpty && step.requests.isEmpty)
    }

    @Test("Without a registrar the INVITE goes straight to the URI's host and port")
    func directWithoutRegistrar() throws {
        var line = LineHarness(Net.configuration(registrar: false, credentials: false))
        let sent = try dialled(&line, target: "sip:bob@203.0.113.7:5070")
        #expect(sent.hop == SIPHop(transport: .udp, host: "203.0.113.7", port: 5070))
        #expect(sent.request.uri.description == "sip:bob@203.0.113.7:5070")
        #expect(try sent.request.headers.from.uri.description == "sip:alice@198.51.100.5:5060")
    }

    @Test("Without a registrar a TCP URI is reached over TCP with a TCP Via and Contact")
    func directTCP() throws {
        var line = LineHarness(Net.configuration(registrar: false, credentials: false))
        let sent = try dialled(&line, target: "sip:bob@203.0.113.7;transport=tcp")
        #expect(sent.hop == SIPHop(transport: .tcp, host: "203.0.113.7", port: 5060))
        #expect(try sent.request.headers.topVia?.transport == "TCP")
        #expect(sent.request.headers.first(.contact) == "<sip:alice@198.51.100.5:5060;transport=tcp>")
    }

    @Test("BYE from the callee ends an answered call")
    func calleeHangsUp() throws {
        var line = LineHarness()
        let invite = try dialled(&line).request
        line.receive(answer(invite))
        let bye = request(["BYE sip:alice@198.51.100.5:5060 SIP/2.0",
                           "Via: SIP/2.0/UDP 203.0.113.7:5070;branch=z9hG4bKcalleebye1",
                           "Max-Forwards: 70", "From: <sip:4930555@pbx.example.com>;tag=callee-tag",
                           "To: \"Alice Agent\" <sip:alice@pbx.example.com>;tag=\(invite.fromTag ?? "")",
                           "Call-ID: \(invite.headers.callID ?? "")", "CSeq: 1 BYE"])
        let step = line.receive(bye, from: SIPHop(transport: .udp, host: "203.0.113.7", port: 5070))
        #expect(step.statuses == [200])
        #expect(step.replies.first?.origin == SIPHop(transport: .udp, host: "203.0.113.7", port: 5070))
        #expect(step.reports == [.remoteHangUp(id)])
        #expect(step.media == [.close(id)])
    }
}
