import Foundation
import SoftphoneCore
import Testing
@testable import TeamsSync

@Suite("Graph client: pure parts")
struct GraphClientUnitTests {
    @Test("Retry: Retry-After is honoured exactly on 429 and 503, never capped below what Graph asks")
    func retryAfter() {
        let policy = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(5))
        #expect(policy.delay(attempt: 1, status: 429, retryAfter: .seconds(2), jitter: 0.5) == .seconds(2))
        // Issue 13: the old cap (maxDelay) let a retry go before Graph's Retry-After ran out.
        #expect(policy.delay(attempt: 1, status: 503, retryAfter: .seconds(60), jitter: 0.5) == .seconds(60))
        #expect(policy.delay(attempt: 1, status: 429, retryAfter: .seconds(3 * 3600), jitter: 0.5) == .seconds(3 * 3600))
        #expect(policy.delay(attempt: 4, status: 429, retryAfter: .seconds(1), jitter: 0.5) == nil)
    }

    @Test("Retry: 5xx and dropped connections back off exponentially with jitter; other 4xx are not retried")
    func backoff() {
        let policy = RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(attempt: 1, status: 500, retryAfter: nil, jitter: 0) == .milliseconds(50))
        #expect(policy.delay(attempt: 1, status: 500, retryAfter: nil, jitter: 1) == .milliseconds(100))
        #expect(policy.delay(attempt: 3, status: nil, retryAfter: nil, jitter: 1) == .milliseconds(400))
        #expect(policy.delay(attempt: 5, status: 502, retryAfter: nil, jitter: 1) == .seconds(1))
        #expect(policy.delay(attempt: 1, status: 400, retryAfter: nil, jitter: 0.5) == nil)
        #expect(policy.delay(attempt: 1, status: 404, retryAfter: nil, jitter: 0.5) == nil)
    }

    @Test("Durations in ISO 8601 as expirationDuration takes them")
    func iso8601() {
        #expect(Duration.seconds(300).iso8601 == "PT5M")
        #expect(Duration.seconds(5400).iso8601 == "PT1H30M")
        #expect(Duration.seconds(45).iso8601 == "PT45S")
        #expect(Duration.seconds(0).iso8601 == "PT0S")
    }

    @Test("The token scope is the Graph host's /.default")
    func scope() {
        let real = GraphConfiguration(graphURL: "https://graph.microsoft.com/v1.0/", tokenURL: "t", clientID: "c",
                                      clientSecret: "s", userID: "u")
        #expect(real.scope == "https://graph.microsoft.com/.default")
        #expect(real.graphURL == "https://graph.microsoft.com/v1.0")
        let emulator = GraphConfiguration(graphURL: "http://127.0.0.1:8450/v1.0", tokenURL: "t", clientID: "c",
                                          clientSecret: "s", userID: "u")
        #expect(emulator.scope == "http://127.0.0.1:8450/.default")
    }

    @Test("Graph's presence JSON decodes, with out of office")
    func decodePresence() throws {
        let json = """
            {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users('ada')/presence/$entity",
             "id":"ada","availability":"Busy","activity":"InACall","statusMessage":null,
             "outOfOfficeSettings":{"message":"Back Monday","isOutOfOffice":true},"sequenceNumber":"C3"}
            """
        let resource = try JSONDecoder().decode(PresenceResource.self, from: Data(json.utf8))
        #expect(resource.graphPresence == GraphPresence(.busy, .inACall, outOfOffice: true))
        // Values Graph added later are Unknown, never an error: an unknown availability shows as
        // Unknown; an unknown activity falls back to its availability.
        let unknown = PresenceResource(id: "x", availability: "Sleepy", activity: "Dreaming", outOfOfficeSettings: nil)
        #expect(unknown.graphPresence == GraphPresence(.presenceUnknown, .presenceUnknown))
        #expect(GraphMapping.presence(from: unknown.graphPresence).state == .unknown)
        let newActivity = PresenceResource(id: "x", availability: "Busy", activity: "InANewKindOfCall", outOfOfficeSettings: nil)
        #expect(GraphMapping.presence(from: newActivity.graphPresence).state == .busy)
        let inactive = PresenceResource(id: "x", availability: "AvailableInactive", activity: "Available", outOfOfficeSettings: nil)
        #expect(GraphMapping.presence(from: inactive.graphPresence).state == .available)
    }

    @Test("Errors read well in the Log tab")
    func errorWording() {
        let throttled = GraphError(.status(429, code: "TooManyRequests", message: "Please retry later"), operation: "setPresence")
        #expect(throttled.description == "Teams: setPresence failed: 429 TooManyRequests: Please retry later")
        #expect(throttled.isTransient)
        let token = GraphError(.token(401, code: "invalid_client", message: "Invalid client secret"), operation: "token")
        #expect(token.description == "Teams sign-in failed: 401 invalid_client: Invalid client secret")
        #expect(!token.isTransient)
        #expect(GraphError(.transport("connection refused"), operation: "GET presence").isTransient)
        #expect(!GraphError(.status(400, code: "BadRequest", message: nil), operation: "x").isTransient)
    }

    /// fuzz-graph-json (Fuzz/): `expires_in - 60` trapped on an `expires_in` below
    /// Int.min + 60 from the token endpoint. Input kept in
    /// Fuzz/corpus/graph-json/regress-token-expires-in-near-int-min.
    @Test("A token's lifetime is a minute less than it is valid, never negative, never a trap")
    func tokenLifetime() throws {
        func lifetime(_ json: String) throws -> Duration {
            TokenProvider.cacheLifetime(of: try JSONDecoder().decode(TokenResponse.self, from: Data(json.utf8)))
        }
        #expect(try lifetime(#"{"token_type":"Bearer","expires_in":3599,"access_token":"t"}"#) == .seconds(3539))
        #expect(try lifetime(#"{"expires_in":61,"access_token":"t"}"#) == .seconds(1))
        #expect(try lifetime(#"{"expires_in":30,"access_token":"t"}"#) == .zero)
        #expect(try lifetime(#"{"expires_in":-1,"access_token":"t"}"#) == .zero)
        #expect(try lifetime(#"{"expires_in":-9223372036854775800,"access_token":"t"}"#) == .zero)
        #expect(try lifetime(#"{"expires_in":-9223372036854775808,"access_token":"t"}"#) == .zero)
        #expect(try lifetime(#"{"expires_in":9223372036854775807,"access_token":"t"}"#) == .seconds(Int.max - 60))
    }
}
