import SDP
import SIP
import Testing
@testable import SIPUserAgent

/// The calls machine alone (not through `LineAgent`): requests and responses of the calls'
/// transactions, the app's call requests, timers and media results in; responses on
/// transactions, requests, timers, events and media commands out. The 100 Trying of an
/// inbound INVITE is its server transaction's (tested through the agent), not the machine's.
@Suite("Sessions machine")
struct SessionsTests {
    var context = AgentContext(configuration: Net.configuration(credentials: false),
                               random: SIPRandom(seed: 11), nonces: SIPRandom(seed: 12), authenticator: nil)
    var machine = Sessions(sessionID: 4242)
    var caller = Caller()
    var id: LineCallID { LineCallID(caller.callID) }

    mutating func step(_ input: Sessions.Input) -> [Sessions.Output] { machine.handle(input, &context) }

    static func responses(_ outputs: [Sessions.Output]) -> [(SIPResponse, TransactionKey)] {
        outputs.compactMap { if case .respond(let r, let key) = $0 { (r, key) } else { nil } }
    }
    static func statuses(_ outputs: [Sessions.Output]) -> [Int] { responses(outputs).map(\.0.statusCode) }
    static func sent(_ outputs: [Sessions.Output]) -> [(request: SIPRequest, tracked: Bool)] {
        outputs.compactMap { if case .send(let r, _, let tracked) = $0 { (r, tracked) } else { nil } }
    }
    static func events(_ outputs: [Sessions.Output]) -> [LineEvent] {
        outputs.compactMap { if case .report(let e) = $0, !e.isNote { e } else { nil } }
    }
    static func key(_ request: SIPRequest) throws -> TransactionKey { try TransactionKey.server(receiving: request) }

    /// An inbound INVITE offered to the core.
    mutating func offered() throws -> (SIPRequest, TransactionKey) {
        let invite = caller.invite()
        let key = try Self.key(invite)
        _ = step(.invite(invite, key: key, origin: Net.caller))
        return (invite, key)
    }

    /// An inbound call answered and acknowledged: the call is up.
    mutating func connected() throws -> TransactionKey {
        let (_, key) = try offered()
        _ = step(.command(.ring(id)))
        _ = step(.command(.answer(id)))
        let out = step(.mediaOpened(id, port: 7078))
        let ok = try #require(Self.responses(out).first?.0)
        caller.localTag = ok.toTag
        _ = step(.ack(caller.ack(sequence: 1)))
        return key
    }

    @Test("An inbound INVITE becomes an incoming-call event; nothing is answered yet")
    mutating func incoming() throws {
        let invite = caller.invite()
        let out = step(.invite(invite, key: try Self.key(invite), origin: Net.caller))
        #expect(Self.responses(out).isEmpty)
        let call = try #require(Self.events(out).first.flatMap { if case .incomingCall(let c) = $0 { c } else { nil } })
        #expect(call.id == id)
        #expect(machine.calls.count == 1)
    }

    @Test("Ring sends 180 on the INVITE's transaction and readies media")
    mutating func ring() throws {
        let (_, key) = try offered()
        let out = step(.command(.ring(id)))
        let (response, on) = try #require(Self.responses(out).first)
        #expect(response.statusCode == 180 && on == key && response.toTag != nil)
        #expect(out.contains(.media(.open(id))))
    }

    @Test("Answer sends 200 with our SDP once the port is ready, retransmits it until the ACK")
    mutating func answer() throws {
        let (_, key) = try offered()
        _ = step(.command(.ring(id)))
        #expect(step(.command(.answer(id))).isEmpty, "the 200 waits for the RTP port")
        let out = step(.mediaOpened(id, port: 7078))
        let (ok, on) = try #require(Self.responses(out).first)
        #expect(ok.statusCode == 200 && on == key)
        #expect(ok.sdp?.negotiatedAudio()?.remote?.port == 7078)
        #expect(out.contains { if case .media(.start(id, _)) = $0 { true } else { false } })
        #expect(out.contains(.startTimer(.okRetransmit(callID: caller.callID), after: SIPTimers().t1)))
        let again = step(.timerFired(.okRetransmit(callID: caller.callID)))
        #expect(again.first == .resend(ok, to: Net.caller))
        caller.localTag = ok.toTag
        let acked = step(.ack(caller.ack(sequence: 1)))
        #expect(acked.contains(.cancelTimer(.okRetransmit(callID: caller.callID))))
        #expect(acked.contains(.cancelTimer(.okTimeout(callID: caller.callID))))
        #expect(step(.timerFired(.okRetransmit(callID: caller.callID))).isEmpty, "no resend after the ACK")
    }

    @Test("CANCEL of a ringing call: 200 for it, 487 for the INVITE, a cancelled event, media closed")
    mutating func cancel() throws {
        let (_, inviteKey) = try offered()
        _ = step(.command(.ring(id)))
        let cancel = caller.cancel()
        let cancelKey = try Self.key(cancel)
        let out = step(.cancel(cancel, key: cancelKey, inviteProceeding: true))
        let answers = Self.responses(out)
        #expect(answers.map(\.0.statusCode) == [200, 487])
        #expect(answers.map(\.1) == [cancelKey, inviteKey])
        #expect(Self.events(out) == [.callerCancelled(id)])
        #expect(out.contains(.media(.close(id))))
        #expect(machine.calls.isEmpty)
    }

