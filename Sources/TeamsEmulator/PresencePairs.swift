import SoftphoneCore

/// Reading availability/activity from request bodies (case-insensitively, as Graph does).
enum PresencePairs {
    static func availability(_ text: String) throws -> Availability {
        guard let value = Availability.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) else {
            throw GraphFailure.badRequest("'\(text)' is not a valid availability.")
        }
        return value
    }

    static func activity(_ text: String) throws -> Activity {
        guard let value = Activity.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) else {
            throw GraphFailure.badRequest("'\(text)' is not a valid activity.")
        }
        return value
    }

    /// The required `availability` and `activity` of a body.
    static func pair(in body: JSONBody) throws -> PresencePair {
        PresencePair(try availability(body.requiredString("availability")), try activity(body.requiredString("activity")))
    }

    /// "Available/Available, Busy/InACall, …" in a stable order, for error messages.
    static func list(_ pairs: Set<PresencePair>) -> String {
        pairs.map(\.description).sorted().joined(separator: ", ")
    }
}
