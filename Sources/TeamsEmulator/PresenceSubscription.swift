import GraphModel
import Foundation
import SoftphoneCore

/// A change-notification subscription on presence (`POST /subscriptions`).
struct PresenceSubscription: Sendable, Hashable {
    var id: String
    /// The resource as the client wrote it.
    var resource: String
    /// The users it covers.
    var userIDs: Set<String>
    var notificationURL: String
    var clientState: String?
    var lifecycleNotificationURL: String?
    /// Wall-clock expiry.
    var expiration: Instant
    /// The client id of the application that created it.
    var applicationID: String

    /// Presence subscriptions last at most an hour.
    static let maximumLifetime: Duration = .seconds(3600)
    /// At most this many users in one `$filter=id in (…)`, as for `getPresencesByUserId`.
    static let maximumUsers = 650

    /// The subscription resource's JSON.
    func json(tenant: String) -> [String: Any] {
        [
            "id": id,
            "resource": resource,
            "applicationId": applicationID,
            "changeType": "updated",
            "clientState": clientState.map { $0 as Any } ?? NSNull(),
            "notificationUrl": notificationURL,
            "notificationQueryOptions": NSNull(),
            "lifecycleNotificationUrl": lifecycleNotificationURL.map { $0 as Any } ?? NSNull(),
            "expirationDateTime": GraphDateTime.format(expiration),
            "creatorId": applicationID,
            "includeResourceData": false,
            "latestSupportedTlsVersion": "v1_2",
            "encryptionCertificate": NSNull(),
            "encryptionCertificateId": NSNull(),
            "notificationUrlAppId": NSNull(),
        ]
    }

    /// The users named by a presence resource:
    /// `/communications/presences/{id}` or `/communications/presences?$filter=id in ('a','b')`
    /// (leading slash optional, query possibly percent-encoded).
    static func users(inResource resource: String) throws -> [String] {
        let decoded = (resource.removingPercentEncoding ?? resource).trimmingCharacters(in: .whitespaces)
        var path = Substring(decoded)
        if path.hasPrefix("/") { path = path.dropFirst() }
        let prefix = "communications/presences"
        guard path.lowercased().hasPrefix(prefix) else {
            throw GraphFailure.badRequest(
                "Resource '\(resource)' is not supported; use /communications/presences/{id} or /communications/presences?$filter=id in ('…').",
                code: "InvalidRequest")
        }
        path = path.dropFirst(prefix.count)
        if path.hasPrefix("/") {
            let id = path.dropFirst().trimmingCharacters(in: .whitespaces)
            guard !id.isEmpty, !id.contains("/"), !id.contains("?") else {
                throw GraphFailure.badRequest("Resource '\(resource)' names no user.", code: "InvalidRequest")
            }
            guard ObjectID.isGUID(id) else {
                throw GraphFailure.badRequest(
                    "Resource '\(resource)': '\(id)' is not a user object id (a GUID).", code: "InvalidRequest")
            }
            return [id.lowercased()]
        }
        guard path.hasPrefix("?") else {
            throw GraphFailure.badRequest("Resource '\(resource)' names no user.", code: "InvalidRequest")
        }
        let query = path.dropFirst()
        guard let filterRange = query.range(of: "$filter=", options: .caseInsensitive) else {
            throw GraphFailure.badRequest("Resource '\(resource)' needs $filter=id in (…).", code: "InvalidRequest")
        }
        let filter = query[filterRange.upperBound...].trimmingCharacters(in: .whitespaces)
        let pattern = filter.replacingOccurrences(of: " ", with: "").lowercased()
        guard pattern.hasPrefix("idin("), let open = filter.firstIndex(of: "("),
              let close = filter.lastIndex(of: ")"), open < close else {
            throw GraphFailure.badRequest("Resource '\(resource)': the filter must be id in ('…', …).",
                                          code: "InvalidRequest")
        }
        let ids = filter[filter.index(after: open)..<close]
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
            .filter { !$0.isEmpty }
        guard !ids.isEmpty else {
            throw GraphFailure.badRequest("Resource '\(resource)' names no user.", code: "InvalidRequest")
        }
        if let bad = ids.first(where: { !ObjectID.isGUID($0) }) {
            throw GraphFailure.badRequest(
                "Resource '\(resource)': '\(bad)' is not a user object id (a GUID).", code: "InvalidRequest")
        }
        guard ids.count <= maximumUsers else {
            throw GraphFailure.badRequest(
                "A presence subscription can cover at most \(maximumUsers) users; this one names \(ids.count).",
                code: "InvalidRequest")
        }
        return ids.map { $0.lowercased() }
    }
}
