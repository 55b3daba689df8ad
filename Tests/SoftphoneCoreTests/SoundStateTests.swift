import Testing
@testable import SoftphoneCore

@Suite("Sound state: DTMF, mute, early media, tones (SPEC section 7)")
struct SoundStateTests {
    /// A signalled direct call, answered.
    func connected(_ h: inout Harness, _ id: CallID = "c1") {
        h.send(.incomingCall(call(id)))
        h.send(.accept(id), after: .seconds(2))
    }

    @Test("DTMF on the active call: the digit goes to the line and is kept (last 24)")
    func sendDTMF() {
        var h = Harness()
        connected(&h)
        #expect(h.send(.sendDTMF("c1", "1")) == [.line(.sendDTMF("c1", "1"))])
        h.send(.sendDTMF("c1", "#"))
        h.send(.sendDTMF("c1", "a"))
        #expect(h.state.call("c1")?.digitsSent == "1#A")
        for _ in 0..<30 { h.send(.sendDTMF("c1", "9")) }
        #expect(h.state.call("c1")?.digitsSent == String(repeating: "9", count: 24))
    }

    @Test("DTMF without an active call — ringing, held, dialling, unknown, or no digit — is a note, nothing sent")
    func dtmfRefused() {
        var h = Harness()
        h.send(.incomingCall(call("r1")))
        let before = h.state.log.appended
        #expect(h.send(.sendDTMF("r1", "1")).isEmpty)
        #expect(h.state.log.appended == before + 1)
        h.send(.accept("r1"))
        h.send(.hold("r1"))
        #expect(h.send(.sendDTMF("r1", "1")).isEmpty)
        h.send(.resume("r1"))
        #expect(h.send(.sendDTMF("r1", "x")).isEmpty)
        #expect(h.send(.sendDTMF("nope", "1")).isEmpty)
        #expect(h.state.call("r1")?.digitsSent == "")
    }

    @Test("Mute toggles on a connected call, survives hold and resume; a new call starts unmuted")
    func mute() {
        var h = Harness()
        connected(&h)
        #expect(h.send(.toggleMute("c1")) == [.line(.mute("c1", true))])
        #expect(h.state.call("c1")?.muted == true)
        h.send(.hold("c1"))
        #expect(h.state.call("c1")?.muted == true)
        h.send(.resume("c1"))
        #expect(h.state.call("c1")?.muted == true)
        // Held calls may be (un)muted too.
        h.send(.hold("c1"))
        #expect(h.send(.toggleMute("c1")) == [.line(.mute("c1", false))])
        h.send(.resume("c1"))
        h.send(.toggleMute("c1"))
        h.send(.hangUp("c1"))
        connected(&h, "c2")
        #expect(h.state.call("c2")?.muted == false)
    }

    @Test("Mute of a ringing or unknown call does nothing")
    func muteRefused() {
        var h = Harness()
        h.send(.incomingCall(call("r1")))
        #expect(h.send(.toggleMute("r1")).isEmpty)
        #expect(h.send(.toggleMute("zz")).isEmpty)
        #expect(h.state.call("r1")?.muted == false)
    }

    @Test("Received digits are kept per call (last 24); garbage and unknown calls are ignored")
    func received() {
        var h = Harness()
        connected(&h)
        for c in "45*" { h.send(.dtmfReceived("c1", c)) }
        h.send(.dtmfReceived("c1", "?"))
        h.send(.dtmfReceived("other", "1"))
        #expect(h.state.call("c1")?.digitsReceived == "45*")
        for _ in 0..<40 { h.send(.dtmfReceived("c1", "0")) }
        #expect(h.state.call("c1")?.digitsReceived.count == 24)
    }

    @Test("Early media marks a dialled call and stops ringback; nothing for other phases")
    func earlyMedia() {
        var h = Harness()
        h.send(.dial("o1", to: "4930555"))
        h.send(.remoteRinging("o1"))
        #expect(h.state.ringbackWanted)
        h.send(.earlyMedia("o1"))
        #expect(h.state.call("o1")?.earlyMedia == true)
        #expect(!h.state.ringbackWanted)
        h.send(.remoteAnswered("o1"))
        #expect(!h.state.ringbackWanted)
        h.send(.incomingCall(call("r1")))
        h.send(.earlyMedia("r1"))
        #expect(h.state.call("r1")?.earlyMedia == false)
    }

