import SDP
import SIP
import SoftphoneCore
import SoftphoneSIPMapping
import Testing
@testable import SIPUserAgent

/// An opus offer as pjsua writes it: opus/48000/2 with FEC, G722, G.711, both telephone-events.
func opusSDP(host: String = "192.0.2.10", port: Int = 40000, telephoneEvents: Bool = true) -> String {
    var lines = ["v=0", "o=pjsua 3918546125 3918546125 IN IP4 \(host)", "s=pjmedia", "c=IN IP4 \(host)", "t=0 0",
                 "m=audio \(port) RTP/AVP 111 9 8 0" + (telephoneEvents ? " 120 121" : ""),
                 "a=rtpmap:111 opus/48000/2", "a=fmtp:111 useinbandfec=1", "a=rtpmap:9 G722/8000",
                 "a=rtpmap:8 PCMA/8000", "a=rtpmap:0 PCMU/8000"]
    if telephoneEvents {
        lines += ["a=rtpmap:120 telephone-event/48000", "a=fmtp:120 0-16",
                  "a=rtpmap:121 telephone-event/8000", "a=fmtp:121 0-16"]
    }
    lines.append("a=sendrecv")
    return lines.joined(separator: "\r\n") + "\r\n"
}

@Suite("Sound signalling: codecs, DTMF, mute, early media")
struct SoundSignallingTests {
    let outID: CallID = "out-1"

    func configuration(codecs: [Codec] = Codec.all) -> LineAgentConfiguration {
        var c = Net.configuration()
        c.codecs = codecs
        return c
    }

    // MARK: Codecs

