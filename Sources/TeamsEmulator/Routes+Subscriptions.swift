import GraphModel
import Foundation
import Hummingbird
import SoftphoneCore

extension EmulatorRoutes {
    /// Change-notification subscriptions on presence.
    ///
    /// - `POST /v1.0/subscriptions` `{"changeType":"updated","notificationUrl","resource",
    ///   "expirationDateTime","clientState"?,"lifecycleNotificationUrl"?}` → 201 the subscription.
    ///   `resource` is `/communications/presences/{id}` or
    ///   `/communications/presences?$filter=id in ('a','b')` (≤ 650 ids); `expirationDateTime`
    ///   at most one hour ahead; `clientState` ≤ 128 characters. Ids are object ids (GUIDs;
    ///   else 400). Needs a delegated token with Presence.Read.All: an application token gets
    ///   403 (presence notifications do not support application permissions). Both URLs must
    ///   be https (400 otherwise) unless the emulator runs with `allowHTTPNotifications`.
    ///   Every subscription request counts against the presence budget.
    ///   Before answering, the emulator POSTs `notificationUrl?validationToken=…` and needs a
    ///   200 with the token as `text/plain` within `validationTimeout`; else 400 `ValidationError`.
    /// - `GET /v1.0/subscriptions` → 200 `{"value":[…]}` (the caller's live subscriptions).
    /// - `GET /v1.0/subscriptions/{id}` → 200 or 404 `ResourceNotFound`.
    /// - `PATCH /v1.0/subscriptions/{id}` `{"expirationDateTime","notificationUrl"?}` → 200 (a new
    ///   URL is validated first); 404 once expired or deleted.
    /// - `DELETE /v1.0/subscriptions/{id}` → 204; 404 if unknown.
    ///
    /// A notification is `{"value":[{"subscriptionId","clientState","changeType":"updated",
    /// "resource":"communications/presences/{id}","subscriptionExpirationDateTime","tenantId",
    /// "organizationId","resourceData":{"@odata.type":"#microsoft.graph.presence",
    /// "@odata.id":"users/{id}/presence","id"}}]}`,
    /// one entry per changed user, one POST per subscription and change.
    func registerSubscriptions(on router: Router) {
        graph(.post, "/subscriptions", presence: true, on: router) { request, _, caller in
            try caller.requireSubscribePresence()
            return try await createSubscription(request, clientID: caller.clientID)
        }
        graph(.get, "/subscriptions", presence: true, on: router) { request, _, caller in
            let clientID = caller.clientID
            let mine = await engine.liveSubscriptions().filter { $0.applicationID == clientID }
            return JSONReply.object([
                "@odata.context": "\(serviceRoot(request))/$metadata#subscriptions",
                "value": mine.map { $0.json(tenant: options.tenant) },
            ])
        }
        graph(.get, "/subscriptions/{id}", presence: true, on: router) { request, context, caller in
            let subscription = try await ownSubscription(context, clientID: caller.clientID)
            return subscriptionResponse(subscription, request)
        }
        graph(.patch, "/subscriptions/{id}", presence: true, on: router) { request, context, caller in
            try await renewSubscription(request, context, clientID: caller.clientID)
        }
        graph(.delete, "/subscriptions/{id}", presence: true, on: router) { _, context, caller in
            let subscription = try await ownSubscription(context, clientID: caller.clientID)
            _ = await engine.deleteSubscription(subscription.id)
            return JSONReply.empty(.noContent)
        }
    }

    private func subscriptionResponse(_ subscription: PresenceSubscription, _ request: Request,
                                      status: HTTPResponse.Status = .ok) -> Response {
        var json = subscription.json(tenant: options.tenant)
        json["@odata.context"] = "\(serviceRoot(request))/$metadata#subscriptions/$entity"
        return JSONReply.object(json, status: status)
    }

    private func ownSubscription(_ context: EmulatorRequestContext, clientID: String) async throws -> PresenceSubscription {
        let id = try pathParameter("id", context)
        guard let s = await engine.subscription(id), s.applicationID == clientID else {
            throw GraphFailure.notFound("The object was not found.", code: "ResourceNotFound")
        }
        return s
    }

