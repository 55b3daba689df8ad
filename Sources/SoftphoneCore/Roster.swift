/// One colleague on the Team tab.
public struct Colleague: Hashable, Sendable, Codable {
    /// Stable key: the Teams id, else the SIP address.
    public var id: String
    public var name: String
    public var presence: Presence
    /// When the current presence began (as far as the softphone knows).
    public var since: Instant

    public init(id: String, name: String, presence: Presence, since: Instant) {
        self.id = id
        self.name = name
        self.presence = presence
        self.since = since
    }
}

/// How the Team tab orders colleagues.
public enum RosterSort: String, CaseIterable, Sendable, Hashable {
    /// By name.
    case name
    /// By icon (available first), then name.
    case state
    /// Longest in their state first.
    case since

    public var label: String {
        switch self {
        case .name: "name"
        case .state: "state"
        case .since: "time in state"
        }
    }
}

/// The sorted, filtered rows of the Team tab and the counts per icon.
public struct TeamTable: Hashable, Sendable {
    public var rows: [Colleague]
    /// Over all colleagues, not only the filtered rows.
    public var counts: [PresenceIcon: Int]
    public var total: Int
}

/// The live agent dashboard's data: every colleague's presence (SPEC section 5).
/// Pure; the connectors feed it, the TUI asks it for a `TeamTable`.
public struct Roster: Hashable, Sendable {
    public private(set) var colleagues: [String: Colleague] = [:]
    /// Bumped on every change, so views can cache tables.
    public private(set) var version = 0

    public init() {}

    /// Adds a colleague or changes their presence. `since` moves only when the presence changes.
    public mutating func update(id: String, name: String, presence: Presence, at now: Instant) {
        if var existing = colleagues[id] {
            guard existing.presence != presence || existing.name != name else { return }
            if existing.presence != presence { existing.since = now }
            existing.presence = presence
            existing.name = name
            colleagues[id] = existing
        } else {
            colleagues[id] = Colleague(id: id, name: name, presence: presence, since: now)
        }
        version &+= 1
    }

    public mutating func remove(id: String) {
        if colleagues.removeValue(forKey: id) != nil { version &+= 1 }
    }

    public var count: Int { colleagues.count }

    /// Rows sorted by `sort`, keeping those whose name or state label contains `filter` (case-insensitive).
    public func table(sort: RosterSort, filter: String = "") -> TeamTable {
        var counts: [PresenceIcon: Int] = [:]
        for colleague in colleagues.values { counts[colleague.presence.icon, default: 0] += 1 }
        let needle = filter.lowercased()
        var rows = needle.isEmpty ? Array(colleagues.values) : colleagues.values.filter {
            $0.name.lowercased().contains(needle) || $0.presence.label.lowercased().contains(needle)
        }
        rows.sort { a, b in
            switch sort {
            case .name:
                return (a.name, a.id) < (b.name, b.id)
            case .state:
                let ra = Self.iconOrder[a.presence.icon] ?? 0, rb = Self.iconOrder[b.presence.icon] ?? 0
                return ra != rb ? ra < rb : (a.name, a.id) < (b.name, b.id)
            case .since:
                return a.since != b.since ? a.since < b.since : (a.name, a.id) < (b.name, b.id)
            }
        }
        return TeamTable(rows: rows, counts: counts, total: colleagues.count)
    }

    /// The order of icons on the dashboard: reachable first.
    public static let iconOrder: [PresenceIcon: Int] = Dictionary(uniqueKeysWithValues:
        [PresenceIcon.available, .outOfOffice, .away, .busy, .busyOutOfOffice, .doNotDisturb, .offline, .unknown]
            .enumerated().map { ($1, $0) })
}
