import GraphModel
import Foundation
import SoftphoneCore

/// A mailbox's `automaticRepliesSetting` (Outlook's automatic replies), which drives the
/// out-of-office flag of the user's presence. Schedules are in wall-clock time.
struct AutomaticReplies: Sendable, Hashable {
    enum Status: String, Sendable, CaseIterable {
        case disabled, alwaysEnabled, scheduled
    }

    /// A Graph `dateTimeTimeZone`: the local date-time as written and the zone it is in.
    struct ZonedDateTime: Sendable, Hashable {
        var instant: Instant
        var timeZone: String

        /// Parses `{"dateTime":"2025-03-14T07:00:00.0000000","timeZone":"UTC"}`.
        /// Zones: `UTC` and IANA names (`Europe/Berlin`).
        static func parse(_ body: JSONBody, field: String) throws -> ZonedDateTime {
            let dateTime = try body.requiredString("dateTime")
            let zoneName = try body.string("timeZone") ?? "UTC"
            guard let zone = Self.zone(named: zoneName) else {
                throw GraphFailure.badRequest("\(field).timeZone '\(zoneName)' is not a known time zone.",
                                              code: "ErrorInvalidRequest")
            }
            guard let asUTC = GraphDateTime.parse(dateTime) else {
                throw GraphFailure.badRequest("\(field).dateTime '\(dateTime)' is not an ISO 8601 date-time.",
                                              code: "ErrorInvalidRequest")
            }
            let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: asUTC.secondsSinceEpoch))
            return ZonedDateTime(instant: asUTC - .seconds(offset), timeZone: zoneName)
        }

        static func zone(named name: String) -> TimeZone? {
            name.caseInsensitiveCompare("UTC") == .orderedSame ? TimeZone(identifier: "UTC") : TimeZone(identifier: name)
        }

        var json: [String: Any] {
            let zone = Self.zone(named: timeZone) ?? TimeZone(identifier: "UTC")!
            let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: instant.secondsSinceEpoch))
            return ["dateTime": GraphDateTime.local(instant, offsetSeconds: offset), "timeZone": timeZone]
        }
    }

    var status: Status = .disabled
    var externalAudience = "all"
    var internalReplyMessage = ""
    var externalReplyMessage = ""
    var scheduledStart: ZonedDateTime?
    var scheduledEnd: ZonedDateTime?

    /// Whether automatic replies are on at wall-clock time `now`.
    func isActive(at now: Instant) -> Bool {
        switch status {
        case .disabled: false
        case .alwaysEnabled: true
        case .scheduled:
            if let start = scheduledStart?.instant, let end = scheduledEnd?.instant { start <= now && now < end } else { false }
        }
    }

    /// Future instants at which `isActive` may flip.
    func boundaries(after now: Instant) -> [Instant] {
        guard status == .scheduled else { return [] }
        return [scheduledStart?.instant, scheduledEnd?.instant].compactMap { $0 }.filter { $0 > now }
    }

    /// A PATCH of `automaticRepliesSetting`, read from the request; `nil` fields stay as they are.
    struct Patch: Sendable {
        var status: Status?
        var externalAudience: String?
        var internalReplyMessage: String?
        var externalReplyMessage: String?
        var scheduledStart: ZonedDateTime?
        var scheduledEnd: ZonedDateTime?

        init(status: Status? = nil) { self.status = status }

        init(_ body: JSONBody) throws {
            if let text = try body.string("status") {
                guard let s = Status.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(text) == .orderedSame }) else {
                    throw GraphFailure.badRequest(
                        "automaticRepliesSetting.status '\(text)' is not one of disabled, alwaysEnabled, scheduled.",
                        code: "ErrorInvalidRequest")
                }
                status = s
            }
            if let audience = try body.string("externalAudience") {
                guard let known = ["none", "contactsOnly", "all"]
                    .first(where: { $0.caseInsensitiveCompare(audience) == .orderedSame }) else {
                    throw GraphFailure.badRequest(
                        "automaticRepliesSetting.externalAudience '\(audience)' is not one of none, contactsOnly, all.",
                        code: "ErrorInvalidRequest")
                }
                externalAudience = known
            }
            internalReplyMessage = try body.string("internalReplyMessage")
            externalReplyMessage = try body.string("externalReplyMessage")
            if let start = try body.object("scheduledStartDateTime") {
                scheduledStart = try ZonedDateTime.parse(start, field: "scheduledStartDateTime")
            }
            if let end = try body.object("scheduledEndDateTime") {
                scheduledEnd = try ZonedDateTime.parse(end, field: "scheduledEndDateTime")
            }
        }
    }

    /// These settings with `patch` applied, or a 400 if the result is inconsistent.
    func applying(_ patch: Patch) throws(GraphFailure) -> AutomaticReplies {
        var next = self
        if let v = patch.status { next.status = v }
        if let v = patch.externalAudience { next.externalAudience = v }
        if let v = patch.internalReplyMessage { next.internalReplyMessage = v }
        if let v = patch.externalReplyMessage { next.externalReplyMessage = v }
        if let v = patch.scheduledStart { next.scheduledStart = v }
        if let v = patch.scheduledEnd { next.scheduledEnd = v }
        if next.status == .scheduled {
            guard let start = next.scheduledStart, let end = next.scheduledEnd else {
                throw GraphFailure.badRequest(
                    "A scheduled automatic reply needs scheduledStartDateTime and scheduledEndDateTime.",
                    code: "ErrorInvalidRequest")
            }
            guard start.instant < end.instant else {
                throw GraphFailure.badRequest("scheduledEndDateTime must be after scheduledStartDateTime.",
                                              code: "ErrorInvalidRequest")
            }
        }
        return next
    }

    /// The `automaticRepliesSetting` object as Graph returns it.
    var json: [String: Any] {
        var object: [String: Any] = [
            "status": status.rawValue,
            "externalAudience": externalAudience,
            "internalReplyMessage": internalReplyMessage,
            "externalReplyMessage": externalReplyMessage,
        ]
        if let s = scheduledStart { object["scheduledStartDateTime"] = s.json }
        if let e = scheduledEnd { object["scheduledEndDateTime"] = e.json }
        return object
    }
}
