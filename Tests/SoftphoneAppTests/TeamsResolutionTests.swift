import Foundation
import Testing
@testable import SoftphoneApp
import SoftphoneCore
import TeamsSync

/// Counts the waits between attempts; the `limit`th wait is cancelled (the connector closing).
final class CountingClock: SyncClock, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    var waits: Int { lock.withLock { count } }
    var now: Instant { Instant(secondsSinceEpoch: 1_800_000_000) }
    func sleep(until deadline: Instant) async throws {
        let reached = lock.withLock { () -> Bool in
            count += 1
            return count >= limit
        }
        if reached { throw CancellationError() }
    }
}

@Suite("Teams ids resolved when the connector starts")
struct TeamsResolutionTests {
    @Test("without a sign-in the agent's UPN cannot be resolved: ❎ with the sign-in prompt, said once while retrying")
    func signInPromptOnce() async throws {
        let directory = NSTemporaryDirectory() + "softphone-resolve-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokenURL = "http://127.0.0.1:9/contoso.example/oauth2/v2.0/token"
        let tokens = DelegatedTokenSource(store: TokenStore(path: directory + "/teams-token.json"), clientID: "c",
                                          tokenURL: tokenURL, scope: DelegatedScopes.scope(graphURL: "http://127.0.0.1:9/v1.0"))
        let configuration = GraphConfiguration(graphURL: "http://127.0.0.1:9/v1.0", tokenURL: tokenURL, clientID: "c",
                                               clientSecret: "", userID: "ada@contoso.example", maxRetries: 0)
        let client = GraphClient(configuration: configuration, tokens: tokens, sleep: { _ in })
        let inbox = Inbox()
        let clock = CountingClock(limit: 3)
        let identity = await GraphTeamsConnector.resolve(
            client: client, colleagues: ["bob@contoso.example", "6e9bd2a1-27ec-4e5a-9d84-0b7cfd3b1f2e"],
            .init(delegated: true, retryAfter: .seconds(30), clock: clock), inbox: inbox)
        #expect(clock.waits == 3, "tried three times")
        #expect(identity.agentID == "ada@contoso.example", "closed unresolved: the ids stay as configured")
        #expect(identity.configuredID["bob@contoso.example"] == "bob@contoso.example")
        let prompt = "Teams: sign in with `softphone teams login`"
        // The bar gets the prompt; the Log the prompt and why (said once while retrying).
        let said = inbox.drain().map(\.1)
        #expect(said.count == 2 && said.first == .teamsDisconnected(reason: prompt))
        if case .note(.teams, let text)? = said.last {
            #expect(text.hasPrefix(prompt + " (not signed in"))
        } else {
            Issue.record("no Log note: \(said)")
        }
    }
}
