import SoftphoneCore

/// Durations as people read them on the screen.
enum Format {
    /// A running timer: "0:05", "12:34", "1:02:03".
    static func timer(_ span: Duration) -> String {
        let total = max(0, Int(span.wholeSeconds))
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    /// Time in a state: "4:05" (m:ss) under an hour, "3h07m" under a day, then "2d".
    static func since(_ span: Duration) -> String {
        let total = max(0, Int(span.wholeSeconds))
        if total < 3600 { return "\(total / 60):\(two(total % 60))" }
        if total < 86400 { return "\(total / 3600)h\(two(total / 60 % 60))m" }
        return "\(total / 86400)d"
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// "Name <number>" when it fits in `width` columns, else the name alone (or the number).
    static func party(_ party: Party, width: Int) -> String {
        TextWidth.columns(of: party.display) <= width ? party.display : (party.name ?? party.number)
    }
}

/// Parts of a line that give way by importance when the line is too narrow.
struct LinePart: Equatable {
    var text: String
    var style: Style
    /// Lower is more important; the highest numbers are dropped first.
    var priority: Int
    /// Follows the previous part after one space instead of a separator.
    var attached = false
    /// Drawn right-aligned, after every part that is not.
    var right = false

    /// The parts, in their order, that fit in `width` when each is separated by `gap` columns.
    static func fitting(_ parts: [LinePart], width: Int, gap: Int, measure: (String) -> Int) -> [LinePart] {
        var kept = parts
        func total() -> Int {
            kept.enumerated().reduce(0) { sum, item in
                sum + measure(item.element.text) + (item.offset == 0 ? 0 : item.element.attached ? 1 : gap)
            }
        }
        while total() > width, kept.count > 1,
              let worst = kept.indices.max(by: { kept[$0].priority < kept[$1].priority }) {
            kept.remove(at: worst)
        }
        return kept
    }
}
