import Testing
@testable import SIP

@Suite("INVITE server transaction (RFC 3261 §17.2.1, Figure 7)")
struct TransactionServerInviteTests {
    let invite = makeRequest(.invite)

    func started(_ request: SIPRequest? = nil) throws -> ServerInviteTransaction {
        var t = try ServerInviteTransaction(request: request ?? invite)
        _ = t.start(at: ms(0))
        return t
    }

    /// The ACK the client transaction sends for `response`.
    func ack(for response: SIPResponse) -> SIPRequest { ClientInviteTransaction.makeACK(for: invite, response: response) }

    @Test func startSendsTryingAndPassesInviteUp() throws {
        var t = try ServerInviteTransaction(request: invite)
        #expect(t.state == .proceeding)
        let trying = SIPResponse(replyingTo: invite, status: 100)
        #expect(t.start(at: ms(0)) == [.sendResponse(trying), .toTU(invite)])
        #expect(t.start(at: ms(1)).isEmpty)
        // A retransmitted INVITE gets the 100 again and is not passed up.
        #expect(t.receive(invite, at: ms(500)) == [.sendResponse(trying)])
    }

    @Test func withoutTryingRetransmissionsAreSwallowedUntilAResponse() throws {
        var t = try ServerInviteTransaction(request: invite, sendsTrying: false)
        #expect(t.start(at: ms(0)) == [.toTU(invite)])
        #expect(t.receive(invite, at: ms(500)).isEmpty)
        let ringing = reply(invite, 180)
        #expect(t.send(ringing, at: ms(600)) == [.sendResponse(ringing)])
        #expect(t.receive(invite, at: ms(700)) == [.sendResponse(ringing)])
    }

    @Test func failureIsRetransmittedUntilAckThenTimerI() throws {
        var t = try started()
        let ringing = reply(invite, 180)
        #expect(t.send(ringing, at: ms(100)) == [.sendResponse(ringing)])
        #expect(t.state == .proceeding && t.lastResponse == ringing)
        let busy = reply(invite, 486)
        #expect(t.send(busy, at: ms(1000)) == [.sendResponse(busy), .startTimer(.G, after: .milliseconds(500)),
                                               .startTimer(.H, after: .seconds(32))])
        #expect(t.state == .completed && t.deadlines == [.G: ms(1500), .H: ms(33_000)])
        // Timer G doubles up to T2.
        let fires = [1500, 2500, 4500, 8500, 12_500]
        let next: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)]
        for (at, interval) in zip(fires, next) {
            #expect(t.timerFired(.G, at: ms(at)) == [.sendResponse(busy), .startTimer(.G, after: interval)])
        }
        // A retransmitted INVITE gets the final response again; the TU cannot send another.
        #expect(t.receive(invite, at: ms(13_000)) == [.sendResponse(busy)])
        #expect(t.send(reply(invite, 200), at: ms(13_100)).isEmpty)
        let theACK = ack(for: busy)
        #expect(t.receive(theACK, at: ms(14_000)) == [.cancelTimer(.G), .cancelTimer(.H), .startTimer(.I, after: .seconds(5))])
        #expect(t.state == .confirmed && t.deadlines == [.I: ms(19_000)])
        // More ACKs and INVITEs are absorbed; stale timers are ignored.
        #expect(t.receive(theACK, at: ms(14_500)).isEmpty)
        #expect(t.receive(invite, at: ms(14_600)).isEmpty)
        #expect(t.timerFired(.G, at: ms(16_500)).isEmpty)
        #expect(t.timerFired(.H, at: ms(33_000)).isEmpty)
        #expect(t.transportError(at: ms(15_000)).isEmpty)
        #expect(t.timerFired(.I, at: ms(19_000)) == [.terminated])
        #expect(t.state == .terminated)
    }

    @Test func timerHTimesOutWithoutAck() throws {
        var t = try started()
        _ = t.send(reply(invite, 404), at: ms(0))
        #expect(t.timerFired(.H, at: ms(32_000)) == [.timeout, .cancelTimer(.G), .terminated])
        #expect(t.state == .terminated)
    }

    @Test func success2xxTerminates() throws {
        var t = try started()
        let ok = reply(invite, 200)
        #expect(t.send(ok, at: ms(100)) == [.sendResponse(ok), .terminated])
        #expect(t.state == .terminated)
        #expect(t.send(ok, at: ms(600)).isEmpty, "2xx retransmission is the TU core's job")
        #expect(t.receive(invite, at: ms(700)).isEmpty)
    }

    @Test func reliableTransportHasNoTimerGAndZeroTimerI() throws {
        let tcpInvite = makeRequest(.invite, transport: "TCP")
        var t = try started(tcpInvite)
        #expect(t.isReliable)
        let busy = reply(tcpInvite, 486)
        #expect(t.send(busy, at: ms(100)) == [.sendResponse(busy), .startTimer(.H, after: .seconds(32))])
        let theACK = ClientInviteTransaction.makeACK(for: tcpInvite, response: busy)
        #expect(t.receive(theACK, at: ms(200)) == [.cancelTimer(.H), .terminated])
        #expect(t.state == .terminated)
    }

    @Test func transportErrors() throws {
        var proceeding = try started()
        #expect(proceeding.transportError(at: ms(1)) == [.transportError, .terminated])
        #expect(proceeding.state == .terminated)
        var completed = try started()
        _ = completed.send(reply(invite, 500), at: ms(1))
        #expect(completed.transportError(at: ms(2)) == [.transportError, .cancelTimer(.G), .cancelTimer(.H), .terminated])
    }

    @Test func onlyInviteIsAccepted() {
        #expect(throws: TransactionError.wrongMethod(.bye)) { try ServerInviteTransaction(request: makeRequest(.bye)) }
    }
}
