import Testing
@testable import SIP

@Suite("Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6)")
struct TransactionClientNonInviteTests {
    let register = makeRequest(.register)

    func started(_ request: SIPRequest? = nil) throws -> ClientNonInviteTransaction {
        var t = try ClientNonInviteTransaction(request: request ?? register)
        _ = t.start(at: ms(0))
        return t
    }

    @Test func startSendsRequestAndStartsTimersEAndF() throws {
        var t = try ClientNonInviteTransaction(request: register)
        #expect(t.state == .trying)
        #expect(t.start(at: ms(0)) == [.sendRequest(register), .startTimer(.E, after: .milliseconds(500)),
                                       .startTimer(.F, after: .seconds(32))])
        #expect(t.deadlines == [.E: ms(500), .F: ms(32_000)])
        #expect(t.start(at: ms(1)).isEmpty)
    }

    @Test func timerEDoublesUpToT2InTrying() throws {
        var t = try started()
        let fires = [500, 1500, 3500, 7500, 11_500]
        let next: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)]
        for (at, interval) in zip(fires, next) {
            #expect(t.timerFired(.E, at: ms(at)) == [.sendRequest(register), .startTimer(.E, after: interval)])
        }
        #expect(t.timerFired(.F, at: ms(32_000)) == [.timeout, .cancelTimer(.E), .terminated])
        #expect(t.state == .terminated)
    }

    @Test func retransmissionScheduleUnderAVirtualClock() throws {
        var t = try ClientNonInviteTransaction(request: register)
        var log = t.start(at: ms(0)).map { (ms(0), $0) }
        log += drive(&t, until: ms(100_000), next: { $0.nextDeadline }, fire: { $0.timerFired($1, at: $2) })
        let sends = log.filter { $0.1 == .sendRequest(register) }.map(\.0)
        #expect(sends == [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500].map(ms))
        #expect(log.filter { $0.1 == .timeout }.map(\.0) == [ms(32_000)])
    }

    @Test func provisionalThenFinalThenTimerK() throws {
        var t = try started()
        let trying = reply(register, 100)
        #expect(t.receive(trying, at: ms(100)) == [.toTU(trying)])
        #expect(t.state == .proceeding)
        #expect(t.receive(trying, at: ms(200)) == [.toTU(trying)])
        // In Proceeding Timer E restarts at T2.
        #expect(t.timerFired(.E, at: ms(500)) == [.sendRequest(register), .startTimer(.E, after: .seconds(4))])
        let ok = reply(register, 200)
        #expect(t.receive(ok, at: ms(600)) == [.cancelTimer(.E), .cancelTimer(.F), .toTU(ok),
                                               .startTimer(.K, after: .seconds(5))])
        #expect(t.state == .completed && t.deadlines == [.K: ms(5600)])
        // Retransmitted responses are absorbed.
        #expect(t.receive(ok, at: ms(700)).isEmpty)
        #expect(t.receive(trying, at: ms(800)).isEmpty)
        #expect(t.timerFired(.E, at: ms(4500)).isEmpty, "stale")
        #expect(t.transportError(at: ms(900)).isEmpty)
        #expect(t.timerFired(.K, at: ms(5600)) == [.terminated])
        #expect(t.state == .terminated)
    }

    @Test func finalInTrying() throws {
        var t = try started()
        let unauthorized = reply(register, 401)
        #expect(t.receive(unauthorized, at: ms(50)) == [.cancelTimer(.E), .cancelTimer(.F), .toTU(unauthorized),
                                                        .startTimer(.K, after: .seconds(5))])
        #expect(t.state == .completed)
    }

    @Test func timeoutInProceeding() throws {
        var t = try started()
        _ = t.receive(reply(register, 100), at: ms(100))
        #expect(t.timerFired(.F, at: ms(32_000)) == [.timeout, .cancelTimer(.E), .terminated])
    }

    @Test func reliableTransportHasNoTimerEAndZeroTimerK() throws {
        let options = makeRequest(.options, transport: "TCP")
        var t = try ClientNonInviteTransaction(request: options)
        #expect(t.start(at: ms(0)) == [.sendRequest(options), .startTimer(.F, after: .seconds(32))])
        let ok = reply(options, 200)
        #expect(t.receive(ok, at: ms(40)) == [.cancelTimer(.F), .toTU(ok), .terminated])
        #expect(t.state == .terminated)
    }

    @Test func transportErrors() throws {
        var trying = try started()
        #expect(trying.transportError(at: ms(1)) == [.transportError, .cancelTimer(.E), .cancelTimer(.F), .terminated])
        var proceeding = try started()
        _ = proceeding.receive(reply(register, 100), at: ms(1))
        #expect(proceeding.transportError(at: ms(2)) == [.transportError, .cancelTimer(.E), .cancelTimer(.F), .terminated])
        #expect(proceeding.state == .terminated)
    }

    @Test func cancelIsANonInviteTransactionOfItsOwn() throws {
        let invite = makeRequest(.invite)
        let cancel = makeRequest(.cancel)
        let inviteTx = try ClientInviteTransaction(request: invite)
        var cancelTx = try ClientNonInviteTransaction(request: cancel)
        #expect(inviteTx.key != cancelTx.key && inviteTx.key.branch == cancelTx.key.branch)
        _ = cancelTx.start(at: ms(0))
        let ok = reply(cancel, 200)
        #expect(try TransactionKey.client(receiving: ok) == cancelTx.key)
        #expect(try TransactionKey.client(receiving: reply(invite, 487)) == inviteTx.key)
        #expect(cancelTx.receive(ok, at: ms(5)).contains(.toTU(ok)))
    }

    @Test func inviteAndAckAreRejected() {
        #expect(throws: TransactionError.wrongMethod(.invite)) { try ClientNonInviteTransaction(request: makeRequest(.invite)) }
        #expect(throws: TransactionError.wrongMethod(.ack)) { try ClientNonInviteTransaction(request: makeRequest(.ack)) }
    }
}
