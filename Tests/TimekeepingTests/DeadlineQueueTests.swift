import Testing
import Timekeeping

@Suite("Deadline queue (the SIP line's timers)")
struct DeadlineQueueTests {
    @Test("Timers come due in deadline order; moved and cancelled ones do not fire")
    func order() {
        var queue = DeadlineQueue<String, UInt64>()
        queue.start("b", at: 200)
        queue.start("a", at: 100)
        queue.start("c", at: 300)
        queue.start("b", at: 400)      // moved
        queue.cancel("c")
        #expect(queue.nextDeadline() == 100)
        #expect(queue.takeDue(at: 350) == ["a"])
        #expect(queue.nextDeadline() == 400)
        #expect(queue.count == 1)
        #expect(queue.takeDue(at: 400) == ["b"])
        #expect(queue.nextDeadline() == nil)
        #expect(queue.count == 0)
    }

    @Test("Equal deadlines fire in the order they were started")
    func ties() {
        var queue = DeadlineQueue<Int, UInt64>()
        for key in [3, 1, 2] { queue.start(key, at: 50) }
        #expect(queue.takeDue(at: 50) == [3, 1, 2])
    }

    @Test("Many starts and cancels leave only the live timers, however often they were moved")
    func churn() {
        var queue = DeadlineQueue<Int, UInt64>()
        for round in 0..<50 {
            for key in 0..<1000 { queue.start(key, at: UInt64(10_000 + round * 1000 + key)) }
            for key in stride(from: 0, to: 1000, by: 2) { queue.cancel(key) }
        }
        #expect(queue.count == 500)
        let due = queue.takeDue(at: .max)
        #expect(due == Array(stride(from: 1, to: 1000, by: 2)))
    }
}

@Suite("Duration conversions")
struct DurationConversionTests {
    @Test("Whole units round toward zero")
    func rounding() {
        #expect(Duration.milliseconds(1500).wholeSeconds == 1)
        #expect(Duration.milliseconds(-1500).wholeSeconds == -1)
        #expect(Duration.microseconds(2_999).milliseconds == 2)
        #expect(Duration.nanoseconds(-7).nanoseconds == -7)
        #expect(Duration.milliseconds(250).seconds == 0.25)
        #expect(Duration.microseconds(1500).millisecondsValue == 1.5)
    }

    @Test("Spans too long for 64 bits saturate instead of trapping")
    func saturation() {
        let huge = Duration.seconds(Int64.max)
        #expect(huge.nanoseconds == .max)
        #expect(huge.milliseconds == .max)
        #expect((Duration.zero - huge).nanoseconds == .min)
        #expect(Int64.max.saturatingAdd(1) == .max)
        #expect(Int64.min.saturatingAdd(-1) == .min)
    }
}