    private func createSubscription(_ request: Request, clientID: String) async throws -> Response {
        let body = try await JSONBody.read(request)
        let changeType = try body.requiredString("changeType")
        guard changeType.split(separator: ",").allSatisfy({
            $0.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare("updated") == .orderedSame
        }) else {
            throw GraphFailure.badRequest("Presence subscriptions support changeType 'updated' only; got '\(changeType)'.",
                                          code: "InvalidRequest")
        }
        let url = try notificationURL(body.requiredString("notificationUrl"), field: "notificationUrl")
        let lifecycleURL = try body.string("lifecycleNotificationUrl").map {
            try notificationURL($0, field: "lifecycleNotificationUrl")
        }
        let resource = try body.requiredString("resource")
        let userIDs = try PresenceSubscription.users(inResource: resource)
        let expiration = try expirationDateTime(body)
        let clientState = try body.string("clientState")
        if let clientState, clientState.count > 128 {
            throw GraphFailure.badRequest("clientState is longer than 128 characters.", code: "InvalidRequest")
        }
        if try body.bool("includeResourceData") == true {
            throw GraphFailure.badRequest(
                "includeResourceData needs an encryptionCertificate; the emulator sends basic notifications only.",
                code: "InvalidRequest")
        }
        try await validate(url)
        let subscription = PresenceSubscription(
            id: UUID().uuidString.lowercased(), resource: resource, userIDs: Set(userIDs), notificationURL: url,
            clientState: clientState, lifecycleNotificationURL: lifecycleURL, expiration: expiration,
            applicationID: clientID)
        await engine.addSubscription(subscription)
        return subscriptionResponse(subscription, request, status: .created)
    }

    private func renewSubscription(_ request: Request, _ context: EmulatorRequestContext,
                                   clientID: String) async throws -> Response {
        let body = try await JSONBody.read(request)
        let current = try await ownSubscription(context, clientID: clientID)
        let expiration = try expirationDateTime(body)
        var newURL: String?
        if let text = try body.string("notificationUrl") {
            let url = try notificationURL(text, field: "notificationUrl")
            if url != current.notificationURL {
                try await validate(url)
                newURL = url
            }
        }
        guard let renewed = await engine.renewSubscription(current.id, expiration: expiration, notificationURL: newURL) else {
            throw GraphFailure.notFound("The object was not found.", code: "ResourceNotFound")
        }
        return subscriptionResponse(renewed, request)
    }

    /// A required `expirationDateTime` in the future and at most an hour ahead (a few
    /// seconds of clock skew allowed).
    private func expirationDateTime(_ body: JSONBody) throws -> Instant {
        let text = try body.requiredString("expirationDateTime")
        guard let expiration = GraphDateTime.parse(text) else {
            throw GraphFailure.badRequest("expirationDateTime '\(text)' is not an ISO 8601 date-time.", code: "InvalidRequest")
        }
        let now = engine.clock.wallNow()
        guard expiration > now else {
            throw GraphFailure.badRequest("Subscription expiration must be in the future.", code: "InvalidRequest")
        }
        guard expiration <= now + PresenceSubscription.maximumLifetime + .seconds(30) else {
            throw GraphFailure.badRequest(
                "Subscription expiration can only be 60 minutes in the future for presence.", code: "InvalidRequest")
        }
        return expiration
    }

    /// Graph requires https notification URLs; `allowHTTPNotifications` also admits http.
    private func notificationURL(_ text: String, field: String) throws -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw GraphFailure.badRequest("\(field) '\(text)' must be an absolute https URL.", code: "InvalidRequest")
        }
        guard scheme == "https" || options.allowHTTPNotifications else {
            throw GraphFailure.badRequest(
                "\(field) '\(text)' must use https (start the emulator with --allow-http-notifications to accept http).",
                code: "InvalidRequest")
        }
        return text
    }

    private func validate(_ url: String) async throws {
        if let reason = await dispatcher.validate(notificationURL: url, timeout: options.validationTimeout) {
            throw GraphFailure.badRequest(
                "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request: \(reason).",
                code: "ValidationError")
        }
    }
}
