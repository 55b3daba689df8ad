import GRDB
import SoftphoneCore

/// How a `CallRecord` maps onto a row of the `call` table.
enum CallRow {
    /// The columns, in the order of `arguments(for:)` and of `decode(_:)`.
    static let columns = """
        id, direction, remote_number, remote_name, queue, \
        ring_started_at, answered_at, ended_at, outcome, \
        diversion_rule, diversion_sip_status, diversion_target, reason
        """

    /// Inserts a call, replacing any row with the same Call-ID (so a retried write never duplicates).
    static let upsert = "INSERT OR REPLACE INTO call (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// The statement arguments for `upsert`.
    static func arguments(for call: CallRecord) -> StatementArguments {
        [
            call.id.rawValue,
            call.direction.rawValue,
            call.remote.number,
            call.remote.name,
            call.queue,
            call.ringStartedAt.nanosecondsSinceEpoch,
            call.answeredAt?.nanosecondsSinceEpoch,
            call.endedAt.nanosecondsSinceEpoch,
            call.outcome.rawValue,
            call.diversion?.rule.rawValue,
            call.diversion?.sipStatus,
            call.diversion?.target,
            call.reason,
        ]
    }

    /// Rebuilds a call from a row selected with `columns`.
    static func decode(_ row: Row) throws -> CallRecord {
        let id = CallID(try row.decode(String.self, atIndex: 0))
        let subject = "call \"\(id)\""
        let diversion: DiversionRecord?
        if let rule = try row.decodeRawValueIfPresent(
            AnsweringRuleKind.self, atIndex: 9, field: "diversion rule", of: subject)
        {
            guard let status = try row.decode(Int?.self, atIndex: 10) else {
                throw UnreadableRow(detail: "\(subject) has a diversion rule but no SIP status")
            }
            diversion = DiversionRecord(rule: rule, sipStatus: status, target: try row.decode(String?.self, atIndex: 11))
        } else {
            diversion = nil
        }
        return CallRecord(
            id: id,
            direction: try row.decodeRawValue(CallDirection.self, atIndex: 1, field: "direction", of: subject),
            remote: Party(number: try row.decode(String.self, atIndex: 2), name: try row.decode(String?.self, atIndex: 3)),
            queue: try row.decode(String?.self, atIndex: 4),
            ringStartedAt: try row.decodeInstant(atIndex: 5),
            answeredAt: try row.decodeInstantIfPresent(atIndex: 6),
            endedAt: try row.decodeInstant(atIndex: 7),
            outcome: try row.decodeRawValue(CallOutcome.self, atIndex: 8, field: "outcome", of: subject),
            diversion: diversion,
            reason: try row.decode(String.self, atIndex: 12)
        )
    }
}
