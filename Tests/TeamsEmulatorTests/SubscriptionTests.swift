import GraphModel
import Foundation
import SoftphoneCore
import Testing
@testable import TeamsEmulator

@Suite("Subscriptions and change notifications")
struct SubscriptionTests {
    static func body(_ url: String, resource: String = "/communications/presences/\(Emulator.agent)",
                     expiresIn: Duration = .seconds(3000), clientState: String? = "secret-state") -> [String: Any] {
        var body: [String: Any] = [
            "changeType": "updated", "notificationUrl": url, "resource": resource,
            "expirationDateTime": GraphDateTime.format(wallClockNow() + expiresIn),
        ]
        if let clientState { body["clientState"] = clientState }
        return body
    }

    @Test func validationHandshakeThenCreated() async throws {
        try await withReceiver { receiver async throws in
            try await withEmulator { emulator async throws in
                let reply = try await emulator.graph(.post, "/subscriptions", json: Self.body(receiver.url))
                #expect(reply.status == 201)
                #expect(reply.json["id"] as? String != nil)
                #expect(reply.json["changeType"] as? String == "updated")
                #expect(reply.json["clientState"] as? String == "secret-state")
                #expect(reply.json["applicationId"] as? String == emulator.options.clientID)
                let tokens = await receiver.log.validationTokens
                #expect(tokens.count == 1)
                #expect(tokens.first?.hasPrefix("Validation: ") == true)
                #expect((try await emulator.stats()["validations"] as? Int) == 1)
            }
        }
    }

