import Foundation
import SoftphoneCore
import Testing
@testable import TeamsEmulator

@Suite("Request counters and the control API")
struct StatsAndControlTests {
    @Test func countsRequestsPerEndpoint() async throws {
        try await withEmulator { emulator async throws in
            let token = try await emulator.token()
            _ = try await emulator.setPresence("Available", "Available", token: token)
            _ = try await emulator.setPresence("Busy", "InACall", token: token)
            _ = try await emulator.presence(token: token)
            _ = try await emulator.setPresence("Busy", "Busy", token: token)
            let stats = try await emulator.stats()
            let endpoints = try #require(stats["endpoints"] as? [String: Any])
            #expect(endpoints["POST /v1.0/users/{id}/presence/setPresence"] as? Int == 3)
            #expect(endpoints["GET /v1.0/users/{id}/presence"] as? Int == 1)
            #expect(endpoints["POST /{tenant}/oauth2/v2.0/token"] as? Int == 1)
            #expect(stats["total"] as? Int == 5)
            let statuses = try #require(stats["statuses"] as? [String: Any])
            #expect(statuses["200"] as? Int == 4)
            #expect(statuses["400"] as? Int == 1)

            #expect(try await emulator.control(.post, "/stats/reset").status == 204)
            _ = try await emulator.control(.get, "/users/\(Emulator.agent)")
            #expect(try await emulator.stats()["total"] as? Int == 0)
        }
    }

    @Test func usersCanBeAddedInspectedAndRemoved() async throws {
        try await withEmulator { emulator async throws in
            let created = try await emulator.control(.put, "/users/colleague-7",
                                                     json: ["displayName": "Grace Hopper", "colleague": true])
            #expect(created.status == 201)
            #expect(created.json["displayName"] as? String == "Grace Hopper")
            let updated = try await emulator.control(.put, "/users/colleague-7", json: ["displayName": "Grace B. Hopper"])
            #expect(updated.status == 200)
            #expect(updated.json["colleague"] as? Bool == true)

            _ = try await emulator.control(.put, "/users/colleague-7/sessions/desktop",
                                           json: ["kind": "teamsClient", "availability": "Busy", "activity": "InACall"])
            _ = try await emulator.control(.put, "/users/colleague-7/preferred",
                                           json: ["availability": "DoNotDisturb", "activity": "DoNotDisturb"])
            let state = try await emulator.control(.get, "/users/colleague-7").json
            let sessions = try #require(state["sessions"] as? [[String: Any]])
            #expect(sessions.count == 1)
            #expect(sessions[0]["kind"] as? String == "teamsClient")
            #expect((sessions[0]["effective"] as? [String: Any])?["activity"] as? String == "InACall")
            #expect((state["preferred"] as? [String: Any])?["availability"] as? String == "DoNotDisturb")
            #expect((state["aggregate"] as? [String: Any])?["activity"] as? String == "DoNotDisturb")
            #expect(state["emulatorTime"] as? String != nil)

            let list = try await emulator.control(.get, "/users").json["value"] as? [[String: Any]]
            #expect(list?.compactMap { $0["id"] as? String }.sorted() == [Emulator.agent, ObjectID.forName("colleague-7")].sorted())
            #expect(list?.contains { $0["alias"] as? String == "colleague-7" } == true)

            #expect(try await emulator.control(.delete, "/users/colleague-7/preferred").status == 200)
            #expect(try await emulator.control(.delete, "/users/colleague-7/sessions/nope").status == 404)
            #expect(try await emulator.control(.delete, "/users/colleague-7").status == 204)
            #expect(try await emulator.control(.get, "/users/colleague-7").status == 404)
        }
    }

    @Test func controlRequestsAreChecked() async throws {
        try await withEmulator { emulator async throws in
            let app = try await emulator.control(.put, "/users/\(Emulator.agent)/sessions/x",
                                                 json: ["kind": "application", "availability": "Busy", "activity": "Busy"])
            #expect(app.status == 400)
            let unknown = try await emulator.control(.put, "/users/ghost/sessions/x",
                                                     json: ["availability": "Busy", "activity": "Busy"])
            #expect(unknown.status == 404)
            let broken = try await emulator.send(.put, "/_emulator/users/\(Emulator.agent)/outOfOffice",
                                                 body: "{on:", contentType: "application/json")
            #expect(broken.status == 400)
            #expect(broken.graphErrorCode == "BadRequest")
            let preferred = try await emulator.control(.put, "/users/\(Emulator.agent)/preferred",
                                                       json: ["availability": "Busy", "activity": "InACall"])
            #expect(preferred.status == 400)
            #expect(try await emulator.control(.get, "/nothing-here").status == 404)
        }
    }

    @Test func churnChangesColleaguesOnly() async throws {
        let colleagues = DemoRoster.colleagues(count: 6, seed: 7)
        try await withEmulator(options(users: colleagues)) { emulator async throws in
            func states() async throws -> [String: String] {
                let list = try await emulator.control(.get, "/users").json["value"] as? [[String: Any]] ?? []
                return Dictionary(uniqueKeysWithValues: list.map {
                    ($0["id"] as? String ?? "", "\($0["availability"] ?? "")/\($0["activity"] ?? "")")
                })
            }
            let before = try await states()
            let churn = try await emulator.control(.put, "/churn", json: ["everyMilliseconds": 20, "seed": 3, "changesPerTick": 2])
            #expect(churn.status == 200)
            let changed = try await eventually {
                let now = try await states()
                return colleagues.contains { now[$0.id] != before[$0.id] }
            }
            #expect(changed)
            #expect(try await emulator.control(.delete, "/churn").status == 204)
            #expect(try await states()[Emulator.agent] == "Offline/Offline")
            #expect(try await emulator.control(.get, "/churn").json["everyMilliseconds"] as? Int == 0)
        }
    }

    @Test func overview() async throws {
        try await withEmulator { emulator async throws in
            let json = try await emulator.control(.get, "").json
            #expect(json["tenant"] as? String == emulator.options.tenant)
            #expect(json["users"] as? Int == 1)
        }
    }
}
