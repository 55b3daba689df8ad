import Foundation
import SoftphoneCore
import Testing
@testable import TeamsEmulator

@Suite("Server lifecycle")
struct LifecycleTests {
    @Test func restartsOnTheSamePort() async throws {
        let first = try await TeamsEmulatorServer.start(options())
        let port = first.port
        #expect(port > 0)
        #expect(first.baseURL == "http://127.0.0.1:\(port)")
        #expect(first.tokenURL == "http://127.0.0.1:\(port)/emulator-tenant/oauth2/v2.0/token")
        await first.stop()
        await first.stop()

        var second = TeamsEmulatorOptions(users: [EmulatedUserSeed(id: Emulator.agent)])
        second.port = port
        try await withEmulator(second) { emulator async throws in
            let presence = try await emulator.presence()
            #expect(emulator.server.port == port)
            #expect(presence == ("Offline", "Offline", false))
        }
    }

    @Test func aTakenPortIsAnError() async throws {
        try await withEmulator { emulator async throws in
            var clash = TeamsEmulatorOptions()
            clash.port = emulator.server.port
            await #expect(throws: (any Error).self) {
                let server = try await TeamsEmulatorServer.start(clash)
                await server.stop()
            }
        }
    }

    @Test func runServesUntilCancelled() async throws {
        var options = TeamsEmulatorOptions()
        let probe = try await TeamsEmulatorServer.start(options)
        options.port = probe.port
        await probe.stop()
        let task = Task { try await TeamsEmulatorServer.run(options: options) }
        let up = await eventually {
            let reply = try? await Emulator(server: probe).send(.get, "/_emulator")
            return reply?.status == 200
        }
        #expect(up)
        task.cancel()
        _ = await task.result
    }

    @Test func invalidOptionsAreRejected() async throws {
        await #expect(throws: TeamsEmulatorError.self) {
            _ = try await TeamsEmulatorServer.start(TeamsEmulatorOptions(timeScale: 0))
        }
    }

    @Test func seededUsersAndDemoRoster() async throws {
        let roster = DemoRoster.colleagues(count: 30, seed: 42)
        #expect(roster.count == 30)
        #expect(Set(roster.map(\.id)).count == 30)
        #expect(roster == DemoRoster.colleagues(count: 30, seed: 42))
        try await withEmulator(options(users: roster)) { emulator async throws in
            let ids = roster.map(\.id)
            let reply = try await emulator.graph(.post, "/communications/getPresencesByUserId", json: ["ids": ids])
            let value = try #require(reply.json["value"] as? [[String: Any]])
            #expect(value.count == 30)
            #expect(value.allSatisfy { $0["availability"] as? String != "PresenceUnknown" })
        }
    }
}