    @Test("The media layer says a call is encrypted (SRTP) or not; unknown calls are ignored")
    func encrypted() {
        var h = Harness()
        h.send(.dial("o1", to: "4930555"))
        #expect(h.state.call("o1")?.encrypted == false)
        h.send(.mediaEncrypted("o1", true))
        #expect(h.state.call("o1")?.encrypted == true)
        h.send(.remoteAnswered("o1"))
        #expect(h.state.call("o1")?.encrypted == true)
        h.send(.mediaEncrypted("o1", false))
        #expect(h.state.call("o1")?.encrypted == false)
        let before = h.state
        h.send(.mediaEncrypted("nobody", true))
        #expect(h.state.calls == before.calls)
    }

    @Test("Ringback while dialling without early media, never after the answer or failure")
    func ringback() {
        var h = Harness()
        #expect(!h.state.ringbackWanted)
        h.send(.dial("o1", to: "4930555"))
        #expect(!h.state.ringbackWanted)  // tried, not yet ringing: a refusal may come
        h.send(.remoteRinging("o1"))
        #expect(h.state.ringbackWanted)
        h.send(.outboundFailed("o1", status: 486, reason: "Busy Here"))
        #expect(!h.state.ringbackWanted)
        h.send(.dial("o2", to: "4930555"))
        h.send(.remoteAnswered("o2"))
        #expect(!h.state.ringbackWanted)
    }

    @Test("The ring tone while a signalled call rings; answer, decline and cancel stop it at once")
    func ringTone() {
        var h = Harness()
        #expect(!h.state.ringToneWanted)
        h.send(.incomingCall(call("r1")))
        #expect(h.state.ringToneWanted)
        h.send(.accept("r1"))
        #expect(!h.state.ringToneWanted)
        h.send(.hangUp("r1"))
        h.send(.incomingCall(call("r2")))
        #expect(h.state.ringToneWanted)
        h.send(.decline("r2"))
        #expect(!h.state.ringToneWanted)
        h.send(.incomingCall(call("r3")))
        h.send(.callerCancelled("r3"))
        #expect(!h.state.ringToneWanted)
        h.send(.incomingCall(call("r4")))
        h.advance(.seconds(60))  // no answer: the rule takes it
        #expect(!h.state.ringToneWanted)
    }

    @Test("A diverted call never rings: Do not disturb (R2), logged out (R1)")
    func divertedNeverRings() {
        var dnd = Harness(choice: .doNotDisturb)
        dnd.send(.incomingCall(call("d1")))
        #expect(!dnd.state.ringToneWanted)
        var out = Harness(loggedIn: false)
        out.send(.incomingCall(call("d2")))
        #expect(!out.state.ringToneWanted)
        // Diverted while another call rings: the first rings on, the diverted one adds nothing.
        var h = Harness(choice: .doNotDisturb)
        h.send(.choosePresence(.available))
        h.send(.incomingCall(call("r1")))
        h.send(.choosePresence(.doNotDisturb))
        h.send(.incomingCall(call("d3")))
        #expect(h.state.call("d3") == nil)
        #expect(h.state.calls.filter { $0.phase == .ringing }.map(\.id) == ["r1"])
    }

    @Test("R8: a queue call during a call is not signalled and never rings; R5: a direct one rings as call waiting")
    func queueCallDuringACallNeverRings() {
        var h = Harness()
        h.send(.incomingCall(call("a1")))
        h.send(.accept("a1"))
        h.send(.incomingCall(call("q1", .queue(sales))))
        #expect(h.state.call("q1") == nil)
        #expect(!h.state.ringToneWanted)
        h.send(.incomingCall(call("w1")))
        #expect(h.state.call("w1")?.phase == .ringing)
        #expect(h.state.ringToneWanted)
    }
}
