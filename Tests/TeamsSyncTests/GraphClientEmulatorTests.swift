import Foundation
import SoftphoneCore
import TeamsEmulator
import Testing
@testable import TeamsSync

/// The Graph client against the project's Graph emulator on loopback.
@Suite("Graph client against the emulator", .serialized)
struct GraphClientEmulatorTests {
    @Test("Every presence endpoint: setPresence, setUserPreferredPresence, clear both, GET presence")
    func presenceEndpoints() async throws {
        let emulator = try await Emulator.start()
        defer { Task { await emulator.stop() } }
        let client = emulator.client()
        try await client.setSessionPresence(PresencePair(.busy, .inACall))
        #expect(try await client.presence().graphPresence == GraphPresence(.busy, .inACall))
        try await client.setPreferredPresence(PresencePair(.doNotDisturb, .doNotDisturb))
        #expect(try await client.presence().graphPresence == GraphPresence(.doNotDisturb, .doNotDisturb))
        try await client.clearPreferredPresence()
        #expect(try await client.presence().graphPresence == GraphPresence(.busy, .inACall))
        try await client.clearSessionPresence()
        #expect(try await client.presence().graphPresence == GraphPresence(.available, .available))
        #expect(try await client.presence(of: Emulator.id("bob")).graphPresence == GraphPresence(.busy, .inACall))
        await emulator.stop()
    }

    @Test("getPresencesByUserId goes in batches of at most 650 ids")
    func batches() async throws {
        let emulator = try await Emulator.start(extraUsers: 700)
        let client = emulator.client()
        try await emulator.control(.POST, "/stats/reset")
        let ids = (["bob", "cat"] + (0..<700).map { "u\($0)" }).map(Emulator.id)
        let presences = try await client.presences(of: ids)
        #expect(presences.count == 702)
        #expect(Set(presences.map(\.id)) == Set(ids))
        #expect(try await emulator.stats()["POST /v1.0/communications/getPresencesByUserId"] == 2)
        await emulator.stop()
    }

    @Test("A wrong client secret is a readable sign-in error, not retried")
    func wrongSecret() async throws {
        let emulator = try await Emulator.start()
        let client = emulator.client(secret: "wrong")
        await #expect { try await client.presence() } throws: { error in
            guard let graph = error as? GraphError, case .token(let status, let code, _) = graph.kind else { return false }
            return status == 401 && code == "invalid_client"
        }
        await emulator.stop()
    }

    @Test("A token is cached, renewed when it is about to expire, and refreshed after a 401")
    func tokens() async throws {
        let emulator = try await Emulator.start()
        let client = emulator.client()
        _ = try await client.presence()
        _ = try await client.presence()
        #expect(await client.tokenFetches == 1)
        try await emulator.control(.POST, "/faults", #"{"status":401,"count":1}"#)
        _ = try await client.presence()
        #expect(await client.tokenFetches == 2)
        await emulator.stop()

        // A token that lives less than the renewal margin is fetched again for every call.
        let shortLived = try await Emulator.start(tokenLifetime: .seconds(30))
        let again = shortLived.client()
        _ = try await again.presence()
        _ = try await again.presence()
        #expect(await again.tokenFetches == 2)
        await shortLived.stop()
    }

    @Test("429 waits as long as Retry-After says, then succeeds")
    func throttled() async throws {
        let emulator = try await Emulator.start()
        let recorder = SleepRecorder()
        let client = emulator.client(recorder: recorder)
        try await emulator.control(.POST, "/faults", #"{"status":429,"retryAfterSeconds":3,"count":1}"#)
        try await client.setSessionPresence(PresencePair(.available, .available))
        #expect(await recorder.sleeps == [.seconds(3)])
        await emulator.stop()
    }

    @Test("Retry-After: 20 through the tenant gate: the retry is held on the clock until 20 s after the answer; no request before")
    func throttledThroughTheGate() async throws {
        let emulator = try await Emulator.start()
        let clock = ManualClock(Instant(secondsSinceEpoch: 1_000_000))
        let gate = TenantGate(budget: 30, clock: clock)
        let client = GraphClient(configuration: emulator.configuration(secret: nil, maxRetries: 1), gate: gate,
                                 sleep: { _ in })
        _ = try await client.presence()  // the token, fetched
        try await emulator.control(.POST, "/faults", #"{"status":429,"retryAfterSeconds":20,"count":1}"#)
        let key = "POST /v1.0/users/{id}/presence/setPresence"
        let before = try await emulator.stats()[key] ?? 0
        let write = Task { try await client.setSessionPresence(PresencePair(.busy, .inACall)) }
        #expect(await clock.nextSleeper() == Instant(secondsSinceEpoch: 1_000_020))
        // Held by the gate: Graph saw only the request it answered 429.
        #expect(try await emulator.stats()[key] == before + 1)
        #expect(await gate.status.blockedUntil == Instant(secondsSinceEpoch: 1_000_020))
        clock.advance(to: Instant(secondsSinceEpoch: 1_000_020))
        try await write.value
        #expect(try await emulator.aggregate() == "Busy/InACall")
        await emulator.stop()
    }

    @Test("500s and a dropped connection are retried with backoff; past the limit the error says what failed")
    func serverErrors() async throws {
        let emulator = try await Emulator.start()
        let recorder = SleepRecorder()
        let client = emulator.client(maxRetries: 3, recorder: recorder)
        try await emulator.control(.POST, "/faults", #"{"status":500,"count":2}"#)
        try await client.setPreferredPresence(PresencePair(.busy, .busy))
        #expect(await recorder.sleeps.count == 2)
        try await emulator.control(.POST, "/faults", #"{"dropConnection":true,"count":1}"#)
        #expect(try await client.presence().graphPresence == GraphPresence(.busy, .busy))
        try await emulator.control(.POST, "/faults", #"{"status":503,"count":10}"#)
        await #expect { try await client.clearPreferredPresence() } throws: { error in
            guard let graph = error as? GraphError, case .status(503, _, _) = graph.kind else { return false }
            return graph.description.hasPrefix("Teams: clearUserPreferredPresence failed: 503")
        }
        await emulator.stop()
    }

    @Test("An invalid pair is refused by Graph with a 400 and a message")
    func invalidPair() async throws {
        let emulator = try await Emulator.start()
        let client = emulator.client()
        await #expect { try await client.setSessionPresence(PresencePair(.busy, .inAMeeting)) } throws: { error in
            guard let graph = error as? GraphError, case .status(400, _, let message) = graph.kind else { return false }
            return message != nil
        }
        await emulator.stop()
    }

    @Test("Unreachable Teams is a transport error")
    func unreachable() async throws {
        let emulator = try await Emulator.start()
        let client = emulator.client(maxRetries: 1, recorder: SleepRecorder())
        await emulator.stop()
        await #expect { try await client.presence() } throws: { error in
            (error as? GraphError)?.isTransient == true
        }
    }
}