    @Test("A CANCEL without its INVITE transaction is answered 481")
    mutating func cancelUnknown() throws {
        let cancel = caller.cancel()
        #expect(Self.statuses(step(.cancel(cancel, key: try Self.key(cancel), inviteProceeding: nil))) == [481])
    }

    @Test("BYE from the other side: 200 and a remote hang-up")
    mutating func byeIn() throws {
        _ = try connected()
        let bye = caller.inDialog("BYE")
        let out = step(.inDialog(bye, key: try Self.key(bye), origin: Net.caller))
        #expect(Self.statuses(out) == [200])
        #expect(Self.events(out) == [.remoteHangUp(id)])
        #expect(out.contains(.media(.close(id))))
        #expect(machine.calls.isEmpty)
    }

    @Test("Hang-up by the agent: a BYE in the dialog, through the proxy's route, and the call is forgotten")
    mutating func byeOut() throws {
        _ = try connected()
        let out = step(.command(.hangUp(id)))
        let bye = try #require(Self.sent(out).first)
        #expect(bye.request.method == .bye && !bye.tracked)
        #expect(bye.request.toTag == caller.fromTag && bye.request.fromTag == caller.localTag)
        #expect(bye.request.routeValues == ["<sip:proxy.example.com;lr>"])
        #expect(machine.calls.isEmpty)
    }

    @Test("Hold sends a sendonly re-INVITE; 491 retries after 2.1–4 s; its 200 is ACKed and the call is held")
    mutating func holdWithGlare() throws {
        _ = try connected()
        let first = try #require(Self.sent(step(.command(.hold(id)))).first)
        #expect(first.request.method == .invite && first.tracked)
        #expect(first.request.sdp?.audioDirection == .sendonly)
        let firstKey = try TransactionKey.client(sending: first.request)
        let glare = step(.response(reply(to: first.request, 491, toTag: caller.fromTag), key: firstKey,
                                   callID: caller.callID))
        let wait = try #require(glare.compactMap { output -> Duration? in
            if case .startTimer(.reinviteRetry, let after) = output { after } else { nil }
        }.first)
        #expect(wait >= .milliseconds(2100) && wait < .seconds(4))
        let retry = try #require(Self.sent(step(.timerFired(.reinviteRetry(callID: caller.callID)))).first)
        #expect(retry.request.method == .invite && retry.request.sdp?.audioDirection == .sendonly)
        #expect(retry.request.cseqNumber == first.request.cseqNumber.map { $0 + 1 })
        let ok = reply(to: retry.request, 200, toTag: caller.fromTag,
                       headers: [("Contact", caller.contact)], sdp: remoteSDP(direction: "recvonly"))
        let out = step(.response(ok, key: try TransactionKey.client(sending: retry.request), callID: caller.callID))
        let ack = try #require(out.compactMap { if case .ack(let r, _) = $0 { r } else { nil } }.first)
        #expect(ack.cseqNumber == retry.request.cseqNumber)
        #expect(machine.calls[caller.callID]?.localHold == true)
        let resume = try #require(Self.sent(step(.command(.resume(id)))).first)
        #expect(resume.request.sdp?.audioDirection == .sendrecv)
    }

    @Test("A re-INVITE from the other side putting us on hold: 200 with our answer and a remote-hold event")
    mutating func remoteHold() throws {
        _ = try connected()
        let reinvite = caller.inDialog("INVITE", sdp: remoteSDP(direction: "sendonly", version: 2))
        let out = step(.inDialog(reinvite, key: try Self.key(reinvite), origin: Net.caller))
        let ok = try #require(Self.responses(out).first?.0)
        #expect(ok.statusCode == 200 && ok.sdp?.audioDirection == .recvonly)
        #expect(Self.events(out) == [.remoteHold(id, true)])
    }

    @Test("An outbound call: media first, then the INVITE; 486 is a failed event and the call is forgotten")
    mutating func outboundBusy() throws {
        let out: LineCallID = "out-1"
        #expect(step(.command(.dial(out, target: "1234"))) == [.media(.open(out))])
        let invite = try #require(Self.sent(step(.mediaOpened(out, port: 7080))).first)
        #expect(invite.request.method == .invite && invite.tracked)
        #expect(invite.request.sdp?.negotiatedAudio()?.remote?.port == 7080)
        let callID = try #require(invite.request.headers.callID)
        let busy = step(.response(reply(to: invite.request, 486, reason: "Busy Here"),
                                  key: try TransactionKey.client(sending: invite.request), callID: callID))
        #expect(Self.events(busy) == [.outboundFailed(out, status: 486, reason: "Busy Here")])
        #expect(busy.contains(.media(.close(out))))
        #expect(machine.calls.isEmpty)
    }

    @Test("An outbound call answered: ACK, remote-answered event, media started")
    mutating func outboundAnswered() throws {
        let out: LineCallID = "out-2"
        _ = step(.command(.dial(out, target: "1234")))
        let invite = try #require(Self.sent(step(.mediaOpened(out, port: 7080))).first)
        let callID = try #require(invite.request.headers.callID)
        let ok = reply(to: invite.request, 200, headers: [("Contact", "<sip:1234@192.0.2.20>")], sdp: remoteSDP())
        let answered = step(.response(ok, key: try TransactionKey.client(sending: invite.request), callID: callID))
        #expect(answered.contains { if case .ack = $0 { true } else { false } })
        #expect(Self.events(answered) == [.remoteAnswered(out)])
        #expect(answered.contains { if case .media(.start(out, _)) = $0 { true } else { false } })
    }
}

extension LineEvent {
    var isNote: Bool { if case .note = self { true } else { false } }
}
