import CallStore
import SoftphoneCore
import Testing

@Suite("Querying the call log")
struct CallQueryTests {
    @Test("history is newest first by ring start, then by end, and pages with limit and offset")
    func historyOrdering() throws {
        let store = try CallStore.inMemory()
        // Recorded out of order on purpose.
        try store.record([
            sampleCall("b", ring: 100, end: 150),
            sampleCall("d", ring: 300, end: 310),
            sampleCall("a", ring: 0, end: 500),
            sampleCall("c-early-end", ring: 200, end: 210),
            sampleCall("c-late-end", ring: 200, end: 260),
        ])

        let ids = try store.history().map(\.id.rawValue)
        #expect(ids == ["d", "c-late-end", "c-early-end", "b", "a"])

        #expect(try store.history(limit: 2).map(\.id.rawValue) == ["d", "c-late-end"])
        #expect(try store.history(limit: 2, offset: 2).map(\.id.rawValue) == ["c-early-end", "b"])
        #expect(try store.history(limit: 2, offset: 4).map(\.id.rawValue) == ["a"])
        #expect(try store.history(limit: 2, offset: 10).isEmpty)
        #expect(try store.history(limit: 0).isEmpty)
    }

    @Test("missed(since:) returns only missed calls that rang at or after the instant, newest first")
    func missedSince() throws {
        let store = try CallStore.inMemory()
        try store.record([
            sampleCall("missed-before", outcome: .missed, ring: 99, end: 120),
            sampleCall("missed-at", outcome: .missed, ring: 100, end: 120),
            sampleCall("missed-after", outcome: .missed, ring: 200, end: 220),
            sampleCall("answered-after", outcome: .answered, ring: 300, end: 400),
            sampleCall("diverted-after", outcome: .diverted, ring: 310, end: 311),
            sampleCall("declined-after", outcome: .declined, ring: 320, end: 321),
            sampleCall("unanswered-after", outcome: .unanswered, ring: 330, end: 340, direction: .outbound),
        ])
        // The boundary is the ring start, exactly: sampleCall adds 123_456_789 ns.
        let since = instant(100, nanos: 123_456_789)

        #expect(try store.missed(since: since).map(\.id.rawValue) == ["missed-after", "missed-at"])
        #expect(try store.missedCount(since: since) == 2)
        #expect(try store.missedCount(since: instant(0)) == 3)
        #expect(try store.missedCount(since: instant(1_000)) == 0)
        #expect(try store.missed(since: instant(1_000)).isEmpty)
    }
}
