import GraphModel
import Foundation
import SoftphoneCore
import Testing
@testable import TeamsEmulator

/// Graph's rules the emulator enforces: permissions per token kind, object ids, `$batch`,
/// https notification URLs, the presence budget.
@Suite("Strict Graph: permissions, object ids, batching, throttling")
struct StrictGraphTests {
    static let colleague = EmulatedUserSeed(id: "bob", displayName: "Bob", colleague: true,
                                            teamsClient: PresencePair(.busy, .inACall))
    static var bob: String { colleague.objectID }

    static func strictOptions(budget: Int = 1_500, allowHTTP: Bool = false) -> TeamsEmulatorOptions {
        TeamsEmulatorOptions(presenceRequestsPer30s: budget, allowHTTPNotifications: allowHTTP,
                             users: [EmulatedUserSeed(id: Emulator.agent, displayName: "Agent One"), colleague])
    }

    func set(_ emulator: Emulator, user: String, token: String) async throws -> Reply {
        try await emulator.setPresence("Busy", "InACall", user: user, token: token)
    }

    @Test func delegatedTokensWriteOnlyTheirOwnPresence() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            let mine = try await emulator.delegatedToken()
            #expect(try await set(emulator, user: Emulator.agent, token: mine).status == 200)
            let other = try await set(emulator, user: Self.bob, token: mine)
            #expect(other.status == 403)
            #expect(other.graphErrorCode == "Forbidden")
            let preferred = try await emulator.graph(.post, "/users/\(Self.bob)/presence/setUserPreferredPresence",
                                                     json: ["availability": "Away", "activity": "Away"], token: mine)
            #expect(preferred.status == 403)
            // Without Presence.ReadWrite even one's own presence is refused.
            let readOnly = try await emulator.delegatedToken(scopes: ["Presence.Read.All"])
            #expect(try await set(emulator, user: Emulator.agent, token: readOnly).status == 403)
            // The application (Presence.ReadWrite.All) may write anyone's.
            #expect(try await set(emulator, user: Self.bob, token: emulator.token()).status == 200)
        }
    }

    @Test func readingOthersNeedsPresenceReadAll() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            let own = try await emulator.delegatedToken(scopes: ["Presence.Read"])
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: own).status == 200)
            #expect(try await emulator.graph(.get, "/users/\(Self.bob)/presence", token: own).status == 403)
            #expect(try await emulator.graph(.post, "/communications/getPresencesByUserId",
                                             json: ["ids": [Self.bob]], token: own).status == 403)
            let all = try await emulator.delegatedToken(scopes: ["Presence.Read.All"])
            #expect(try await emulator.graph(.get, "/users/\(Self.bob)/presence", token: all).status == 200)
            #expect(try await emulator.graph(.post, "/communications/getPresencesByUserId",
                                             json: ["ids": [Self.bob]], token: all).status == 200)
        }
    }

    @Test func meIsForDelegatedTokensOnly() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            let app = try await emulator.graph(.get, "/me")
            #expect(app.status == 400)
            #expect(app.text.contains("/me request is only valid with delegated authentication flow"))
            #expect(try await emulator.graph(.get, "/me/presence").status == 400)
            let token = try await emulator.delegatedToken()
            let me = try await emulator.graph(.get, "/me/presence", token: token)
            #expect(me.status == 200)
            #expect(me.json["id"] as? String == Emulator.agent)
        }
    }

    @Test func presenceSubscriptionsRefuseApplicationTokens() async throws {
        try await withReceiver { receiver async throws in
            try await withEmulator(Self.strictOptions(allowHTTP: true)) { emulator async throws in
                let body = SubscriptionTests.body(receiver.url)
                let app = try await emulator.graph(.post, "/subscriptions", json: body, token: emulator.token())
                #expect(app.status == 403)
                #expect(app.graphErrorCode == "Forbidden")
                let noReadAll = try await emulator.delegatedToken(scopes: ["Presence.ReadWrite"])
                #expect(try await emulator.graph(.post, "/subscriptions", json: body, token: noReadAll).status == 403)
                #expect(await receiver.log.validationTokens.isEmpty)
                let delegated = try await emulator.graph(.post, "/subscriptions", json: body, token: emulator.delegatedToken())
                #expect(delegated.status == 201)
            }
        }
    }

    @Test func notificationURLsMustBeHTTPS() async throws {
        try await withReceiver { receiver async throws in
            try await withEmulator(Self.strictOptions()) { emulator async throws in
                let plain = try await emulator.graph(.post, "/subscriptions", json: SubscriptionTests.body(receiver.url))
                #expect(plain.status == 400)
                var lifecycle = SubscriptionTests.body("https://127.0.0.1:1/notify")
                lifecycle["lifecycleNotificationUrl"] = receiver.url
                #expect(try await emulator.graph(.post, "/subscriptions", json: lifecycle).status == 400)
                #expect(await receiver.log.validationTokens.isEmpty)
            }
        }
    }

    @Test func presenceTakesObjectIdsOnly() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            let upn = "bob@\(emulator.options.domain)"
            let byUPN = try await emulator.graph(.get, "/users/\(upn)/presence")
            #expect(byUPN.status == 400)
            #expect(byUPN.graphErrorCode == "BadRequest")
            #expect(try await emulator.graph(.get, "/users/bob/presence").status == 400)
            #expect(try await emulator.graph(.post, "/communications/getPresencesByUserId",
                                             json: ["ids": [Self.bob, upn]]).status == 400)
            #expect(try await emulator.graph(.get, "/users/\(Self.bob)/presence").status == 200)
            let subscription = try await emulator.graph(.post, "/subscriptions", json: SubscriptionTests.body(
                "https://127.0.0.1:1/notify", resource: "/communications/presences/\(upn)"))
            #expect(subscription.status == 400)
            #expect(subscription.text.contains("not a user object id"))
        }
    }

    @Test func usersResolveByUPNOrObjectId() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            let upn = "bob@\(emulator.options.domain)"
            let selected = try await emulator.graph(.get, "/users/\(upn)?$select=id")
            #expect(selected.status == 200)
            #expect(selected.json["id"] as? String == Self.bob)
            #expect(selected.json["displayName"] == nil)
            let full = try await emulator.graph(.get, "/users/\(Self.bob)")
            #expect(full.json["displayName"] as? String == "Bob")
            #expect(full.json["userPrincipalName"] as? String == upn)
            #expect(try await emulator.graph(.get, "/users/nobody@\(emulator.options.domain)").status == 404)
            // A short name is no UPN in Graph's directory.
            #expect(try await emulator.graph(.get, "/users/bob").status == 404)
            // User.Read alone reads only oneself.
            let userRead = try await emulator.delegatedToken(scopes: ["User.Read"])
            #expect(try await emulator.graph(.get, "/users/\(upn)", token: userRead).status == 403)
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)", token: userRead).status == 200)
        }
    }

    @Test func batchAnswersEachItemOnItsOwn() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            let upn = "bob@\(emulator.options.domain)"
            let reply = try await emulator.graph(.post, "/$batch", json: ["requests": [
                ["id": "1", "method": "GET", "url": "/users/\(upn)?$select=id"],
                ["id": "2", "method": "GET", "url": "/users/ghost@\(emulator.options.domain)?$select=id"],
                ["id": "3", "method": "GET", "url": "/users/\(Self.bob)/presence"],
            ]])
            #expect(reply.status == 200)
            let responses = try #require(reply.json["responses"] as? [[String: Any]])
            #expect(responses.count == 3)
            let byID = Dictionary(uniqueKeysWithValues: responses.map { ($0["id"] as? String ?? "", $0) })
            #expect(byID["1"]?["status"] as? Int == 200)
            #expect((byID["1"]?["body"] as? [String: Any])?["id"] as? String == Self.bob)
            #expect(byID["2"]?["status"] as? Int == 404)
            #expect((byID["3"]?["body"] as? [String: Any])?["activity"] as? String == "InACall")
            // Each item counts on its own.
            #expect(try await emulator.endpointCount("$batch GET /v1.0/users/{id}") == 2)
            #expect(try await emulator.endpointCount("$batch GET /v1.0/users/{id}/presence") == 1)

            let tooMany = (0..<21).map { ["id": "\($0)", "method": "GET", "url": "/users/\(upn)"] }
            #expect(try await emulator.graph(.post, "/$batch", json: ["requests": tooMany]).status == 400)
            let duplicate = [["id": "1", "method": "GET", "url": "/users/\(upn)"],
                             ["id": "1", "method": "GET", "url": "/users/\(upn)"]]
            #expect(try await emulator.graph(.post, "/$batch", json: ["requests": duplicate]).status == 400)
        }
    }

    @Test func overTheBudgetIs429WithRetryAfterAndStillCounts() async throws {
        try await withEmulator(Self.strictOptions(budget: 3)) { emulator async throws in
            let token = try await emulator.token()
            for _ in 0..<3 {
                #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token).status == 200)
            }
            let throttled = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token)
            #expect(throttled.status == 429)
            #expect(throttled.graphErrorCode == "TooManyRequests")
            let retryAfter = try #require(throttled.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...30).contains(retryAfter))
            #expect(try await emulator.setPresence("Away", "Away", token: token).status == 429)
            // Requests answered 429 count too; other applications have their own budget, and
            // the directory is not presence.
            let window = try #require(try await emulator.stats()["presenceLast30s"] as? [String: Any])
            #expect((window["byClient"] as? [String: Any])?[emulator.options.clientID] as? Int == 5)
            #expect(window["budget"] as? Int == 3)
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)", token: token).status == 200)
        }
    }

    @Test func aForcedThrottleAnswers429UntilItEnds() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            #expect(try await emulator.control(.put, "/throttle", json: ["seconds": 120]).status == 200)
            let throttled = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence")
            #expect(throttled.status == 429)
            let retryAfter = try #require(throttled.headers[.retryAfter].flatMap { Int($0) })
            #expect((60...120).contains(retryAfter))
            #expect(try await emulator.control(.delete, "/throttle").status == 204)
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)/presence").status == 200)
        }
    }

    @Test func theControlAPIKnowsUsersByAliasUPNAndObjectId() async throws {
        try await withEmulator(Self.strictOptions()) { emulator async throws in
            let upn = "bob@\(emulator.options.domain)"
            for name in ["bob", upn, Self.bob, Self.bob.uppercased()] {
                let state = try await emulator.control(.get, "/users/\(name)")
                #expect(state.status == 200)
                #expect(state.json["id"] as? String == Self.bob)
                #expect(state.json["userPrincipalName"] as? String == upn)
            }
        }
    }

    @Test func objectIdsAreDeterministicGUIDs() {
        #expect(ObjectID.isGUID(ObjectID.forName("ada")))
        #expect(ObjectID.forName("ada") == ObjectID.forName("ADA"))
        #expect(ObjectID.forName("ada") != ObjectID.forName("bob"))
        let guid = "8E1B7C2A-0000-4000-8000-000000000001"
        #expect(ObjectID.forName(guid) == guid.lowercased())
    }
}
