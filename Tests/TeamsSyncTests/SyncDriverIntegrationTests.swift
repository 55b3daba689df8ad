import SoftphoneCore
import TeamsEmulator
import Testing
@testable import TeamsSync

/// A sync loop in webhook mode: a receiver on a free loopback port whose events go to
/// the loop's engine. Polling is set so slow that only notifications can deliver a
/// change within a test's wait.
private func webhookLoop(_ emulator: Emulator, colleagueIDs: [String] = [], pollInterval: Duration = .seconds(120),
                         notificationURL: String? = nil) -> SyncLoop {
    // Presence subscriptions need a delegated token: the agent's, minted by the emulator.
    SyncLoop(client: emulator.client(maxRetries: 1, delegated: true), pollInterval: pollInterval, colleagueIDs: colleagueIDs,
             webhook: .init(host: "127.0.0.1", port: 0, publicURL: notificationURL),
             webhookTiming: .init(notificationURL: "", clientState: "", driftCheck: .seconds(120), retry: .seconds(120)))
}

/// The driver's wiring against the real emulator on loopback: real HTTP, the real clock,
/// bounded waits and no timing assertions. The decisions are tested on virtual time in
/// `SyncScenarioTests` and `WebhookSyncTests`.
@Suite("Sync driver against the emulator", .serialized)
struct SyncDriverIntegrationTests {
    @Test("The agent picks Do not disturb: Teams shows DoNotDisturb; a Teams-side change comes back")
    func pushAndPoll() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1), colleagueIDs: [Emulator.id("bob")])
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        loop.send(.choosePresence(.doNotDisturb))
        #expect(try await eventually { try await emulator.aggregate() == "DoNotDisturb/DoNotDisturb" })
        #expect(await eventually { !loop.state.teamsPending })
        #expect(loop.state.presence == Presence(.doNotDisturb))
        #expect(await eventually { loop.colleague(Emulator.id("bob")) == Presence(.inACall) })
        try await emulator.control(.PUT, "/users/ada/outOfOffice", #"{"on":true}"#)
        #expect(await eventually { loop.state.presence.outOfOffice })
        await loop.stop()
        await emulator.stop()
    }

    @Test("Emulator stopped: ❎, the choice is kept; restarted on the same port: resync converges")
    func outageAndRecovery() async throws {
        var emulator = try await Emulator.start()
        let port = emulator.server.port
        let loop = SyncLoop(client: emulator.client(maxRetries: 1))
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        await emulator.stop()
        #expect(await eventually(15) { !loop.state.teamsConnected })
        loop.send(.choosePresence(.busy))
        #expect(loop.state.teamsPending)
        emulator = try await Emulator.start(port: port)
        #expect(await eventually(30) { loop.state.teamsConnected && !loop.state.teamsPending })
        #expect(try await eventually { try await emulator.aggregate() == "Busy/Busy" })
        #expect(loop.state.presence == Presence(.busy))
        await loop.stop()
        await emulator.stop()
    }

    @Test("Webhook mode: the receiver's notifications reach the driver; quitting after logout delivers it and unsubscribes")
    func webhookAndClose() async throws {
        let emulator = try await Emulator.start()
        let loop = webhookLoop(emulator, colleagueIDs: [Emulator.id("bob"), Emulator.id("cat")])
        loop.send(.login)
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        #expect(await eventually { loop.notes.contains { $0.hasPrefix("Teams change notifications on (3 people, 1 subscription)") } })
        try await emulator.control(.PUT, "/users/ada/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"DoNotDisturb","activity":"Presenting"}"#)
        #expect(await eventually { loop.state.presence == Presence(.presenting) })
        func sessions() async throws -> [String] {
            (try await emulator.control(.GET, "/users/ada")["sessions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await sessions().contains(emulator.options.clientID))
        loop.send(.logout)
        await loop.close()
        #expect(try await !sessions().contains(emulator.options.clientID))
        #expect((try await emulator.control(.GET, "/subscriptions")["value"] as? [Any])?.isEmpty == true)
        await emulator.stop()
    }

    @Test("A subscriptionRemoved lifecycle notification reaches the plan through the driver; unsubscribe deletes")
    func lifecycleRemovedAndUnsubscribe() async throws {
        let emulator = try await Emulator.start()
        let loop = webhookLoop(emulator)
        loop.send(.login)
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        await loop.engine.notified(.lifecycle(subscriptionID: nil, event: "subscriptionRemoved"))
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 2 })
        func live() async throws -> Int { (try await emulator.control(.GET, "/subscriptions")["value"] as? [Any])?.count ?? -1 }
        #expect(try await eventually { try await live() == 1 })
        await loop.engine.unsubscribe()
        #expect(try await live() == 0)
        await loop.stop()
        await emulator.stop()
    }
}
