import GRDB
import SoftphoneCore

/// How a `PresenceTransition` maps onto a row of the `presence_transition` table.
enum PresenceRow {
    /// The columns, in the order of `arguments(for:)` and of `decode(_:)`.
    static let columns = "at, from_state, from_out_of_office, to_state, to_out_of_office, set_by"

    static let insert = "INSERT INTO presence_transition (\(columns)) VALUES (?, ?, ?, ?, ?, ?)"

    /// The statement arguments for `insert`.
    static func arguments(for transition: PresenceTransition) -> StatementArguments {
        [
            transition.at.nanosecondsSinceEpoch,
            transition.from.state.rawValue,
            transition.from.outOfOffice,
            transition.to.state.rawValue,
            transition.to.outOfOffice,
            transition.setBy.rawValue,
        ]
    }

    /// Rebuilds a transition from a row selected with `columns`.
    static func decode(_ row: Row) throws -> PresenceTransition {
        let at = try row.decodeInstant(atIndex: 0)
        let subject = "presence change at \(at.nanosecondsSinceEpoch) ns"
        return PresenceTransition(
            from: try decodePresence(row, stateIndex: 1, subject: subject, side: "from"),
            to: try decodePresence(row, stateIndex: 3, subject: subject, side: "to"),
            setBy: try row.decodeRawValue(PresenceSource.self, atIndex: 5, field: "source", of: subject),
            at: at
        )
    }

    /// Decodes the state at `stateIndex` and the out-of-office flag right after it.
    static func decodePresence(_ row: Row, stateIndex: Int, subject: String, side: String) throws -> Presence {
        Presence(
            try row.decodeRawValue(PresenceState.self, atIndex: stateIndex, field: "\(side) state", of: subject),
            outOfOffice: try row.decode(Bool.self, atIndex: stateIndex + 1)
        )
    }
}
