import Testing
@testable import SIP

@Suite("Transaction timers (RFC 3261 Table 4)")
struct TransactionTimerTests {
    @Test func defaultsAndDerivedValues() {
        let t = SIPTimers()
        #expect(t.t1 == .milliseconds(500) && t.t2 == .seconds(4) && t.t4 == .seconds(5))
        #expect(t.a == .milliseconds(500) && t.e == .milliseconds(500) && t.g == .milliseconds(500))
        #expect(t.b == .seconds(32) && t.f == .seconds(32) && t.h == .seconds(32))
        #expect(t.c > .seconds(180))
        #expect(t.d(reliable: false) == .seconds(32) && t.d(reliable: true) == .zero)
        #expect(t.i(reliable: false) == .seconds(5) && t.i(reliable: true) == .zero)
        #expect(t.j(reliable: false) == .seconds(32) && t.j(reliable: true) == .zero)
        #expect(t.k(reliable: false) == .seconds(5) && t.k(reliable: true) == .zero)
    }

    @Test func derivedValuesFollowT1AndT4() {
        let t = SIPTimers(t1: .milliseconds(100), t2: .seconds(2), t4: .seconds(3))
        #expect(t.b == .milliseconds(6400) && t.f == .milliseconds(6400) && t.h == .milliseconds(6400))
        #expect(t.j(reliable: false) == .milliseconds(6400))
        #expect(t.i(reliable: false) == .seconds(3) && t.k(reliable: false) == .seconds(3))
        #expect(t.d(reliable: false) == .seconds(32))
    }

    @Test func backoffDoublesUpToT2() {
        let t = SIPTimers()
        var interval = t.e
        var seen: [Duration] = []
        for _ in 0..<6 { interval = t.backoff(interval); seen.append(interval) }
        #expect(seen == [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4), .seconds(4)])
    }

    @Test func reliableTransports() {
        for name in ["TCP", "tcp", "TLS", "SCTP", "WS", "WSS"] { #expect(SIPTimers.isReliable(transport: name), "\(name)") }
        for name in ["UDP", "udp", "DTLS", "X-FOO"] { #expect(!SIPTimers.isReliable(transport: name), "\(name)") }
    }

    @Test func virtualInstants() {
        #expect(ms(1500) == SIPInstant.zero.advanced(by: .milliseconds(1500)))
        #expect(ms(500).duration(to: ms(2000)) == .milliseconds(1500))
        #expect(ms(1) < ms(2))
    }
}