    @Test("An inbound opus offer is answered with opus; the plan has its clock and telephone-event/48000")
    func inboundOpus() throws {
        var line = LineHarness(configuration())
        var caller = Caller()
        let ok = try #require(line.answer(&caller, sdp: opusSDP()))
        let answer = try #require(ok.sdp)
        #expect(answer.media[0].formats == ["111", "120"])
        #expect(answer.media[0].fmtp(for: "111") == "useinbandfec=1")
        let start = try #require(line.history.media.compactMap { if case .start(_, let plan) = $0 { plan } else { nil } }.last)
        #expect(start == MediaPlan(remoteHost: "192.0.2.10", remotePort: 40000, payloadType: 111, codec: "opus",
                                   clockRate: 48000, telephoneEventPayloadType: 120, sending: true))
    }

    @Test("The configured order decides as answerer: PCMA first takes PCMA with telephone-event/8000")
    func inboundConfiguredOrder() throws {
        var line = LineHarness(configuration(codecs: [.pcma, .opus]))
        var caller = Caller()
        let ok = try #require(line.answer(&caller, sdp: opusSDP()))
        #expect(ok.sdp?.media[0].formats == ["8", "121"])
        let start = try #require(line.history.media.compactMap { if case .start(_, let plan) = $0 { plan } else { nil } }.last)
        #expect(start.codec == "PCMA" && start.payloadType == 8 && start.clockRate == 8000)
        #expect(start.telephoneEventPayloadType == 121)
    }

    @Test("An offer with none of the configured codecs is refused with 488")
    func noCommonCodec() {
        var line = LineHarness(configuration(codecs: [.g722]))
        let step = line.offer(Caller(), sdp: remoteSDP(formats: [0, 8, 101]))
        #expect(step.statuses.contains(488))
        #expect(step.reports.isEmpty)
    }

    @Test("Our INVITE offers the configured codecs in order; the answer's codec is what we send")
    func outboundOffer() throws {
        var line = LineHarness(configuration(codecs: [.g722, .pcmu]))
        line.command(.dial(outID, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        #expect(invite.sdp?.media[0].formats == ["9", "0", "101"])
        let ok = reply(to: invite, 200, toTag: "callee-tag", headers: [("Contact", "<sip:bob@203.0.113.7:5070>")],
                       sdp: remoteSDP(host: "203.0.113.7", port: 50000, formats: [0, 101]))
        let step = line.receive(ok)
        #expect(step.media == [.start(outID, MediaPlan(remoteHost: "203.0.113.7", remotePort: 50000, payloadType: 0,
                                                        codec: "PCMU", clockRate: 8000, telephoneEventPayloadType: 101,
                                                        sending: true))])
    }

    // MARK: DTMF and mute

    @Test("sendDTMF with telephone-event agreed goes to the media as RFC 4733; mute goes to the media")
    func dtmfByMedia() throws {
        var line = LineHarness(configuration())
        var caller = Caller()
        line.confirmedCall(&caller)
        let step = line.command(.sendDTMF(caller.coreID, "5"))
        #expect(step.media == [.dtmf(LineCallID(caller.callID), "5")])
        #expect(step.requests.isEmpty)
        #expect(line.command(.mute(caller.coreID, true)).media == [.mute(LineCallID(caller.callID), true)])
        #expect(line.command(.mute(caller.coreID, false)).media == [.mute(LineCallID(caller.callID), false)])
    }

    @Test("Without telephone-event, sendDTMF is an INFO application/dtmf-relay in the dialog; 2xx is quiet")
    func dtmfByInfo() throws {
        var line = LineHarness(configuration())
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(formats: [0, 8]))
        let step = line.command(.sendDTMF(caller.coreID, "#"))
        #expect(step.media.isEmpty)
        let sent = try #require(step.sent(.info).first)
        let info = sent.request
        #expect(sent.transaction != nil)
        #expect(info.headers.first(.contentType) == "application/dtmf-relay")
        #expect(String(decoding: info.body, as: UTF8.self) == "Signal=#\r\nDuration=160\r\n")
        #expect(info.headers.callID == caller.callID)
        #expect(info.toTag == caller.fromTag)
        #expect(info.routeValues == ["<sip:proxy.example.com;lr>"])
        let ok = line.receive(reply(to: info, 200, toTag: caller.fromTag))
        #expect(ok.notes.isEmpty && ok.reports.isEmpty && ok.requests.isEmpty)
        // The next digit takes the next CSeq.
        let second = try #require(line.command(.sendDTMF(caller.coreID, "1")).sent(.info).first).request
        #expect(second.cseqNumber == info.cseqNumber.map { $0 + 1 })
    }

    @Test("While the other side holds the call (we only receive), a digit goes by INFO, not into a stream we do not send")
    func dtmfWhileHeld() throws {
        var line = LineHarness(configuration())
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(formats: [0, 101], direction: "sendonly"))
        let step = line.command(.sendDTMF(caller.coreID, "7"))
        #expect(step.media.isEmpty)
        let info = try #require(step.sent(.info).first).request
        #expect(String(decoding: info.body, as: UTF8.self) == "Signal=7\r\nDuration=160\r\n")
    }

    @Test("A refused INFO is a note; the call goes on")
    func dtmfInfoRefused() throws {
        var line = LineHarness(configuration())
        var caller = Caller()
        line.confirmedCall(&caller, sdp: remoteSDP(formats: [0]))
        let info = try #require(line.command(.sendDTMF(caller.coreID, "7")).sent(.info).first).request
        let refused = line.receive(reply(to: info, 415, toTag: caller.fromTag))
        #expect(refused.notes.count == 1)
        #expect(refused.notes.first?.contains("415") == true)
        #expect(refused.reports.isEmpty)
        #expect(line.command(.hangUp(caller.coreID)).requests(.bye).count == 1)
    }

    @Test("sendDTMF before the call is confirmed, or with no digit, sends nothing")
    func dtmfIgnored() {
        var line = LineHarness(configuration())
        let caller = Caller()
        line.offer(caller)
        line.command(.ring(caller.coreID))
        let early = line.command(.sendDTMF(caller.coreID, "1"))
        #expect(early.requests.isEmpty && early.media.isEmpty)
        var confirmed = Caller(callID: "inbound-2@192.0.2.10", fromTag: "t2")
        confirmed.branch = "z9hG4bKinvite-2"
        line.confirmedCall(&confirmed, sdp: remoteSDP(formats: [0]))
        let bad = line.command(.sendDTMF(confirmed.coreID, "x"))
        #expect(bad.requests.isEmpty && bad.media.isEmpty)
    }

    @Test("Received INFO dtmf-relay and dtmf: 200 and the digit reported; other bodies 200 and nothing", arguments: [
        ("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", Optional<Character>("5")),
        ("application/dtmf-relay", "signal= *\nduration=250\n", "*"),
        ("Application/DTMF-Relay;charset=utf-8", "Signal=11\r\n", "#"),
        ("application/dtmf", "9", "9"),
        ("application/dtmf", "99", nil),
        ("application/dtmf-relay", "Signal=X\r\n", nil),
        ("application/media_control+xml", "<media_control/>", nil),
    ])
    func receivedInfo(contentType: String, body: String, digit: Character?) throws {
        var line = LineHarness(configuration())
        var caller = Caller()
        line.confirmedCall(&caller)
        let info = caller.inDialog("INFO", extra: ["Content-Type: \(contentType)"], body: body)
        let step = line.receive(info)
        #expect(step.statuses == [200])
        #expect(step.reports == (digit.map { [.dtmfReceived(caller.coreID, $0)] } ?? []))
    }

    // MARK: Early media

    @Test("183 with SDP starts media receive-only and reports early media once; the 200 then starts it both ways")
    func earlyMedia() throws {
        var line = LineHarness(configuration())
        line.command(.dial(outID, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        let early = remoteSDP(host: "203.0.113.7", port: 50000, formats: [8, 101])
        let progress = line.receive(reply(to: invite, 183, toTag: "callee-tag", sdp: early))
        let receiveOnly = MediaPlan(remoteHost: "203.0.113.7", remotePort: 50000, payloadType: 8, codec: "PCMA",
                                    clockRate: 8000, telephoneEventPayloadType: 101, sending: false)
        #expect(progress.media == [.start(outID, receiveOnly)])
        #expect(progress.reports == [.remoteRinging(outID), .earlyMedia(outID)])
        #expect(progress.events.contains(.earlyMedia(LineMapping.line(outID))))
        // Another 183 with the same SDP: nothing new.
        let again = line.receive(reply(to: invite, 183, toTag: "callee-tag", sdp: early))
        #expect(again.media.isEmpty && again.reports.isEmpty)
        // A 180 without SDP changes nothing either.
        let ringing = line.receive(reply(to: invite, 180, toTag: "callee-tag"))
        #expect(ringing.media.isEmpty && ringing.reports.isEmpty)
        let ok = line.receive(reply(to: invite, 200, toTag: "callee-tag", headers: [("Contact", "<sip:bob@203.0.113.7:5070>")],
                                    sdp: early))
        var both = receiveOnly
        both.sending = true
        #expect(ok.reports == [.remoteAnswered(outID)])
        #expect(ok.media == [.start(outID, both)])
    }

    @Test("A 200 without SDP after early media keeps the early answer, now sending")
    func earlyMediaThenBare200() throws {
        var line = LineHarness(configuration())
        line.command(.dial(outID, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        line.receive(reply(to: invite, 183, toTag: "callee-tag", sdp: remoteSDP(host: "203.0.113.7", port: 50000, formats: [0])))
        let ok = line.receive(reply(to: invite, 200, toTag: "callee-tag", headers: [("Contact", "<sip:bob@203.0.113.7:5070>")]))
        #expect(ok.media == [.start(outID, MediaPlan(remoteHost: "203.0.113.7", remotePort: 50000, payloadType: 0,
                                                      codec: "PCMU", clockRate: 8000, sending: true))])
    }

    @Test("A 183 whose SDP has no codec of ours starts nothing")
    func earlyMediaUnusable() throws {
        var line = LineHarness(configuration(codecs: [.opus]))
        line.command(.dial(outID, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        let step = line.receive(reply(to: invite, 183, toTag: "callee-tag", sdp: remoteSDP(formats: [18])))
        #expect(step.media.isEmpty && step.reports == [.remoteRinging(outID)])
    }

    @Test("Our offer answered in the peer's order: its first format we support is what it sends and we decode")
    func answerInTheirOrder() throws {
        var line = LineHarness(configuration())
        line.command(.dial(outID, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        // We offered opus, G722, PCMU, PCMA; the peer answers PCMU first, G722 second.
        let ok = line.receive(reply(to: invite, 200, toTag: "callee-tag", sdp: remoteSDP(formats: [0, 9, 101])))
        let plan = try #require(ok.media.compactMap { command -> MediaPlan? in
            if case .start(_, let plan) = command { return plan }
            return nil
        }.first)
        #expect(plan.codec == "PCMU" && plan.payloadType == 0)
    }

    @Test("Cancelling a call that plays early media stops its audio at once, before the 487")
    func cancelStopsEarlyMedia() throws {
        var line = LineHarness(configuration(codecs: [.pcma]))
        line.command(.dial(outID, target: "4930555"))
        let invite = try #require(line.feed(.mediaOpened(outID, port: 31000)).sent(.invite).first).request
        line.receive(reply(to: invite, 183, toTag: "callee-tag", sdp: remoteSDP(formats: [8, 101])))
        let cancel = line.command(.cancelDial(outID))
        #expect(cancel.media.contains(.close(outID)))
        #expect(!cancel.sent(.cancel).isEmpty)
    }
}

@Suite("DTMF by SIP INFO: the bodies")
struct DTMFInfoTests {
    @Test("our body; digits we accept; the garbage we do not")
    func bodies() {
        #expect(DTMFInfo.body(for: "1") == Array("Signal=1\r\nDuration=160\r\n".utf8))
        #expect(DTMFInfo.digit(contentType: "application/dtmf-relay", body: DTMFInfo.body(for: "D")) == "D")
        #expect(DTMFInfo.digit(contentType: "application/dtmf-relay", body: Array("Signal=a".utf8)) == "A")
        #expect(DTMFInfo.digit(contentType: "application/dtmf-relay", body: Array("Signal=10".utf8)) == "*")
        #expect(DTMFInfo.digit(contentType: "application/dtmf-relay", body: Array("Duration=160".utf8)) == nil)
        #expect(DTMFInfo.digit(contentType: "application/dtmf-relay", body: [0xFF, 0xFE, 0x3D]) == nil)
        #expect(DTMFInfo.digit(contentType: nil, body: Array("Signal=1".utf8)) == nil)
        #expect(DTMFInfo.digit(contentType: "application/dtmf-relay",
                               body: Array(repeating: UInt8(ascii: "x"), count: 5000)) == nil)
        #expect(DTMFInfo.isDigit("#") && !DTMFInfo.isDigit("E"))
    }
}
