import GraphModel
import Foundation
import SoftphoneCore
import Testing
@testable import TeamsEmulator

/// Staged idle timeouts and expiry on emulator time (`timeScale` 600: five minutes take
/// half a second). Waits are bounded polls; nothing asserts how long a stage took.
@Suite("Idle stages and expiry")
struct IdleTimeoutTests {
    @Test func anAvailableSessionGoesInactiveThenAway() async throws {
        try await withEmulator(options(timeScale: 600)) { emulator async throws in
            let token = try await emulator.token()
            _ = try await emulator.setPresence("Available", "Available", duration: "PT4H", token: token)
            let inactive = try await eventually {
                let (a, b, _) = try await emulator.presence(token: token)
                return a == "Available" && b == "Inactive" || a == "Away"
            }
            #expect(inactive)
            let away = try await eventually { try await emulator.presence(token: token) == ("Away", "Away", false) }
            #expect(away)
            // A setPresence call renews the session.
            _ = try await emulator.setPresence("Available", "Available", duration: "PT4H", token: token)
            let state = try await emulator.control(.get, "/users/\(Emulator.agent)").json
            let sessions = try #require(state["sessions"] as? [[String: Any]])
            #expect(sessions.count == 1)
            #expect(sessions.first?["kind"] as? String == "application")
        }
    }

    @Test func aSessionExpiresAfterItsExpirationDuration() async throws {
        try await withEmulator(options(timeScale: 600)) { emulator async throws in
            let token = try await emulator.token()
            _ = try await emulator.setPresence("Busy", "InACall", duration: "PT5M", token: token)
            let offline = try await eventually { try await emulator.presence(token: token) == ("Offline", "Offline", false) }
            #expect(offline)
            let state = try await emulator.control(.get, "/users/\(Emulator.agent)").json
            #expect((state["sessions"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func anIdleStageNotifiesSubscribers() async throws {
        try await withReceiver { receiver async throws in
            try await withEmulator(options(timeScale: 600)) { emulator async throws in
                let token = try await emulator.delegatedToken()
                _ = try await emulator.setPresence("Available", "Available", duration: "PT4H", token: token)
                let created = try await emulator.graph(.post, "/subscriptions", json: [
                    "changeType": "updated", "notificationUrl": receiver.url,
                    "resource": "/communications/presences/\(Emulator.agent)",
                    "expirationDateTime": GraphDateTime.format(wallClockNow() + .seconds(1800)),
                ], token: token)
                #expect(created.status == 201)
                let notified = await eventually { await receiver.userIDs().contains(Emulator.agent) }
                #expect(notified)
            }
        }
    }
}
