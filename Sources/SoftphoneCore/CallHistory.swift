/// The call log as far as the History tab shows it: the newest records first, at most
/// `limit` of them. The durable log is the call store's; this is the reducer's copy.
public struct CallHistory: Hashable, Sendable {
    public static let limit = 500
    public private(set) var records: [CallRecord] = []

    public init(_ records: [CallRecord] = []) {
        self.records = Array(records.prefix(Self.limit))
    }

    /// Adds a record just written (newest first).
    mutating func insert(_ record: CallRecord) {
        records.insert(record, at: 0)
        if records.count > Self.limit { records.removeLast() }
    }

    public var count: Int { records.count }
}
