import SDP
import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// Inbound call set-ups used by several suites.
extension LineHarness {
    /// The caller's INVITE has arrived and was reported.
    @discardableResult
    mutating func offer(_ caller: Caller, sdp: String? = remoteSDP(), extra: [String] = []) -> Step {
        receive(caller.invite(sdp: sdp, extra: extra))
    }

    /// INVITE, ring, port, answer: returns the 200 and learns our tag into `caller`.
    @discardableResult
    mutating func answer(_ caller: inout Caller, sdp: String? = remoteSDP(), port: UInt16 = 30000,
                         extra: [String] = []) -> SIPResponse? {
        offer(caller, sdp: sdp, extra: extra)
        let ringing = command(.ring(caller.coreID))
        caller.localTag = ringing.responses(180).first?.toTag
        feed(.mediaOpened(caller.coreID, port: port))
        return command(.answer(caller.coreID)).responses(200).first
    }

    /// An answered and acknowledged inbound call.
    mutating func confirmedCall(_ caller: inout Caller, sdp: String? = remoteSDP(), port: UInt16 = 30000,
                                extra: [String] = []) {
        guard answer(&caller, sdp: sdp, port: port, extra: extra) != nil else {
            Issue.record("the call was not answered")
            return
        }
        let ack = caller.ack(sequence: 1)
        receive(ack)
    }
}

struct QueueCase: Sendable, CustomTestStringConvertible {
    var label: String
    var extra: [String]
    var toUser = "alice"
    var uriUser: String?
    var queue: String?
    var testDescription: String { label }
}

