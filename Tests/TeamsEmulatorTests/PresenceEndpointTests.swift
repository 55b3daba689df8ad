import Foundation
import Hummingbird
import SoftphoneCore
import Testing
@testable import TeamsEmulator

@Suite("Presence endpoints")
struct PresenceEndpointTests {
    @Test func getPresenceHasGraphShape() async throws {
        try await withEmulator { emulator async throws in
            let reply = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence")
            #expect(reply.status == 200)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            let json = reply.json
            #expect(json["id"] as? String == Emulator.agent)
            #expect(json["availability"] as? String == "Offline")
            #expect(json["activity"] as? String == "Offline")
            #expect(json["@odata.context"] as? String != nil)
            let ooo = try #require(json["outOfOfficeSettings"] as? [String: Any])
            #expect(ooo["isOutOfOffice"] as? Bool == false)
            #expect(ooo["message"] is NSNull)
        }
    }

    @Test func unknownUserIs404WithGraphError() async throws {
        try await withEmulator { emulator async throws in
            let nobody = ObjectID.forName("nobody")
            let reply = try await emulator.graph(.get, "/users/\(nobody)/presence")
            #expect(reply.status == 404)
            #expect(reply.graphErrorCode == "Request_ResourceNotFound")
            let set = try await emulator.setPresence("Available", "Available", user: nobody)
            #expect(set.status == 404)
        }
    }

    @Test func autoCreateUsersCreatesOnFirstCall() async throws {
        try await withEmulator(options(autoCreateUsers: true)) { emulator async throws in
            let newcomer = ObjectID.forName("newcomer")
            #expect(try await emulator.setPresence("Available", "Available", user: newcomer).status == 200)
            #expect(try await emulator.presence(newcomer) == ("Available", "Available", false))
            // Only object ids are created: a name is refused, not invented.
            #expect(try await emulator.setPresence("Available", "Available", user: "newcomer").status == 400)
        }
    }

