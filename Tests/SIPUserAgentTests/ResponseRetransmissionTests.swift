import SIP
import Testing
@testable import SIPUserAgent

/// The retransmission machine alone: a 2xx until its ACK (RFC 3261 §13.3.1.4), a reliable
/// provisional response until its PRACK (RFC 3262 §3).
@Suite("2xx retransmission until the ACK, reliable provisionals until the PRACK")
struct ResponseRetransmissionTests {
    let timers = SIPTimers()
    let ok = reply(to: Caller().invite(), 200)

    @Test("Starts T1 and 64·T1; resends at doubling intervals capped at T2")
    func doubling() {
        var (machine, first) = ResponseRetransmission.start(ok, sequence: 1, timers: timers)
        #expect(first == [.startTimer(.retransmit, after: timers.t1), .startTimer(.timeout, after: timers.t1 * 64)])
        var intervals: [Duration] = []
        for _ in 0..<5 {
            let out = machine.handle(.timerFired(.retransmit))
            #expect(out.first == .resend(ok))
            if case .startTimer(.retransmit, let after) = out.last { intervals.append(after) }
        }
        #expect(intervals == [timers.t1 * 2, timers.t1 * 4, timers.t2, timers.t2, timers.t2])
    }

    @Test("Only the ACK with the INVITE's CSeq number stops it")
    func ack() {
        var (machine, _) = ResponseRetransmission.start(ok, sequence: 7, timers: timers)
        #expect(machine.handle(.ack(sequence: 6)).isEmpty)
        #expect(machine.handle(.ack(sequence: 7)) == [.cancelTimer(.retransmit), .cancelTimer(.timeout), .acknowledged])
    }

    @Test("64·T1 without an ACK: retransmission stops and the machine says the dialog is broken")
    func timeout() {
        var (machine, _) = ResponseRetransmission.start(ok, sequence: 1, timers: timers)
        #expect(machine.handle(.timerFired(.timeout)) == [.cancelTimer(.retransmit), .timedOut])
    }

    @Test("A reliable provisional doubles without T2's cap; only a PRACK naming its RSeq and the INVITE's CSeq stops it; an ACK does not")
    func reliableProvisional() {
        let ringing = reply(to: Caller().invite(), 180)
        var (machine, first) = ResponseRetransmission.start(ringing, rseq: 42, sequence: 1, timers: timers)
        #expect(first == [.startTimer(.retransmit, after: timers.t1), .startTimer(.timeout, after: timers.t1 * 64)])
        var intervals: [Duration] = []
        for _ in 0..<5 {
            if case .startTimer(.retransmit, let after) = machine.handle(.timerFired(.retransmit)).last { intervals.append(after) }
        }
        #expect(intervals == [timers.t1 * 2, timers.t1 * 4, timers.t1 * 8, timers.t1 * 16, timers.t1 * 32])
        #expect(machine.handle(.ack(sequence: 1)).isEmpty)
        #expect(machine.handle(.prack(ReliableAck(parsing: "41 1 INVITE")!)).isEmpty)
        #expect(machine.handle(.prack(ReliableAck(parsing: "42 2 INVITE")!)).isEmpty)
        #expect(machine.handle(.prack(ReliableAck(parsing: "42 1 INVITE")!))
                == [.cancelTimer(.retransmit), .cancelTimer(.timeout), .acknowledged])
    }
}
