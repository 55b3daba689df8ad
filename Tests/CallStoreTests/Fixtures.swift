import Foundation
import SoftphoneCore

/// An instant `seconds` after a fixed, realistic base, with a few stray
/// nanoseconds so that precision loss would show.
func instant(_ seconds: Int64, nanos: Int64 = 0) -> Instant {
    Instant(nanosecondsSinceEpoch: (1_700_000_000 + seconds) * 1_000_000_000 + nanos)
}

/// A call with every optional field filled in.
func sampleCall(
    _ id: String,
    outcome: CallOutcome = .answered,
    ring: Int64 = 0,
    end: Int64 = 60,
    direction: CallDirection = .inbound
) -> CallRecord {
    CallRecord(
        id: CallID(id),
        direction: direction,
        remote: Party(number: "+49 30 1234-\(id)", name: "Erika Mustermann (\(id))"),
        queue: "Support",
        ringStartedAt: instant(ring, nanos: 123_456_789),
        answeredAt: instant(ring + 5, nanos: 1),
        endedAt: instant(end, nanos: 987_654_321),
        outcome: outcome,
        diversion: DiversionRecord(rule: .forward, sipStatus: 302, target: "sip:colleague@example.com"),
        reason: "reason for \(id): “quoted” ünïcödé ☎︎"
    )
}

/// A temporary directory, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("callstore-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}
