@testable import CallStore
import SoftphoneCore
import Testing

@Suite("Recording calls")
struct CallRecordingTests {
    @Test("every field survives the round trip, for every outcome", arguments: CallOutcome.allCases)
    func roundTripEveryField(outcome: CallOutcome) throws {
        let store = try CallStore.inMemory()
        let full = sampleCall("full-\(outcome.rawValue)", outcome: outcome)
        var sparse = sampleCall("sparse-\(outcome.rawValue)", outcome: outcome, ring: -10, end: -5, direction: .outbound)
        sparse.remote.name = nil
        sparse.queue = nil
        sparse.answeredAt = nil
        sparse.diversion = nil
        sparse.reason = ""

        try store.record(full)
        try store.record(sparse)

        #expect(try store.call(full.id) == full)
        #expect(try store.call(sparse.id) == sparse)
    }

    @Test("every diversion rule survives the round trip, with and without a target",
          arguments: AnsweringRuleKind.allCases)
    func roundTripDiversion(rule: AnsweringRuleKind) throws {
        let store = try CallStore.inMemory()
        var withTarget = sampleCall("with-target", outcome: .diverted)
        withTarget.diversion = DiversionRecord(rule: rule, sipStatus: 486, target: "sip:voicemail@example.com")
        var withoutTarget = sampleCall("without-target", outcome: .diverted)
        withoutTarget.diversion = DiversionRecord(rule: rule, sipStatus: 480, target: nil)

        try store.record([withTarget, withoutTarget])

        #expect(try store.call(withTarget.id) == withTarget)
        #expect(try store.call(withoutTarget.id) == withoutTarget)
    }

    @Test("instants keep full nanosecond precision, including extremes")
    func instantPrecision() throws {
        let store = try CallStore.inMemory()
        var call = sampleCall("extremes")
        call.ringStartedAt = Instant(nanosecondsSinceEpoch: -1)
        call.answeredAt = Instant(nanosecondsSinceEpoch: 1)
        call.endedAt = Instant(nanosecondsSinceEpoch: .max)
        try store.record(call)
        #expect(try store.call(call.id) == call)
    }

    @Test("recording the same Call-ID again replaces the row instead of duplicating it")
    func idempotentRerecord() throws {
        let store = try CallStore.inMemory()
        let first = sampleCall("same-id", outcome: .missed)
        var second = first
        second.outcome = .answered
        second.reason = "answered after all"

        try store.record(first)
        try store.record(first)
        #expect(try store.callCount() == 1)

        try store.record(second)
        #expect(try store.callCount() == 1)
        #expect(try store.call(first.id) == second)

        try store.record([first, second, first])
        #expect(try store.callCount() == 1)
        #expect(try store.call(first.id) == first)
    }

    @Test("an unknown Call-ID is absent, and an empty batch is a no-op")
    func absentAndEmpty() throws {
        let store = try CallStore.inMemory()
        try store.record([])
        #expect(try store.call("nope") == nil)
        #expect(try store.history().isEmpty)
    }

    @Test("a batch of 10,000 calls in one call lands completely")
    func largeBatch() throws {
        let store = try CallStore.inMemory()
        let outcomes = CallOutcome.allCases
        let calls = (0..<10_000).map { n in
            sampleCall("batch-\(n)", outcome: outcomes[n % outcomes.count], ring: Int64(n), end: Int64(n) + 30)
        }

        try store.record(calls)

        #expect(try store.callCount() == 10_000)
        let stored = try store.history(limit: 20_000)
        #expect(stored.count == 10_000)
        #expect(Set(stored) == Set(calls))
    }

    @Test("a batch is one transaction: when one call fails, none is stored")
    func batchIsAtomic() throws {
        let store = try CallStore.inMemory()
        try store.executeUnchecked(sql: """
            CREATE TRIGGER reject_poison BEFORE INSERT ON call WHEN NEW.id = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poisoned call'); END
            """)
        let batch = (0..<10).map { sampleCall("ok-\($0)") } + [sampleCall("poison")]

        let error = try #require(throws: CallStoreError.self) { try store.record(batch) }

        #expect(error.operation == .writeCalls)
        #expect(error.sqliteResultCode == 19)
        #expect(error.description.contains("cannot write the call log in memory"))
        #expect(error.description.contains("poisoned call"))
        #expect(try store.callCount() == 0)
    }
}
