import Hummingbird

extension EmulatorRoutes {
    /// Mailbox settings; `automaticRepliesSetting` drives the presence's out of office.
    ///
    /// - `GET /v1.0/users/{id}/mailboxSettings` → 200 `{"@odata.context","automaticRepliesSetting":{…},
    ///   "timeZone":"UTC","language":{…}}`
    /// - `GET /v1.0/users/{id}/mailboxSettings/automaticRepliesSetting` → 200 the setting alone
    /// - `PATCH /v1.0/users/{id}/mailboxSettings` `{"automaticRepliesSetting":{"status":
    ///   "disabled"|"alwaysEnabled"|"scheduled","scheduledStartDateTime":{"dateTime","timeZone"},
    ///   "scheduledEndDateTime":{…},"internalReplyMessage","externalReplyMessage","externalAudience"}}`
    ///   (any subset) → 200 `{"@odata.context","automaticRepliesSetting":{…}}`; 400 for unknown
    ///   values, an unknown time zone, or `scheduled` without a valid start < end.
    ///
    /// Out of office is on while the status is `alwaysEnabled`, or `scheduled` and the wall
    /// clock is in [start, end); the internal reply message is the presence's OOF message.
    func registerMailbox(on router: Router) {
        graph(.get, "/users/{id}/mailboxSettings", on: router) { request, context, _ in
            let id = try await requireUser(context)
            guard let user = await engine.user(id) else { throw GraphFailure.unknownUser(id) }
            return JSONReply.object([
                "@odata.context": "\(serviceRoot(request))/$metadata#users('\(id)')/mailboxSettings",
                "automaticRepliesSetting": user.automaticReplies.json,
                "timeZone": "UTC",
                "language": ["locale": "en-US", "displayName": "English (United States)"],
                "userPurpose": "user",
            ])
        }
        graph(.get, "/users/{id}/mailboxSettings/automaticRepliesSetting", on: router) { request, context, _ in
            let id = try await requireUser(context)
            guard let user = await engine.user(id) else { throw GraphFailure.unknownUser(id) }
            var json = user.automaticReplies.json
            json["@odata.context"] = "\(serviceRoot(request))/$metadata#users('\(id)')/mailboxSettings/automaticRepliesSetting"
            return JSONReply.object(json)
        }
        graph(.patch, "/users/{id}/mailboxSettings", on: router) { request, context, _ in
            let body = try await JSONBody.read(request)
            let patch = try body.object("automaticRepliesSetting").map(AutomaticReplies.Patch.init)
                ?? AutomaticReplies.Patch()
            let id = try await requireUser(context)
            let settings = try await engine.updateAutomaticReplies(userID: id, patch)
            return JSONReply.object([
                "@odata.context": "\(serviceRoot(request))/$metadata#users('\(id)')/mailboxSettings",
                "automaticRepliesSetting": settings.json,
            ])
        }
    }
}
