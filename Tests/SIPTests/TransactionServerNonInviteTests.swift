import Testing
@testable import SIP

@Suite("Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8)")
struct TransactionServerNonInviteTests {
    let bye = makeRequest(.bye, toTag: "8321234356")

    func started(_ request: SIPRequest? = nil) throws -> ServerNonInviteTransaction {
        var t = try ServerNonInviteTransaction(request: request ?? bye)
        _ = t.start(at: ms(0))
        return t
    }

    @Test func startPassesRequestUpAndTryingSwallowsRetransmissions() throws {
        var t = try ServerNonInviteTransaction(request: bye)
        #expect(t.state == .trying)
        #expect(t.start(at: ms(0)) == [.toTU(bye)])
        #expect(t.start(at: ms(1)).isEmpty)
        #expect(t.receive(bye, at: ms(500)).isEmpty)
        #expect(t.state == .trying)
    }

    @Test func provisionalThenFinalThenTimerJ() throws {
        var t = try started()
        let trying = reply(bye, 100)
        #expect(t.send(trying, at: ms(100)) == [.sendResponse(trying)])
        #expect(t.state == .proceeding)
        #expect(t.receive(bye, at: ms(500)) == [.sendResponse(trying)])
        let ok = reply(bye, 200)
        #expect(t.send(ok, at: ms(1000)) == [.sendResponse(ok), .startTimer(.J, after: .seconds(32))])
        #expect(t.state == .completed && t.deadlines == [.J: ms(33_000)])
        #expect(t.receive(bye, at: ms(1500)) == [.sendResponse(ok)])
        #expect(t.send(reply(bye, 500), at: ms(1600)).isEmpty, "later finals from the TU are discarded")
        #expect(t.timerFired(.J, at: ms(33_000)) == [.terminated])
        #expect(t.state == .terminated)
        #expect(t.receive(bye, at: ms(34_000)).isEmpty)
    }

    @Test func finalFromTrying() throws {
        var t = try started()
        let ok = reply(bye, 481)
        #expect(t.send(ok, at: ms(10)) == [.sendResponse(ok), .startTimer(.J, after: .seconds(32))])
        #expect(t.state == .completed)
    }

    @Test func reliableTransportHasZeroTimerJ() throws {
        let options = makeRequest(.options, transport: "TCP")
        var t = try started(options)
        let ok = reply(options, 200)
        #expect(t.send(ok, at: ms(10)) == [.sendResponse(ok), .terminated])
        #expect(t.state == .terminated)
    }

    @Test func transportErrors() throws {
        var trying = try started()
        #expect(trying.transportError(at: ms(1)).isEmpty, "nothing is sent in Trying")
        var proceeding = try started()
        _ = proceeding.send(reply(bye, 100), at: ms(1))
        #expect(proceeding.transportError(at: ms(2)) == [.transportError, .terminated])
        var completed = try started()
        _ = completed.send(reply(bye, 200), at: ms(1))
        #expect(completed.transportError(at: ms(2)) == [.transportError, .cancelTimer(.J), .terminated])
        #expect(completed.state == .terminated)
    }

    @Test func inviteAndAckAreRejected() {
        #expect(throws: TransactionError.wrongMethod(.invite)) { try ServerNonInviteTransaction(request: makeRequest(.invite)) }
        #expect(throws: TransactionError.wrongMethod(.ack)) { try ServerNonInviteTransaction(request: makeRequest(.ack)) }
    }
}