    @Test func setPresenceAndClearPresence() async throws {
        try await withEmulator { emulator async throws in
            let set = try await emulator.setPresence("Busy", "InACall", duration: "PT10M")
            #expect(set.status == 200)
            #expect(set.text.isEmpty)
            #expect(try await emulator.presence() == ("Busy", "InACall", false))
            let clear = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/clearPresence",
                                                 json: ["sessionId": emulator.options.clientID])
            #expect(clear.status == 200)
            #expect(try await emulator.presence() == ("Offline", "Offline", false))
            // Clearing again: the session is gone, and Graph answers 404 NotFound [CP].
            let again = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/clearPresence",
                                                 json: ["sessionId": emulator.options.clientID])
            #expect(again.status == 404)
            #expect(again.graphErrorCode == "NotFound")
        }
    }

    @Test(arguments: [("Busy", "Busy"), ("Available", "OutOfOffice"), ("Busy", "InAMeeting"),
                      ("DoNotDisturb", "DoNotDisturb"), ("Offline", "OffWork")])
    func setPresenceRejectsPairsOutsideSessionPairs(_ availability: String, _ activity: String) async throws {
        try await withEmulator { emulator async throws in
            let reply = try await emulator.setPresence(availability, activity)
            #expect(reply.status == 400)
            #expect(reply.graphErrorCode == "BadRequest")
        }
    }

    @Test func setPresenceValidatesItsFields() async throws {
        try await withEmulator { emulator async throws in
            #expect(try await emulator.setPresence("Available", "Available", duration: "PT1M").status == 400)
            #expect(try await emulator.setPresence("Available", "Available", duration: "PT5H").status == 400)
            #expect(try await emulator.setPresence("Available", "Available", duration: "soon").status == 400)
            #expect(try await emulator.setPresence("Available", "Available", duration: "PT4H").status == 200)
            #expect(try await emulator.setPresence("Sleepy", "Available").status == 400)
            let otherSession = try await emulator.graph(
                .post, "/users/\(Emulator.agent)/presence/setPresence",
                json: ["sessionId": "another-app", "availability": "Available", "activity": "Available"])
            #expect(otherSession.status == 400)
            let missing = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/setPresence",
                                                   json: ["availability": "Available"])
            #expect(missing.status == 400)
        }
    }

    @Test func malformedBodiesGetGraphErrors() async throws {
        try await withEmulator { emulator async throws in
            let token = try await emulator.token()
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let path = "/v1.0/users/\(Emulator.agent)/presence/setPresence"
            let broken = try await emulator.send(.post, path, body: "{\"sessionId\": ", contentType: "application/json",
                                                 headers: auth)
            #expect(broken.status == 400)
            #expect(broken.graphErrorCode == "BadRequest")
            let array = try await emulator.send(.post, path, body: "[1,2]", contentType: "application/json", headers: auth)
            #expect(array.status == 400)
            let empty = try await emulator.send(.post, path, headers: auth)
            #expect(empty.status == 400)
            let text = try await emulator.send(.post, path, body: "sessionId=x", contentType: "text/plain", headers: auth)
            #expect(text.status == 415)
            #expect(text.graphErrorCode == "UnsupportedMediaType")
            let wrongType = try await emulator.graph(
                .post, "/users/\(Emulator.agent)/presence/setPresence",
                json: ["sessionId": emulator.options.clientID, "availability": 3, "activity": "Available"])
            #expect(wrongType.status == 400)
        }
    }

    @Test func preferredPresenceSetAndClear() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.setPresence("Available", "Available")
            let set = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/setUserPreferredPresence",
                                               json: ["availability": "DoNotDisturb", "activity": "DoNotDisturb",
                                                      "expirationDuration": "PT8H"])
            #expect(set.status == 200)
            #expect(try await emulator.presence() == ("DoNotDisturb", "DoNotDisturb", false))
            let clear = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/clearUserPreferredPresence")
            #expect(clear.status == 200)
            #expect(try await emulator.presence() == ("Available", "Available", false))
        }
    }

    @Test(arguments: [("Busy", "InACall"), ("DoNotDisturb", "Presenting"), ("Available", "Inactive"), ("Offline", "Offline")])
    func preferredPresenceRejectsPairsOutsidePreferredPairs(_ availability: String, _ activity: String) async throws {
        try await withEmulator { emulator async throws in
            let reply = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/setUserPreferredPresence",
                                                 json: ["availability": availability, "activity": activity])
            #expect(reply.status == 400)
            #expect(reply.graphErrorCode == "BadRequest")
        }
    }

    @Test func getPresencesByUserIdReturnsEachIdInOrder() async throws {
        let colleague = EmulatedUserSeed(id: "colleague-1", colleague: true, teamsClient: PresencePair(.busy, .inACall))
        let (c1, ghost) = (colleague.objectID, ObjectID.forName("ghost"))
        try await withEmulator(options(users: [colleague])) { emulator async throws in
            let reply = try await emulator.graph(.post, "/communications/getPresencesByUserId",
                                                 json: ["ids": [c1, Emulator.agent, ghost, c1]])
            #expect(reply.status == 200)
            let value = try #require(reply.json["value"] as? [[String: Any]])
            #expect(value.map { $0["id"] as? String } == [c1, Emulator.agent, ghost])
            #expect(value[0]["activity"] as? String == "InACall")
            #expect(value[1]["availability"] as? String == "Offline")
            #expect(value[2]["availability"] as? String == "PresenceUnknown")
        }
    }

    @Test func getPresencesByUserIdAllows650IdsAndRejects651() async throws {
        try await withEmulator { emulator async throws in
            let ids650 = (0..<650).map { ObjectID.forName("u\($0)") }
            let ok = try await emulator.graph(.post, "/communications/getPresencesByUserId", json: ["ids": ids650])
            #expect(ok.status == 200)
            #expect((ok.json["value"] as? [Any])?.count == 650)
            let tooMany = try await emulator.graph(.post, "/communications/getPresencesByUserId",
                                                   json: ["ids": ids650 + [ObjectID.forName("one-more")]])
            #expect(tooMany.status == 400)
            #expect(tooMany.graphErrorCode == "BadRequest")
            let noIds = try await emulator.graph(.post, "/communications/getPresencesByUserId", json: ["users": []])
            #expect(noIds.status == 400)
        }
    }

    @Test func unknownPathsGetGraphErrors() async throws {
        try await withEmulator { emulator async throws in
            let reply = try await emulator.graph(.get, "/users/\(Emulator.agent)/calendar")
            #expect(reply.status == 404)
            #expect(reply.graphErrorCode == "NotFound")
        }
    }

    @Test func pathsAndObjectIdsAreCaseInsensitiveNamesAreRefused() async throws {
        let mixed = EmulatedUserSeed(id: "Mixed-Case-Id", teamsClient: PresencePair(.away, .away))
        try await withEmulator(options(users: [mixed])) { emulator async throws in
            let set = try await emulator.graph(
                .post, "/Users/\(Emulator.agent)/Presence/setpresence",
                json: ["sessionId": emulator.options.clientID, "availability": "available", "activity": "available"])
            #expect(set.status == 200)
            #expect(try await emulator.presence() == ("Available", "Available", false))
            #expect(try await emulator.presence(mixed.objectID) == ("Away", "Away", false))
            #expect(try await emulator.presence(mixed.objectID.uppercased()) == ("Away", "Away", false))
            #expect(try await emulator.graph(.get, "/users/mixed-case-id/presence").status == 400)
            #expect(try await emulator.endpointCount("POST /v1.0/users/{id}/presence/setPresence") == 1)
        }
    }

    @Test func communicationsPresencesPathsWorkToo() async throws {
        try await withEmulator { emulator async throws in
            let set = try await emulator.graph(
                .post, "/communications/presences/\(Emulator.agent)/setPresence",
                json: ["sessionId": emulator.options.clientID, "availability": "Away", "activity": "Away"])
            #expect(set.status == 200)
            let get = try await emulator.graph(.get, "/communications/presences/\(Emulator.agent)")
            #expect(get.json["availability"] as? String == "Away")
        }
    }
}
