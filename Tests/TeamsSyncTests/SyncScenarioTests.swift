import SoftphoneCore
import TeamsEmulator
import Testing
@testable import TeamsSync

/// SPEC section 4 end to end: the reducer, the sync engine and the Graph emulator.
@Suite("Sync scenarios against the emulator", .serialized)
struct SyncScenarioTests {
    @Test("The agent picks Do not disturb: Teams shows DoNotDisturb")
    func doNotDisturbReachesTeams() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1))
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        loop.send(.choosePresence(.doNotDisturb))
        #expect(try await eventually { try await emulator.aggregate() == "DoNotDisturb/DoNotDisturb" })
        #expect(await eventually { !loop.state.teamsPending })
        #expect(loop.state.presence == Presence(.doNotDisturb))
        await loop.stop()
        await emulator.stop()
    }

    @Test("The Teams app starts Presenting: the softphone shows ⛔ Presenting; the agent's state returns when it stops")
    func presentingShowsAndReturns() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1))
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        try await emulator.control(.PUT, "/users/ada/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"DoNotDisturb","activity":"Presenting"}"#)
        #expect(await eventually { loop.state.presence == Presence(.presenting) })
        #expect(loop.state.presence.icon == .doNotDisturb)
        #expect(!SignallingPolicy.decide(.direct, loop.state.policyContext).isSignalled)
        try await emulator.control(.PUT, "/users/ada/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"Available","activity":"Available"}"#)
        #expect(await eventually { loop.state.presence == Presence(.available) })
        await loop.stop()
        await emulator.stop()
    }

    @Test("Out of office on: the overlay shows and calls are still signalled (R3)")
    func outOfOffice() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1))
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        try await emulator.control(.PUT, "/users/ada/outOfOffice", #"{"on":true}"#)
        #expect(await eventually { loop.state.presence.outOfOffice })
        #expect(loop.state.presence.label == "Available - Out of office")
        #expect(SignallingPolicy.decide(.direct, loop.state.policyContext).isSignalled)
        await loop.stop()
        await emulator.stop()
    }

    @Test("Logout clears the softphone's session in Teams; the preferred presence stays")
    func logoutClearsSession() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1))
        loop.send(.login)
        loop.send(.choosePresence(.beRightBack))
        #expect(await eventually { !loop.state.teamsPending && loop.state.teamsConnected })
        func sessionIDs() async throws -> [String] {
            let state = try await emulator.control(.GET, "/users/ada")
            return (state["sessions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await sessionIDs().contains(emulator.options.clientID))
        loop.send(.logout)
        #expect(try await eventually { try await !sessionIDs().contains(emulator.options.clientID) })
        #expect(try await emulator.aggregate() == "BeRightBack/BeRightBack")
        await loop.stop()
        await emulator.stop()
    }

    @Test("Teams goes away: ❎, the choice is kept; Teams comes back: both sides converge on it")
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

    @Test("Graph failing with 500s: the engine backs off instead of hammering, then delivers when it recovers")
    func backsOffOnServerErrors() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1))
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        try await emulator.control(.POST, "/faults", #"{"status":500,"count":10000}"#)
        try await emulator.control(.POST, "/stats/reset")
        loop.send(.choosePresence(.doNotDisturb))
        #expect(await eventually { !loop.state.teamsConnected })
        try await Task.sleep(for: .seconds(4))
        let failed = (try await emulator.control(.GET, "/stats")["statuses"] as? [String: Any])?["500"] as? Int ?? 0
        // Backoff of 1, 2, 4 s between attempts of two requests each; without it, dozens.
        #expect(failed <= 10, "\(failed) failed requests in 4 s")
        try await emulator.control(.DELETE, "/faults")
        #expect(await eventually(20) { loop.state.teamsConnected && !loop.state.teamsPending })
        #expect(try await emulator.aggregate() == "DoNotDisturb/DoNotDisturb")
        await loop.stop()
        await emulator.stop()
    }

    @Test("One state change costs one write, and nothing echoes back and forth")
    func requestsPerChange() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1))
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        try await Task.sleep(for: .milliseconds(300))
        try await emulator.control(.POST, "/stats/reset")
        loop.send(.choosePresence(.doNotDisturb))
        #expect(await eventually { !loop.state.teamsPending && loop.state.remote?.availability == .doNotDisturb })
        try await Task.sleep(for: .seconds(1))  // time for any echo to show
        let stats = try await emulator.stats()
        let writes = stats.filter { $0.key.hasPrefix("POST") && !$0.key.contains("getPresencesByUserId") }
        #expect(writes == ["POST /v1.0/users/{id}/presence/setUserPreferredPresence": 1])
        await loop.stop()
        await emulator.stop()
    }

    @Test("Colleagues' presence reaches the Team tab")
    func colleagues() async throws {
        let emulator = try await Emulator.start()
        let loop = SyncLoop(client: emulator.client(maxRetries: 1), colleagueIDs: ["bob", "cat"])
        loop.send(.login)
        #expect(await eventually { loop.colleague("bob") == Presence(.inACall) && loop.colleague("cat") == Presence(.available) })
        try await emulator.control(.PUT, "/users/cat/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"DoNotDisturb","activity":"Presenting"}"#)
        #expect(await eventually { loop.colleague("cat") == Presence(.presenting) })
        await loop.stop()
        await emulator.stop()
    }
}
