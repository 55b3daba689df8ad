/// One line of the Log tab: what happened and why, in words.
public struct LogEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case call, presence, teams, line, error
    }

    public var at: Instant
    public var kind: Kind
    public var text: String

    public init(at: Instant, kind: Kind, text: String) {
        self.at = at
        self.kind = kind
        self.text = text
    }
}

/// The most recent events, oldest first, bounded so the state stays small.
public struct EventLog: Hashable, Sendable, Codable {
    public let capacity: Int
    private var storage: [LogEvent] = []
    private var head = 0
    /// How many events were ever appended (the log keeps only the last `capacity`).
    public private(set) var appended = 0

    public init(capacity: Int = 500) {
        precondition(capacity > 0)
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    public mutating func append(_ event: LogEvent) {
        appended += 1
        if storage.count < capacity {
            storage.append(event)
        } else {
            storage[head] = event
            head = (head + 1) % capacity
        }
    }

    /// Oldest first.
    public var events: [LogEvent] { Array(storage[head...] + storage[..<head]) }
    public var count: Int { storage.count }
    /// The newest `n` events (at most `count`), oldest first.
    public func newest(_ n: Int) -> [LogEvent] { Array(events.suffix(max(0, n))) }
    public var last: LogEvent? { storage.isEmpty ? nil : storage[(head + storage.count - 1) % storage.count] }
}
