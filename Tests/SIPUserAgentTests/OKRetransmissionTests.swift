import SIP
import Testing
@testable import SIPUserAgent

/// The 2xx retransmission machine alone (RFC 3261 §13.3.1.4).
@Suite("2xx retransmission until the ACK")
struct OKRetransmissionTests {
    let timers = SIPTimers()
    let ok = reply(to: Caller().invite(), 200)

    @Test("Starts T1 and 64·T1; resends at doubling intervals capped at T2")
    func doubling() {
        var (machine, first) = OKRetransmission.start(ok, sequence: 1, timers: timers)
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
        var (machine, _) = OKRetransmission.start(ok, sequence: 7, timers: timers)
        #expect(machine.handle(.ack(sequence: 6)).isEmpty)
        #expect(machine.handle(.ack(sequence: 7)) == [.cancelTimer(.retransmit), .cancelTimer(.timeout), .acknowledged])
    }

    @Test("64·T1 without an ACK: retransmission stops and the machine says the dialog is broken")
    func timeout() {
        var (machine, _) = OKRetransmission.start(ok, sequence: 1, timers: timers)
        #expect(machine.handle(.timerFired(.timeout)) == [.cancelTimer(.retransmit), .timedOut])
    }
}
