import Testing
@testable import SIP

@Suite("INVITE client transaction (RFC 3261 §17.1.1, Figure 5)")
struct TransactionClientInviteTests {
    let invite = makeRequest(.invite)

    func started(_ request: SIPRequest? = nil, reliable: Bool? = nil) throws -> ClientInviteTransaction {
        var t = try ClientInviteTransaction(request: request ?? invite, reliable: reliable)
        _ = t.start(at: ms(0))
        return t
    }

    @Test func startSendsInviteAndStartsTimersAAndB() throws {
        var t = try ClientInviteTransaction(request: invite)
        #expect(t.state == .calling && !t.isReliable)
        #expect(t.start(at: ms(0)) == [.sendRequest(invite), .startTimer(.A, after: .milliseconds(500)),
                                       .startTimer(.B, after: .seconds(32))])
        #expect(t.deadlines == [.A: ms(500), .B: ms(32_000)])
        #expect(t.start(at: ms(10)).isEmpty)
    }

    @Test func timerADoublesAndTimerBTimesOutAt64T1() throws {
        var t = try started()
        // Timer A doubles with no T2 cap (§17.1.1.2): fires at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s.
        let fires = [500, 1500, 3500, 7500, 15_500, 31_500]
        let next: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32)]
        for (at, interval) in zip(fires, next) {
            #expect(t.timerFired(.A, at: ms(at)) == [.sendRequest(invite), .startTimer(.A, after: interval)])
            #expect(t.deadlines[.A] == ms(at).advanced(by: interval))
        }
        #expect(t.state == .calling)
        #expect(t.timerFired(.B, at: ms(32_000)) == [.timeout, .cancelTimer(.A), .terminated])
        #expect(t.state == .terminated && t.deadlines.isEmpty)
        #expect(t.timerFired(.A, at: ms(63_500)).isEmpty)
    }

    @Test func retransmissionScheduleUnderAVirtualClock() throws {
        var t = try ClientInviteTransaction(request: invite)
        var log = t.start(at: ms(0)).map { (ms(0), $0) }
        log += drive(&t, until: ms(100_000), next: { $0.nextDeadline }, fire: { $0.timerFired($1, at: $2) })
        let sends = log.filter { $0.1 == .sendRequest(invite) }.map(\.0)
        #expect(sends == [0, 500, 1500, 3500, 7500, 15_500, 31_500].map(ms))
        #expect(log.filter { $0.1 == .timeout }.map(\.0) == [ms(32_000)])
        #expect(t.state == .terminated)
    }

    @Test func provisionalThenFailure() throws {
        var t = try started()
        let ringing = reply(invite, 180)
        #expect(t.receive(ringing, at: ms(200)) == [.cancelTimer(.A), .cancelTimer(.B), .toTU(ringing)])
        #expect(t.state == .proceeding && t.deadlines.isEmpty)
        #expect(t.receive(ringing, at: ms(300)) == [.toTU(ringing)])
        #expect(t.timerFired(.A, at: ms(500)).isEmpty, "stale Timer A is ignored")
        #expect(t.transportError(at: ms(600)).isEmpty, "nothing is sent in Proceeding")
        let busy = reply(invite, 486)
        let actions = t.receive(busy, at: ms(1000))
        let ack = try #require(t.ack)
        #expect(actions == [.toTU(busy), .sendRequest(ack), .startTimer(.D, after: .seconds(32))])
        #expect(t.state == .completed && t.deadlines == [.D: ms(33_000)])
        // Retransmitted final responses are ACKed again and not passed up; others are swallowed.
        #expect(t.receive(busy, at: ms(1500)) == [.sendRequest(ack)])
        #expect(t.receive(ringing, at: ms(1600)).isEmpty)
        #expect(t.receive(reply(invite, 200), at: ms(1700)).isEmpty)
        #expect(t.timerFired(.D, at: ms(33_000)) == [.terminated])
        #expect(t.state == .terminated)
        #expect(t.receive(busy, at: ms(34_000)).isEmpty)
    }

    @Test func failureInCallingGoesStraightToCompleted() throws {
        var t = try started()
        let notFound = reply(invite, 404)
        let actions = t.receive(notFound, at: ms(100))
        let ack = try #require(t.ack)
        #expect(actions == [.cancelTimer(.A), .cancelTimer(.B), .toTU(notFound), .sendRequest(ack),
                            .startTimer(.D, after: .seconds(32))])
        #expect(t.state == .completed)
    }

    @Test func reliableTransportHasNoTimerAAndZeroTimerD() throws {
        let tcpInvite = makeRequest(.invite, transport: "TCP")
        var t = try ClientInviteTransaction(request: tcpInvite)
        #expect(t.isReliable)
        #expect(t.start(at: ms(0)) == [.sendRequest(tcpInvite), .startTimer(.B, after: .seconds(32))])
        let decline = reply(tcpInvite, 603)
        let actions = t.receive(decline, at: ms(100))
        let ack = try #require(t.ack)
        #expect(actions == [.cancelTimer(.B), .toTU(decline), .sendRequest(ack), .terminated])
        #expect(t.state == .terminated)
        // The explicit flag wins over the Via.
        #expect(try ClientInviteTransaction(request: invite, reliable: true).isReliable)
    }

    @Test func success2xxTerminatesAndGoesToTU() throws {
        var t = try started()
        let ok = reply(invite, 200)
        #expect(t.receive(ok, at: ms(100)) == [.toTU(ok), .cancelTimer(.A), .cancelTimer(.B), .terminated])
        #expect(t.state == .terminated && t.ack == nil)
        #expect(t.receive(ok, at: ms(200)).isEmpty, "retransmitted 2xx go to the TU core, not here")

        var p = try started()
        _ = p.receive(reply(invite, 183), at: ms(100))
        #expect(p.receive(ok, at: ms(200)) == [.toTU(ok), .terminated])
        #expect(p.state == .terminated)
    }

    @Test func transportErrors() throws {
        var calling = try started()
        #expect(calling.transportError(at: ms(1)) == [.transportError, .cancelTimer(.A), .cancelTimer(.B), .terminated])
        #expect(calling.state == .terminated)
        var completed = try started()
        _ = completed.receive(reply(invite, 500), at: ms(10))
        #expect(completed.transportError(at: ms(11)) == [.transportError, .cancelTimer(.D), .terminated])
        #expect(completed.transportError(at: ms(12)).isEmpty)
    }

    @Test func generatedACKHeaders() throws {
        let request = makeRequest(.invite, extraVias: ["SIP/2.0/UDP proxy.example.com;branch=z9hG4bKother"],
                                  routes: ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        var response = reply(request, 486)
        response.headers.set("Contact", "<sip:bob@192.0.2.4>")
        let ack = ClientInviteTransaction.makeACK(for: request, response: response)
        #expect(ack.method == .ack)
        #expect(ack.uri == request.uri)
        #expect(ack.headers.all(.via) == ["SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK74bf9"])
        #expect(ack.headers.all(.route) == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        #expect(ack.headers[.from] == request.headers[.from])
        #expect(try ack.headers.to.tag == "8321234356")
        #expect(ack.headers[.to] == response.headers[.to])
        #expect(ack.headers.callID == request.headers.callID)
        #expect(try ack.headers.cseq == CSeq(314159, .ack))
        #expect(try ack.headers.maxForwards == 70)
        #expect(!ack.headers.contains(.contact) && ack.body.isEmpty)
        // The ACK survives the wire and matches the INVITE's server transaction.
        let parsed = try parseRequest(ack.bytes)
        #expect(parsed.method == .ack && parsed.uri == ack.uri)
        #expect(try TransactionKey.server(receiving: parsed) == TransactionKey.server(receiving: request))
    }

    @Test func onlyInviteIsAccepted() {
        #expect(throws: TransactionError.wrongMethod(.options)) { try ClientInviteTransaction(request: makeRequest(.options)) }
        #expect(throws: TransactionError.missingBranch) { try ClientInviteTransaction(request: makeRequest(.invite, branch: nil)) }
        #expect(throws: TransactionError.missingVia) {
            var r = makeRequest(.invite)
            r.headers.remove(.via)
            _ = try ClientInviteTransaction(request: r)
        }
    }
}