@Suite("Inbound calls")
struct InboundCallTests {
    @Test("An INVITE gets 100 Trying at once and is reported with the caller's number and name")
    func inviteIsReported() throws {
        var line = LineHarness()
        let caller = Caller()
        let step = line.offer(caller)
        #expect(step.statuses == [100])
        let trying = try #require(step.replies.first)
        #expect(trying.origin == Net.caller)
        #expect(trying.response.toTag == nil)
        #expect(trying.response.headers.first(.via) == caller.invite().headers.first(.via))
        #expect(step.reports == [.incomingCall(IncomingCall(
            id: caller.coreID, from: Party(number: "+4930111222", name: "Ada Lovelace"), kind: .direct))])
        #expect(step.media.isEmpty)
        #expect(step.requests.isEmpty)
    }

    @Test("P-Asserted-Identity names the caller when present")
    func assertedIdentity() {
        var line = LineHarness()
        let caller = Caller()
        let step = line.receive(caller.invite(extra: ["P-Asserted-Identity: \"Support Desk\" <sip:5551234@pbx.example.com>"]))
        #expect(step.reports == [.incomingCall(IncomingCall(
            id: caller.coreID, from: Party(number: "5551234", name: "Support Desk"), kind: .direct))])
    }

    static let queueCases: [QueueCase] = [
        QueueCase(label: "X-Queue with the queue's name", extra: ["X-Queue: support"], queue: "Support"),
        QueueCase(label: "X-Queue with the queue's number", extra: ["X-Queue: 801"], queue: "Sales"),
        QueueCase(label: "Diversion from the queue number",
                  extra: ["Diversion: <sip:800@pbx.example.com>;reason=unconditional;counter=1"], queue: "Support"),
        QueueCase(label: "History-Info entry of the queue number",
                  extra: ["History-Info: <sip:801@pbx.example.com>;index=1, <sip:alice@pbx.example.com>;index=1.1"],
                  queue: "Sales"),
        QueueCase(label: "To user is the queue number", extra: [], toUser: "800", queue: "Support"),
        QueueCase(label: "Request-URI user is the queue number", extra: [], uriUser: "801", queue: "Sales"),
        QueueCase(label: "X-Queue naming no configured queue", extra: ["X-Queue: Billing"], queue: nil),
        QueueCase(label: "A plain direct call", extra: [], queue: nil),
    ]

    @Test("Queue calls are recognised with the configured QueueDirectory", arguments: queueCases)
    func queueRecognition(_ test: QueueCase) throws {
        var line = LineHarness()
        var caller = Caller()
        caller.toUser = test.toUser
        let step = line.receive(caller.invite(extra: test.extra, uriUser: test.uriUser))
        guard case .call(.incomingCall(let call)) = try #require(step.reports.first) else {
            Issue.record("no incoming call: \(step.reports)")
            return
        }
        #expect(call.kind.queue?.name == test.queue)
    }

    @Test("ring sends 180 with our To tag, our Contact and the Record-Route, and opens media")
    func ringSends180() throws {
        var line = LineHarness()
        var caller = Caller()
        caller.recordRoute = ["<sip:edge.example.com;lr>", "<sip:proxy.example.com;lr;transport=udp>"]
        line.offer(caller)
        let step = line.command(.ring(caller.coreID))
        let ringing = try #require(step.replies.first)
        #expect(step.statuses == [180])
        #expect(ringing.origin == Net.caller)
        #expect(ringing.response.toTag?.isEmpty == false)
        #expect(ringing.response.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>")
        #expect(ringing.response.headers.values(.recordRoute) == caller.recordRoute)
        #expect(step.media == [.open(caller.coreID)])
        #expect(step.reports.isEmpty)
        // A retransmitted INVITE gets the 180 again, from the transaction.
        let again = line.receive(caller.invite())
        #expect(again.statuses == [180])
        #expect(again.responses.first?.toTag == ringing.response.toTag)
        #expect(again.reports.isEmpty)
    }

    struct Direct: Sendable, CustomTestStringConvertible {
        var status: Int
        var target: String?
        var contact: String?
        var testDescription: String { "\(status)" + (target.map { " to \($0)" } ?? "") }
    }

    static let directAnswers: [Direct] = [
        Direct(status: 486),
        Direct(status: 480),
        Direct(status: 603),
        Direct(status: 302, target: "sip:voicemail@pbx.example.com", contact: "<sip:voicemail@pbx.example.com>"),
        Direct(status: 302, target: "+49 30 999", contact: "<sip:+4930999@pbx.example.com;user=phone>"),
        Direct(status: 302, target: "202", contact: "<sip:202@pbx.example.com>"),
    ]

    @Test("respond answers without ever ringing; the ACK is absorbed and nothing more happens",
          arguments: directAnswers)
    func respondWithoutRinging(_ direct: Direct) throws {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        let step = line.command(.respond(caller.coreID, status: direct.status, contact: direct.target))
        #expect(step.statuses == [direct.status])
        let final = try #require(step.responses.first)
        #expect(final.toTag?.isEmpty == false)
        #expect(final.headers.first(.contact) == direct.contact)
        #expect(step.media.isEmpty, "no media was opened for an unsignalled call")
        #expect(step.reports.isEmpty)
        let ack = line.receive(caller.ackForFailure(final))
        #expect(ack.responses.isEmpty && ack.requests.isEmpty && ack.actions.isEmpty && ack.media.isEmpty)
        let later = line.advance(by: .seconds(60))
        #expect(later.responses.isEmpty && later.requests.isEmpty && later.actions.isEmpty)
        #expect(line.history.responses(180).isEmpty, "never 180 for a call that is not signalled")
        #expect(line.agent.callCount == 0)
        #expect(line.agent.transactionCount == 0)
    }

    @Test("Declining a ringing call answers 603 and closes its media")
    func declineRinging() {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        let ringing = line.command(.ring(caller.coreID)).responses(180).first
        let step = line.command(.respond(caller.coreID, status: 603, contact: nil))
        #expect(step.statuses == [603])
        #expect(step.responses.first?.toTag == ringing?.toTag)
        #expect(step.media == [.close(caller.coreID)])
    }

    @Test("A non-2xx final answer is retransmitted (Timer G, doubling to T2) until the ACK on UDP")
    func finalAnswerRetransmittedUntilAck() throws {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        let busy = try #require(line.command(.respond(caller.coreID, status: 486, contact: nil)).responses.first)
        var times: [Duration] = []
        for _ in 0..<80 {
            if !line.advance(by: ms(100)).responses(486).isEmpty { times.append(line.now.offset) }
        }
        #expect(times == [ms(500), ms(1500), ms(3500), ms(7500)])
        line.receive(caller.ackForFailure(busy))
        #expect(line.runningTransactionTimers(.G).isEmpty)
        #expect(line.advance(by: .seconds(60)).responses.isEmpty)
    }

    /// The offered formats, our codecs in order of preference, and the codec answered.
    static let codecCases: [([Int], [Codec], String, UInt8)] = [
        ([0, 8, 101], Codec.all, "PCMU", 0), ([8, 0, 101], [.pcma, .pcmu], "PCMA", 8),
        ([8, 0, 101], Codec.all, "PCMU", 0), ([8], Codec.all, "PCMA", 8), ([18, 8, 101], Codec.all, "PCMA", 8),
        ([0], Codec.all, "PCMU", 0),
    ]

    @Test("answer before the media port is known sends 200 only after mediaOpened, with a matching G.711 answer",
          arguments: codecCases)
    func answerAfterMediaOpened(formats: [Int], codecs: [Codec], codec: String, payloadType: UInt8) throws {
        var configuration = Net.configuration()
        configuration.codecs = codecs
        var line = LineHarness(configuration)
        let caller = Caller()
        line.offer(caller, sdp: remoteSDP(formats: formats))
        #expect(line.command(.ring(caller.coreID)).media == [.open(caller.coreID)])
        let early = line.command(.answer(caller.coreID))
        #expect(early.responses.isEmpty, "no 200 before the RTP port is known")
        let step = line.feed(.mediaOpened(caller.coreID, port: 30000))
        let ok = try #require(step.responses(200).first)
        #expect(ok.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>")
        #expect(ok.headers.values(.recordRoute) == caller.recordRoute)
        #expect(ok.headers.first(.contentType) == "application/sdp")
        let answer = try #require(ok.sdp)
        let audio = try #require(answer.negotiatedAudio())
        #expect(audio.codec.name == codec)
        #expect(audio.payloadType == payloadType)
        #expect(audio.remote == RTPEndpoint(address: "198.51.100.5", port: 30000))
        #expect(audio.direction == .sendrecv)
        #expect(answer.media.count == 1)
        #expect(step.media == [.start(caller.coreID, MediaPlan(
            remoteHost: "192.0.2.10", remotePort: 40000, payloadType: payloadType, codec: codec, clockRate: 8000,
            telephoneEventPayloadType: formats.contains(101) ? 101 : nil, sending: true))])
    }

    @Test("answer without ringing opens media and never sends 180")
    func answerWithoutRinging() throws {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        let step = line.command(.answer(caller.coreID))
        #expect(step.media == [.open(caller.coreID)])
        #expect(step.responses.isEmpty)
        #expect(line.feed(.mediaOpened(caller.coreID, port: 30002)).statuses == [200])
        #expect(line.history.responses(180).isEmpty)
    }

    @Test("The 200 is retransmitted at T1 doubling to T2 until the ACK, then stops")
    func okRetransmittedUntilAck() throws {
        var line = LineHarness()
        var caller = Caller()
        let answered = line.answer(&caller)
        let ok = try #require(answered)
        var times: [Duration] = []
        for _ in 0..<120 {
            let step = line.advance(by: ms(100))
            for reply in step.replies where reply.response.statusCode == 200 {
                #expect(reply.response == ok)
                #expect(reply.origin == Net.caller)
                times.append(line.now.offset)
            }
        }
        #expect(times == [ms(500), ms(1500), ms(3500), ms(7500), ms(11500)])
        let acked = line.receive(caller.ack(sequence: 1))
        #expect(acked.reports.isEmpty)
        #expect(!line.isRunning(.okRetransmit(callID: caller.callID)))
        #expect(!line.isRunning(.okTimeout(callID: caller.callID)))
        let later = line.advance(by: .seconds(120))
        #expect(later.responses.isEmpty && later.requests.isEmpty && later.reports.isEmpty)
    }

    @Test("64·T1 without an ACK ends the call with a BYE and reports a remote hang-up")
    func noAckEndsCall() throws {
        var line = LineHarness()
        var caller = Caller()
        let answered = line.answer(&caller)
        let ok = try #require(answered)
        let step = line.advance(by: .seconds(32))
        #expect(step.reports == [.remoteHangUp(caller.coreID)])
        let bye = try #require(step.sent(.bye).first)
        #expect(bye.hop == Net.proxy)
        #expect(bye.request.uri.description == "sip:ada@192.0.2.10:5060")
        #expect(bye.request.routeValues == ["<sip:proxy.example.com;lr>"])
        #expect(bye.request.fromTag == ok.toTag)
        #expect(bye.request.toTag == caller.fromTag)
        #expect(step.media == [.close(caller.coreID)])
        #expect(!step.notes.isEmpty)
        #expect(line.agent.callCount == 0)
        #expect(line.advance(by: .seconds(60)).responses(200).isEmpty)
    }

    @Test("A retransmitted INVITE after the 200 gets the 200 again")
    func retransmittedInviteAfterOk() throws {
        var line = LineHarness()
        var caller = Caller()
        let answered = line.answer(&caller)
        let ok = try #require(answered)
        let step = line.receive(caller.invite())
        #expect(step.responses == [ok])
        #expect(step.replies.first?.origin == Net.caller)
        #expect(step.reports.isEmpty)
    }

    @Test("CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE, caller cancelled, media closed")
    func cancelWhileRinging() throws {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        let tag = line.command(.ring(caller.coreID)).responses(180).first?.toTag
        let step = line.receive(caller.cancel())
        #expect(step.statuses == [200, 487])
        #expect(try step.responses[0].headers.cseq.method == .cancel)
        #expect(try step.responses[1].headers.cseq.method == .invite)
        #expect(step.responses[1].toTag == tag)
        #expect(step.reports == [.callerCancelled(caller.coreID)])
        #expect(step.media == [.close(caller.coreID)])
        // The ACK for the 487 is absorbed by the transaction.
        let ack = line.receive(caller.ackForFailure(step.responses[1]))
        #expect(ack.responses.isEmpty && ack.reports.isEmpty)
        #expect(line.agent.callCount == 0)
        // Late commands for the call do nothing.
        #expect(line.command(.answer(caller.coreID)).outputs.isEmpty)
        #expect(line.feed(.mediaOpened(caller.coreID, port: 30000)).media == [.close(caller.coreID)])
    }

    @Test("CANCEL before the core decided reports the caller cancelled too")
    func cancelWhileOffered() {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        let step = line.receive(caller.cancel())
        #expect(step.statuses == [200, 487])
        #expect(step.reports == [.callerCancelled(caller.coreID)])
        #expect(step.media.isEmpty)
    }

    @Test("BYE in the early dialog while ringing: 200 for the BYE, 487 for the INVITE, caller cancelled")
    func byeWhileRinging() throws {
        var line = LineHarness()
        var caller = Caller()
        line.offer(caller)
        caller.localTag = line.command(.ring(caller.coreID)).responses(180).first?.toTag
        let step = line.receive(caller.inDialog("BYE"))
        #expect(step.statuses == [200, 487])
        #expect(try step.responses[0].headers.cseq.method == .bye)
        #expect(try step.responses[1].headers.cseq.method == .invite)
        #expect(step.responses[1].toTag == caller.localTag)
        #expect(step.reports == [.callerCancelled(caller.coreID)])
        #expect(step.media == [.close(caller.coreID)])
        line.receive(caller.ackForFailure(step.responses[1]))
        line.advance(by: .seconds(60))
        #expect(line.agent.transactionCount == 0)
        #expect(line.agent.callCount == 0)
    }

    /// Rings and answers; the RTP port is still being opened.
    func accepted(_ line: inout LineHarness, _ caller: inout Caller) {
        line.offer(caller)
        caller.localTag = line.command(.ring(caller.coreID)).responses(180).first?.toTag
        line.command(.answer(caller.coreID))
    }

    @Test("CANCEL after the agent accepted (port still opening) is reported as a remote hang-up of the accepted call")
    func cancelAfterAccept() {
        var line = LineHarness()
        var caller = Caller()
        accepted(&line, &caller)
        let step = line.receive(caller.cancel())
        #expect(step.statuses == [200, 487])
        // The core made the call active on accept; it only ends active calls on remoteHangUp.
        #expect(step.reports == [.remoteHangUp(caller.coreID)])
        #expect(step.media == [.close(caller.coreID)])
    }

    @Test("The media layer failing after the agent accepted is reported as a remote hang-up")
    func mediaFailedAfterAccept() {
        var line = LineHarness()
        var caller = Caller()
        accepted(&line, &caller)
        let step = line.feed(.mediaFailed(caller.coreID, reason: "no ports"))
        #expect(step.statuses == [500])
        #expect(step.reports == [.remoteHangUp(caller.coreID)])
    }

    @Test("hangUp after accepting, before the port is known, refuses the call instead of answering it later")
    func hangUpWhileAnswering() throws {
        var line = LineHarness()
        var caller = Caller()
        accepted(&line, &caller)
        let step = line.command(.hangUp(caller.coreID))
        let final = try #require(step.responses.first, "the INVITE gets a final answer")
        #expect(final.statusCode >= 400)
        #expect(final.toTag == caller.localTag)
        #expect(step.media == [.close(caller.coreID)])
        let late = line.feed(.mediaOpened(caller.coreID, port: 30000))
        #expect(late.responses.isEmpty, "no 200 for a call the agent hung up")
        #expect(line.agent.callCount == 0)
    }

    @Test("A second INVITE with the same Call-ID on another branch is a merged request: 482, not a second call")
    func mergedRequest() {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        var other = caller
        other.branch = "z9hG4bKother-path"
        let step = line.receive(other.invite())
        #expect(step.statuses == [100, 482])
        #expect(step.reports.isEmpty)
        #expect(line.agent.callCount == 1)
    }

    @Test("CANCEL that matches no INVITE gets 481")
    func cancelForNothing() {
        var line = LineHarness()
        let step = line.receive(Caller(callID: "nothing@192.0.2.10").cancel())
        #expect(step.statuses == [481])
        #expect(step.reports.isEmpty)
    }

    @Test("The media layer failing while ringing refuses the call and reports it cancelled")
    func mediaFailedWhileRinging() {
        var line = LineHarness()
        let caller = Caller()
        line.offer(caller)
        line.command(.ring(caller.coreID))
        let step = line.feed(.mediaFailed(caller.coreID, reason: "no ports"))
        #expect(step.statuses == [500])
        #expect(step.reports == [.callerCancelled(caller.coreID)])
        #expect(!step.notes.isEmpty)
    }
}
