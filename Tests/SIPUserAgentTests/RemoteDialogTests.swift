import SDP
import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

@Suite("Requests from the other side")
struct RemoteDialogTests {
    @Test("BYE in a confirmed call gets 200 and reports a remote hang-up")
    func byeEndsCall() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        let step = line.receive(caller.inDialog("BYE"))
        #expect(step.statuses == [200])
        let ok = try #require(step.responses.first)
        #expect(ok.toTag == caller.localTag)
        #expect(step.reports == [.remoteHangUp(caller.coreID)])
        #expect(step.media == [.close(caller.coreID)])
        #expect(line.agent.callCount == 0)
        // The dialog is gone: another BYE for it gets 481.
        #expect(line.receive(caller.inDialog("BYE")).statuses == [481])
    }

    @Test("re-INVITE with sendonly is answered recvonly and reports remote hold; sendrecv takes it back")
    func remoteHoldAndResume() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        let hold = caller.inDialog("INVITE", sdp: remoteSDP(direction: "sendonly", version: 2))
        let step = line.receive(hold)
        #expect(step.statuses == [100, 200])
        let ok = try #require(step.responses(200).first)
        #expect(ok.headers.first(.contact) == "<sip:alice@198.51.100.5:5060>")
        #expect(ok.sdp?.audioDirection == .recvonly)
        #expect(ok.sdp?.negotiatedAudio()?.remote?.port == 30000, "the same RTP port")
        #expect(step.reports == [.remoteHold(caller.coreID, true)])
        #expect(step.media == [.start(caller.coreID, MediaPlan(remoteHost: "192.0.2.10", remotePort: 40000,
                                                               payloadType: 0, codec: "PCMU",
                                                               telephoneEventPayloadType: 101, sending: false))])
        line.receive(caller.ack(sequence: caller.sequence))
        #expect(!line.isRunning(.okRetransmit(callID: caller.callID)))

        let resume = line.receive(caller.inDialog("INVITE", sdp: remoteSDP(direction: "sendrecv", version: 3)))
        #expect(resume.statuses == [100, 200])
        #expect(resume.responses(200).first?.sdp?.audioDirection == .sendrecv)
        #expect(resume.reports == [.remoteHold(caller.coreID, false)])
        #expect(resume.media.first.map { if case .start(_, let plan) = $0 { plan.sending } else { false } } == true)
        // The SDP version of our answers grows.
        let versions = [ok] + resume.responses(200)
        let numbers = versions.compactMap { $0.sdp?.origin.sessionVersion }
        #expect(numbers.count == 2 && numbers[0] < numbers[1])
    }

    @Test("A re-INVITE 200 is retransmitted until its ACK, like the first one")
    func reinviteOkRetransmitted() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        let ok = try #require(line.receive(caller.inDialog("INVITE", sdp: remoteSDP(version: 2))).responses(200).first)
        let later = line.advance(by: ms(1600))
        #expect(later.responses == [ok, ok])
        line.receive(caller.ack(sequence: caller.sequence))
        #expect(line.advance(by: .seconds(40)).outputs.allSatisfy { if case .respond = $0 { false } else { true } })
    }

    @Test("re-INVITE without SDP: our 200 carries an offer and the ACK's answer starts media")
    func reinviteWithoutOffer() throws {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        let step = line.receive(caller.inDialog("INVITE"))
        let ok = try #require(step.responses(200).first)
        let offer = try #require(ok.sdp)
        #expect(offer.negotiatedAudio()?.remote == RTPEndpoint(address: "198.51.100.5", port: 30000))
        #expect(offer.audioDirection == .sendrecv)
        #expect(Set(offer.media[0].formats).isSuperset(of: ["0", "8"]))
        #expect(step.media.isEmpty, "nothing changes before the answer")
        let answer = remoteSDP(host: "192.0.2.20", port: 41000, formats: [8], version: 2)
        let ack = line.receive(caller.ack(sequence: caller.sequence, sdp: answer))
        #expect(ack.media == [.start(caller.coreID, MediaPlan(remoteHost: "192.0.2.20", remotePort: 41000,
                                                              payloadType: 8, codec: "PCMA", sending: true))])
        #expect(!line.isRunning(.okRetransmit(callID: caller.callID)))
    }

    @Test("A REFER from the other side is refused with 603 and noted")
    func referRefused() {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        let step = line.receive(caller.inDialog("REFER", extra: ["Refer-To: <sip:mallory@evil.example.com>"]))
        #expect(step.statuses == [603])
        #expect(step.reports.isEmpty)
        #expect(step.notes.contains { $0.contains("mallory@evil.example.com") })
        #expect(line.agent.callCount == 1, "the call goes on")
    }

    @Test("In-dialog requests for an unknown dialog get 481")
    func unknownDialog() {
        var line = LineHarness()
        var caller = Caller()
        line.confirmedCall(&caller)
        var stranger = Caller(callID: "other@192.0.2.10")
        stranger.localTag = "not-ours"
        for method in ["BYE", "INVITE", "NOTIFY", "INFO"] {
            let statuses = line.receive(stranger.inDialog(method)).statuses
            #expect(statuses.filter { $0 != 100 } == [481], "\(method): \(statuses)")
        }
        var wrongTag = caller
        wrongTag.localTag = "not-ours"
        let step = line.receive(wrongTag.inDialog("BYE"))
        #expect(step.statuses == [481])
        #expect(step.reports.isEmpty)
        // Out of a dialog, BYE has nothing to end either.
        var third = Caller(callID: "third@192.0.2.10")
        #expect(line.receive(third.inDialog("BYE")).statuses == [481])
        #expect(line.agent.callCount == 1)
    }

    @Test("OPTIONS is answered 200 with Allow")
    func optionsAnswered() throws {
        var line = LineHarness()
        var pinger = Caller(callID: "ping@192.0.2.10")
        let step = line.receive(pinger.inDialog("OPTIONS"))
        #expect(step.statuses == [200])
        let allow = try #require(step.responses.first?.headers.first(.allow))
        for method in ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS"] { #expect(allow.contains(method)) }
    }

    @Test("An unknown method gets 501; MESSAGE outside a dialog gets 405 with Allow")
    func unknownMethods() throws {
        var line = LineHarness()
        var first = Caller(callID: "x@192.0.2.10"), second = Caller(callID: "y@192.0.2.10")
        let unknown = line.receive(first.inDialog("FROBNICATE"))
        #expect(unknown.statuses == [501])
        let message = line.receive(second.inDialog("MESSAGE", body: "hello"))
        #expect(message.statuses == [405])
        #expect(message.responses.first?.headers.contains(.allow) == true)
        #expect(line.agent.callCount == 0)
    }

    @Test("INVITE with a Require the line does not support (now that 100rel is) gets 420 with Unsupported and is not reported")
    func requireUnsupported() throws {
        var line = LineHarness()
        let caller = Caller()
        let step = line.receive(caller.invite(extra: ["Require: precondition"]))
        #expect(step.statuses == [100, 420])
        #expect(step.responses.last?.headers.first(HeaderName("Unsupported")) == "precondition")
        #expect(step.reports.isEmpty)
        #expect(line.agent.callCount == 0)
    }

    @Test("INVITE offering only G.729, or broken SDP, gets 488 and a note, and is not reported",
          arguments: [remoteSDP(formats: [18]), "this is not SDP", remoteSDP(formats: [0]).replacing("m=audio", with: "m=video")])
    func unacceptableOffer(sdp: String) {
        var line = LineHarness()
        let caller = Caller()
        let step = line.receive(caller.invite(sdp: sdp))
        #expect(step.statuses == [100, 488])
        #expect(step.reports.isEmpty)
        #expect(!step.notes.isEmpty)
        #expect(line.agent.callCount == 0)
        #expect(line.history.responses(180).isEmpty)
    }

    @Test("INVITE without SDP is offered; the 200 carries our offer and the ACK's answer starts media")
    func lateOfferCall() throws {
        var line = LineHarness()
        var caller = Caller()
        let answered = line.answer(&caller, sdp: nil)
        let ok = try #require(answered)
        #expect(ok.sdp?.negotiatedAudio()?.remote?.port == 30000)
        let ack = line.receive(caller.ack(sequence: 1, sdp: remoteSDP(formats: [8])))
        #expect(ack.media == [.start(caller.coreID, MediaPlan(remoteHost: "192.0.2.10", remotePort: 40000,
                                                              payloadType: 8, codec: "PCMA", sending: true))])
    }
}
