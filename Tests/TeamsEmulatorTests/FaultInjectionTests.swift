import Foundation
import HummingbirdTesting
import SoftphoneCore
import Testing
@testable import TeamsEmulator

@Suite("Fault injection and latency")
struct FaultInjectionTests {
    @Test func a500ThenNormalService() async throws {
        try await withEmulator { emulator async throws in
            let token = try await emulator.token()
            let queued = try await emulator.control(.post, "/faults", json: ["status": 500, "count": 2])
            #expect(queued.status == 200)
            #expect((queued.json["pending"] as? [Any])?.count == 2)
            for _ in 0..<2 {
                let failed = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token)
                #expect(failed.status == 500)
                #expect(failed.graphErrorCode == "InternalServerError")
            }
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token).status == 200)
        }
    }

    @Test func a429CarriesRetryAfter() async throws {
        try await withEmulator { emulator async throws in
            let token = try await emulator.token()
            _ = try await emulator.control(.post, "/faults", json: ["status": 429, "retryAfterSeconds": 1])
            let throttled = try await emulator.setPresence("Available", "Available", token: token)
            #expect(throttled.status == 429)
            #expect(throttled.headers[.retryAfter] == "1")
            #expect(throttled.graphErrorCode == "TooManyRequests")
            // The throttled request had no effect.
            #expect(try await emulator.presence(token: token) == ("Offline", "Offline", false))
        }
    }

    @Test func a503AndTokenFaults() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.control(.post, "/faults", json: ["status": 503, "retryAfterSeconds": 2, "target": "token"])
            let failed = try await emulator.tokenRequest(emulator.goodForm)
            #expect(failed.status == 503)
            #expect(failed.headers[.retryAfter] == "2")
            #expect(failed.json["error"] as? String == "temporarily_unavailable")
            // Graph requests were not the target.
            _ = try await emulator.control(.post, "/faults", json: ["status": 503, "target": "token"])
            let token = try await emulator.tokenRequest(emulator.goodForm)
            #expect(token.status == 503)
            #expect(try await emulator.tokenRequest(emulator.goodForm).status == 200)
        }
    }

    @Test func aDroppedConnectionGetsNoResponse() async throws {
        try await withEmulator { emulator async throws in
            let token = try await emulator.token()
            _ = try await emulator.control(.post, "/faults", json: ["dropConnection": true])
            await #expect(throws: (any Error).self) {
                _ = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token)
            }
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token).status == 200)
            let statuses = try #require(try await emulator.stats()["statuses"] as? [String: Any])
            #expect(statuses["0"] as? Int == 1)
        }
    }

    @Test func faultsCanBeListedAndCleared() async throws {
        try await withEmulator { emulator async throws in
            _ = try await emulator.control(.post, "/faults", json: ["status": 500, "count": 3])
            #expect((try await emulator.control(.get, "/faults").json["pending"] as? [Any])?.count == 3)
            #expect(try await emulator.control(.delete, "/faults").status == 204)
            #expect((try await emulator.control(.get, "/faults").json["pending"] as? [Any])?.isEmpty == true)
            #expect(try await emulator.control(.post, "/faults", json: ["status": 200]).status == 400)
            #expect(try await emulator.control(.post, "/faults", json: ["status": 500, "target": "moon"]).status == 400)
        }
    }

    @Test func latencyDelaysGraphRequests() async throws {
        try await withEmulator { emulator async throws in
            let token = try await emulator.token()
            let set = try await emulator.control(.put, "/latency", json: ["milliseconds": 150])
            #expect(set.json["milliseconds"] as? Int == 150)
            let start = ContinuousClock.now
            _ = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token)
            #expect(ContinuousClock.now - start >= .milliseconds(150))
            _ = try await emulator.control(.put, "/latency", json: ["milliseconds": 0])
            #expect(try await emulator.control(.get, "/latency").json["milliseconds"] as? Int == 0)
        }
    }
}
