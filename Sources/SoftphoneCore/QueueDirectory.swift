/// Recognises queue calls (SPEC section 6): the queue's number as the user part of
/// To, Diversion or History-Info, or an `X-Queue` header naming the queue or its number.
public struct QueueDirectory: Hashable, Sendable {
    public var queues: [Queue]

    public init(_ queues: [Queue]) { self.queues = queues }

    /// What the line saw of an INVITE that matters for queue recognition.
    public struct CallHints: Hashable, Sendable {
        public var toUser: String?
        public var redirectingUsers: [String]
        public var xQueue: String?
        public init(toUser: String? = nil, redirectingUsers: [String] = [], xQueue: String? = nil) {
            self.toUser = toUser
            self.redirectingUsers = redirectingUsers
            self.xQueue = xQueue
        }
    }

    public func kind(for hints: CallHints) -> CallKind {
        if let header = hints.xQueue?.trimmed, !header.isEmpty,
           let queue = queues.first(where: { $0.number == header || $0.name.lowercased() == header.lowercased() }) {
            return .queue(queue)
        }
        for user in [hints.toUser].compactMap({ $0 }) + hints.redirectingUsers {
            if let queue = queues.first(where: { $0.number == user }) { return .queue(queue) }
        }
        return .direct
    }
}

extension String {
    /// Without leading and trailing white space.
    public var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
