import GraphModel
import Foundation
import SoftphoneCore
import Testing
@testable import TeamsEmulator

/// The aggregation rules of SPEC section 2, seen through the HTTP API.
@Suite("Aggregation over HTTP")
struct AggregationTests {
    @Test func noSessionIsOfflineEvenWithAPreferredPresence() async throws {
        try await withEmulator { emulator async throws in
            let set = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/setUserPreferredPresence",
                                               json: ["availability": "Busy", "activity": "Busy"])
            #expect(set.status == 200)
            #expect(try await emulator.presence() == ("Offline", "Offline", false))
            _ = try await emulator.setPresence("Available", "Available")
            #expect(try await emulator.presence() == ("Busy", "Busy", false))
        }
    }

    @Test func preferredOverridesEverySession() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.control(.put, "/users/\(Emulator.agent)/sessions/desktop",
                                           json: ["availability": "DoNotDisturb", "activity": "Presenting"])
            _ = try await emulator.graph(.post, "/users/\(Emulator.agent)/presence/setUserPreferredPresence",
                                         json: ["availability": "BeRightBack", "activity": "BeRightBack"])
            #expect(try await emulator.presence() == ("BeRightBack", "BeRightBack", false))
        }
    }

    @Test func presentingFromTheTeamsAppOutranksTheApplicationSession() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.setPresence("Available", "Available")
            let put = try await emulator.control(.put, "/users/\(Emulator.agent)/sessions/desktop",
                                                 json: ["kind": "teamsClient", "availability": "DoNotDisturb",
                                                        "activity": "Presenting"])
            #expect(put.status == 200)
            #expect(try await emulator.presence() == ("DoNotDisturb", "Presenting", false))
            let delete = try await emulator.control(.delete, "/users/\(Emulator.agent)/sessions/desktop")
            #expect(delete.status == 200)
            #expect(try await emulator.presence() == ("Available", "Available", false))
        }
    }

    @Test func aMeetingShowsAsBusyInAMeeting() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.setPresence("Available", "Available")
            _ = try await emulator.control(.put, "/users/\(Emulator.agent)/sessions/meeting",
                                           json: ["kind": "calendar", "availability": "Busy", "activity": "InAMeeting"])
            #expect(try await emulator.presence() == ("Busy", "InAMeeting", false))
        }
    }

    @Test func outOfOfficeFromMailboxSettings() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.setPresence("Available", "Available")
            let patch = try await emulator.graph(
                .patch, "/users/\(Emulator.agent)/mailboxSettings",
                json: ["automaticRepliesSetting": ["status": "alwaysEnabled", "internalReplyMessage": "On leave"]])
            #expect(patch.status == 200)
            let setting = try #require(patch.json["automaticRepliesSetting"] as? [String: Any])
            #expect(setting["status"] as? String == "alwaysEnabled")
            #expect(try await emulator.presence() == ("Available", "OutOfOffice", true))
            let get = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence")
            #expect((get.json["outOfOfficeSettings"] as? [String: Any])?["message"] as? String == "On leave")

            _ = try await emulator.setPresence("Busy", "InACall")
            #expect(try await emulator.presence() == ("Busy", "InACall", true))

            _ = try await emulator.graph(.patch, "/users/\(Emulator.agent)/mailboxSettings",
                                         json: ["automaticRepliesSetting": ["status": "disabled"]])
            #expect(try await emulator.presence() == ("Busy", "InACall", false))
        }
    }

    @Test func scheduledAutomaticRepliesFollowTheWallClock() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.setPresence("Available", "Available")
            let now = Date()
            func local(_ date: Date) -> String {
                GraphDateTime.local(Instant(nanosecondsSinceEpoch: Int64(date.timeIntervalSince1970 * 1e9)), offsetSeconds: 0)
            }
            let current = try await emulator.graph(
                .patch, "/users/\(Emulator.agent)/mailboxSettings",
                json: ["automaticRepliesSetting": [
                    "status": "scheduled",
                    "scheduledStartDateTime": ["dateTime": local(now.addingTimeInterval(-60)), "timeZone": "UTC"],
                    "scheduledEndDateTime": ["dateTime": local(now.addingTimeInterval(3600)), "timeZone": "UTC"],
                ]])
            #expect(current.status == 200)
            #expect(try await emulator.presence().2 == true)

            let future = try await emulator.graph(
                .patch, "/users/\(Emulator.agent)/mailboxSettings",
                json: ["automaticRepliesSetting": [
                    "scheduledStartDateTime": ["dateTime": local(now.addingTimeInterval(1800)), "timeZone": "UTC"],
                ]])
            #expect(future.status == 200)
            #expect(try await emulator.presence().2 == false)

            let backwards = try await emulator.graph(
                .patch, "/users/\(Emulator.agent)/mailboxSettings",
                json: ["automaticRepliesSetting": [
                    "scheduledStartDateTime": ["dateTime": local(now.addingTimeInterval(7200)), "timeZone": "UTC"],
                ]])
            #expect(backwards.status == 400)
            let badZone = try await emulator.graph(
                .patch, "/users/\(Emulator.agent)/mailboxSettings",
                json: ["automaticRepliesSetting": [
                    "scheduledStartDateTime": ["dateTime": local(now), "timeZone": "Mars/Olympus"],
                ]])
            #expect(badZone.status == 400)
            let badStatus = try await emulator.graph(.patch, "/users/\(Emulator.agent)/mailboxSettings",
                                                     json: ["automaticRepliesSetting": ["status": "sometimes"]])
            #expect(badStatus.status == 400)
        }
    }

    @Test func scheduledOutOfOfficeStartsByItself() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.setPresence("Available", "Available")
            let now = Date()
            func local(_ date: Date) -> String {
                GraphDateTime.local(Instant(nanosecondsSinceEpoch: Int64(date.timeIntervalSince1970 * 1e9)), offsetSeconds: 0)
            }
            _ = try await emulator.graph(
                .patch, "/users/\(Emulator.agent)/mailboxSettings",
                json: ["automaticRepliesSetting": [
                    "status": "scheduled",
                    "scheduledStartDateTime": ["dateTime": local(now.addingTimeInterval(0.3)), "timeZone": "UTC"],
                    "scheduledEndDateTime": ["dateTime": local(now.addingTimeInterval(3600)), "timeZone": "UTC"],
                ]])
            let became = try await eventually { try await emulator.presence().2 }
            #expect(became)
        }
    }

    @Test func outOfOfficeFromTheControlAPI() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.setPresence("Available", "Available")
            let on = try await emulator.control(.put, "/users/\(Emulator.agent)/outOfOffice", json: ["on": true, "message": "Away"])
            #expect(on.status == 200)
            #expect((on.json["aggregate"] as? [String: Any])?["isOutOfOffice"] as? Bool == true)
            #expect(try await emulator.presence() == ("Available", "OutOfOffice", true))
            let mailbox = try await emulator.graph(.get, "/users/\(Emulator.agent)/mailboxSettings")
            #expect((mailbox.json["automaticRepliesSetting"] as? [String: Any])?["status"] as? String == "alwaysEnabled")
            _ = try await emulator.control(.put, "/users/\(Emulator.agent)/outOfOffice", json: ["on": false])
            #expect(try await emulator.presence() == ("Available", "Available", false))
        }
    }

    @Test func offlineWithOutOfOfficeIsOfflineOutOfOffice() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.control(.put, "/users/\(Emulator.agent)/outOfOffice", json: ["on": true])
            #expect(try await emulator.presence() == ("Offline", "OutOfOffice", true))
        }
    }
}