    @Test(arguments: [NotificationReceiver.Validation.wrongToken, .status(500), .status(404), .wrongContentType])
    func failedValidationIs400(_ validation: NotificationReceiver.Validation) async throws {
        try await withReceiver(validation) { receiver async throws in
            try await withEmulator { emulator async throws in
                let reply = try await emulator.graph(.post, "/subscriptions", json: Self.body(receiver.url))
                #expect(reply.status == 400)
                #expect(reply.graphErrorCode == "ValidationError")
                let list = try await emulator.graph(.get, "/subscriptions")
                #expect((list.json["value"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func unreachableReceiverIs400() async throws {
        var options = options()
        options.validationTimeout = .seconds(1)
        try await withEmulator(options) { emulator async throws in
            let reply = try await emulator.graph(.post, "/subscriptions", json: Self.body("http://127.0.0.1:1/notify"))
            #expect(reply.status == 400)
            #expect(reply.graphErrorCode == "ValidationError")
        }
    }

    @Test func aChangeIsNotifiedWithClientStateEchoed() async throws {
        try await withReceiver { receiver async throws in
            try await withEmulator { emulator async throws in
                let created = try await emulator.graph(.post, "/subscriptions", json: Self.body(receiver.url))
                let id = try #require(created.json["id"] as? String)
                _ = try await emulator.setPresence("Busy", "InACall")
                let arrived = await eventually { await !receiver.entries().isEmpty }
                #expect(arrived)
                let entry = try #require(await receiver.entries().first)
                #expect(entry["subscriptionId"] as? String == id)
                #expect(entry["clientState"] as? String == "secret-state")
                #expect(entry["changeType"] as? String == "updated")
                #expect(entry["tenantId"] as? String == emulator.options.tenant)
                #expect(entry["resource"] as? String == "communications/presences/\(Emulator.agent)")
                #expect(entry["subscriptionExpirationDateTime"] as? String != nil)
                let data = try #require(entry["resourceData"] as? [String: Any])
                #expect(data["@odata.type"] as? String == "#microsoft.graph.presence")
                #expect(data["@odata.id"] as? String == "users/\(Emulator.agent)/presence")
                #expect(data["id"] as? String == Emulator.agent)
                #expect(data["availability"] == nil)
            }
        }
    }

    @Test func aFilterSubscriptionCoversItsUsersOnly() async throws {
        let users = ["c1", "c2", "c3"].map { EmulatedUserSeed(id: $0, colleague: true) }
        let (c1, c2, c3) = (ObjectID.forName("c1"), ObjectID.forName("c2"), ObjectID.forName("c3"))
        try await withReceiver { receiver async throws in
            try await withEmulator(options(users: users)) { emulator async throws in
                let created = try await emulator.graph(.post, "/subscriptions", json: Self.body(
                    receiver.url, resource: "/communications/presences?$filter=id in ('\(c1)', '\(c2)')"))
                #expect(created.status == 201)
                _ = try await emulator.control(.put, "/users/c3/sessions/desktop",
                                               json: ["availability": "Busy", "activity": "InACall"])
                _ = try await emulator.control(.put, "/users/c2/sessions/desktop",
                                               json: ["availability": "Available", "activity": "Available"])
                let arrived = await eventually { await receiver.userIDs().contains(c2) }
                #expect(arrived)
                #expect(await !receiver.userIDs().contains(c3))
                // A control-API change that leaves the aggregate as it was is not a change.
                _ = try await emulator.control(.put, "/users/c2/sessions/phone",
                                               json: ["availability": "Available", "activity": "Available"])
                _ = try await emulator.control(.put, "/users/c1/sessions/desktop",
                                               json: ["availability": "Away", "activity": "Away"])
                let c1Notified = await eventually { await receiver.userIDs().contains(c1) }
                #expect(c1Notified)
                #expect(await receiver.userIDs().filter { $0 == c2 }.count == 1)
            }
        }
    }

    @Test func subscriptionRequestsAreValidated() async throws {
        try await withReceiver { receiver async throws in
            try await withEmulator { emulator async throws in
                let tooLong = try await emulator.graph(.post, "/subscriptions",
                                                       json: Self.body(receiver.url, expiresIn: .seconds(2 * 3600)))
                #expect(tooLong.status == 400)
                let past = try await emulator.graph(.post, "/subscriptions",
                                                    json: Self.body(receiver.url, expiresIn: .seconds(-60)))
                #expect(past.status == 400)
                let resource = try await emulator.graph(.post, "/subscriptions",
                                                        json: Self.body(receiver.url, resource: "/me/messages"))
                #expect(resource.status == 400)
                let ids = (0..<651).map { "'\(ObjectID.forName("u\($0)"))'" }.joined(separator: ",")
                let tooMany = try await emulator.graph(.post, "/subscriptions", json: Self.body(
                    receiver.url, resource: "/communications/presences?$filter=id in (\(ids))"))
                #expect(tooMany.status == 400)
                var created = Self.body(receiver.url)
                created["changeType"] = "created"
                #expect(try await emulator.graph(.post, "/subscriptions", json: created).status == 400)
                #expect(try await emulator.graph(.post, "/subscriptions", json: Self.body("ftp://x/y")).status == 400)
                #expect(await receiver.log.validationTokens.isEmpty)
            }
        }
    }

    @Test func renewAndDelete() async throws {
        try await withReceiver { receiver async throws in
            try await withEmulator { emulator async throws in
                let token = try await emulator.delegatedToken()
                let created = try await emulator.graph(.post, "/subscriptions",
                                                       json: Self.body(receiver.url, expiresIn: .seconds(600)), token: token)
                let id = try #require(created.json["id"] as? String)
                let newExpiry = GraphDateTime.format(wallClockNow() + .seconds(3500))
                let renewed = try await emulator.graph(.patch, "/subscriptions/\(id)",
                                                       json: ["expirationDateTime": newExpiry], token: token)
                #expect(renewed.status == 200)
                #expect(renewed.json["expirationDateTime"] as? String == newExpiry)
                let tooFar = try await emulator.graph(
                    .patch, "/subscriptions/\(id)",
                    json: ["expirationDateTime": GraphDateTime.format(wallClockNow() + .seconds(7200))], token: token)
                #expect(tooFar.status == 400)
                #expect(try await emulator.graph(.get, "/subscriptions/\(id)", token: token).status == 200)

                let deleted = try await emulator.graph(.delete, "/subscriptions/\(id)", token: token)
                #expect(deleted.status == 204)
                #expect(try await emulator.graph(.get, "/subscriptions/\(id)", token: token).status == 404)
                #expect(try await emulator.graph(.delete, "/subscriptions/\(id)", token: token).status == 404)
                let renewGone = try await emulator.graph(.patch, "/subscriptions/\(id)",
                                                         json: ["expirationDateTime": newExpiry], token: token)
                #expect(renewGone.status == 404)
                #expect(renewGone.graphErrorCode == "ResourceNotFound")
            }
        }
    }

    @Test func deletedAndExpiredSubscriptionsStop() async throws {
        try await withReceiver { receiver async throws in
            try await withReceiver { barrier async throws in
                try await withEmulator { emulator async throws in
                    let token = try await emulator.delegatedToken()
                    let deleted = try await emulator.graph(.post, "/subscriptions", json: Self.body(receiver.url), token: token)
                    let deletedID = try #require(deleted.json["id"] as? String)
                    _ = try await emulator.graph(.post, "/subscriptions",
                                                 json: Self.body(receiver.url, expiresIn: .milliseconds(500)), token: token)
                    _ = try await emulator.graph(.post, "/subscriptions", json: Self.body(barrier.url), token: token)
                    #expect(try await emulator.graph(.delete, "/subscriptions/\(deletedID)", token: token).status == 204)
                    let expired = await eventually {
                        (try? await emulator.graph(.get, "/subscriptions", token: token).json["value"] as? [Any])?.count == 1
                    }
                    #expect(expired)
                    _ = try await emulator.setPresence("Busy", "InACall", token: token)
                    let barrierArrived = await eventually { await !barrier.entries().isEmpty }
                    #expect(barrierArrived)
                    #expect(await receiver.entries().isEmpty)
                }
            }
        }
    }
}
