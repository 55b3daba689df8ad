import Foundation
import SoftphoneConfig
import SoftphoneCore
import Testing
@testable import TeamsSync

@Suite("Delegated sign-in against a fake identity platform on loopback", .serialized)
struct DelegatedSignInTests {
    func source(_ fake: FakeIdentityPlatform, _ store: TokenStore, _ clock: JumpingClock) -> DelegatedTokenSource {
        DelegatedTokenSource(store: store, clientID: "client-1", tokenURL: fake.tokenURL,
                             scope: DelegatedScopes.scope(graphURL: fake.graphURL),
                             endpoint: TokenEndpoint(timeout: .seconds(5)), clock: clock)
    }

    func signedInStore(_ fake: FakeIdentityPlatform, refresh: String = "rt-1") throws -> (TokenStore, String) {
        let directory = try temporaryDirectory()
        let store = TokenStore(path: directory + "/teams-token.json")
        try store.save(sampleSignIn(refresh: refresh, tokenURL: fake.tokenURL))
        return (store, directory)
    }

    @Test("refresh: the rotated refresh token is stored before the new access token is handed out")
    func refreshRotatesAndStoresFirst() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        fake.scriptToken(.tokens(access: "at-1", refresh: "rt-2", expiresIn: 3599),
                         .tokens(access: "at-2", refresh: "rt-3", expiresIn: 3599))
        let clock = JumpingClock()
        let tokens = source(fake, store, clock)
        #expect(try await tokens.token() == "at-1")
        #expect(try store.load()?.refreshToken.value == "rt-2")
        let form = try #require(fake.snapshot { $0.tokenForms.first })
        #expect(form["grant_type"] == "refresh_token")
        #expect(form["refresh_token"] == "rt-1")
        #expect(form["client_id"] == "client-1")
        #expect(form["client_secret"] == nil)
        #expect(form["scope"]?.hasSuffix("offline_access") == true)
        // Cached until a minute before expiry.
        clock.advance(.seconds(3500))
        #expect(try await tokens.token() == "at-1")
        #expect(await tokens.fetches == 1)
        // Then refreshed with the rotated token; a 401 (invalidate) refreshes at once.
        clock.advance(.seconds(60))
        // The store already holds rt-3 when the caller sees at-2: checked from the next request.
        #expect(try await tokens.token() == "at-2")
        #expect(fake.snapshot { $0.tokenForms.last?["refresh_token"] } == "rt-2")
        #expect(try store.load()?.refreshToken.value == "rt-3")
        fake.scriptToken(.tokens(access: "at-3", refresh: "rt-4"))
        await tokens.invalidate()
        #expect(try await tokens.token() == "at-3")
        #expect(fake.snapshot { $0.tokenForms.last?["refresh_token"] } == "rt-3")
        #expect(await tokens.fetches == 3)
    }

    @Test("when the rotated refresh token cannot be stored, the new access token is not handed out")
    func rotatedTokenNotStored() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (good, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        struct DiskFull: Error {}
        let failing = TokenStore(path: good.path) { _, _ in throw DiskFull() }
        fake.scriptToken(.tokens(access: "at-1", refresh: "rt-2"))
        do {
            let token = try await source(fake, failing, JumpingClock()).token()
            Issue.record("handed out \(token)")
        } catch {
            #expect(error.description.contains("cannot be stored"))
        }
        #expect(try good.load()?.refreshToken.value == "rt-1", "the old file is kept whole")
    }

    @Test("invalid_grant and interaction_required ask the agent to sign in; so does a missing file")
    func signInNeeded() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        for code in ["invalid_grant", "interaction_required"] {
            let (store, directory) = try signedInStore(fake)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            fake.scriptToken(.error(code, "AADSTS700082: The refresh token has expired due to inactivity.\\r\\nTrace ID: x"))
            do {
                _ = try await source(fake, store, JumpingClock()).token()
                Issue.record("\(code) gave a token")
            } catch {
                guard case .signInNeeded = error.kind else { Issue.record("\(code): \(error)"); continue }
                #expect(error.description == "Teams: sign in with `softphone teams login`")
                #expect(!error.isTransient)
            }
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let empty = TokenStore(path: directory + "/teams-token.json")
        await #expect(throws: GraphError(.signInNeeded(reason: "not signed in (no \(empty.path))"), operation: "token")) {
            try await source(fake, empty, JumpingClock()).token()
        }
    }

    @Test("signing in from another terminal is picked up without a restart")
    func signInLater() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        let tokens = source(fake, store, JumpingClock())
        await #expect(throws: GraphError.self) { try await tokens.token() }
        try store.save(sampleSignIn(tokenURL: fake.tokenURL))
        fake.scriptToken(.tokens(access: "at-1", refresh: "rt-2"))
        #expect(try await tokens.token() == "at-1")
    }

    @Test("temporarily_unavailable, 5xx and no answer are transient: no sign-in prompt")
    func transient() async throws {
        let fake = try await FakeIdentityPlatform.start()
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        fake.scriptToken(.error("temporarily_unavailable", status: 400), .init(status: 503, json: "oops"))
        let tokens = source(fake, store, JumpingClock())
        for _ in 0..<2 {
            do { _ = try await tokens.token(); Issue.record("got a token") } catch {
                #expect(error.isTransient, "\(error)")
                if case .signInNeeded = error.kind { Issue.record("asked to sign in") }
            }
        }
        #expect(try store.load()?.refreshToken.value == "rt-1", "the stored sign-in is kept")
        await fake.stop()
        do { _ = try await tokens.token(); Issue.record("got a token") } catch {
            #expect(error.isTransient, "\(error)")
        }
    }

    @Test("two callers during one refresh: one token request; the rotated refresh token is sent once")
    func singleFlight() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A second refresh with rt-1 would be refused: it is spent on first use.
        fake.scriptToken(.tokens(access: "at-1", refresh: "rt-2"), .error("invalid_grant", "AADSTS70008: spent"))
        fake.holdTokenAnswers()
        let tokens = source(fake, store, JumpingClock())
        let first = Task { try await tokens.token() }
        await fake.waitForTokenRequests(1)
        let second = Task { try await tokens.token() }
        while await tokens.refreshWaits < 2 { await Task.yield() }
        fake.releaseTokenAnswers()
        #expect(try await first.value == "at-1")
        #expect(try await second.value == "at-1")
        #expect(fake.snapshot { $0.tokenForms.count } == 1)
        #expect(await tokens.fetches == 1)
        #expect(try store.load()?.refreshToken.value == "rt-2")
    }

    @Test("a caller cancelled during the refresh: the rotated refresh token is still stored and used")
    func cancelledCaller() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        fake.scriptToken(.tokens(access: "at-1", refresh: "rt-2"), .error("invalid_grant", "AADSTS70008: spent"))
        fake.holdTokenAnswers()
        let tokens = source(fake, store, JumpingClock())
        let caller = Task { try await tokens.token() }
        await fake.waitForTokenRequests(1)
        caller.cancel()
        fake.releaseTokenAnswers()
        _ = await caller.result
        #expect(try store.load()?.refreshToken.value == "rt-2")
        #expect(try await tokens.token() == "at-1")
        #expect(await tokens.fetches == 1)
    }

    @Test("teams logout during a refresh: the file is not written back; the agent is asked to sign in")
    func logoutDuringRefresh() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        fake.scriptToken(.tokens(access: "at-1", refresh: "rt-2"))
        fake.onTokenRequest = { _ = try? store.delete() }
        let tokens = source(fake, store, JumpingClock())
        do {
            let token = try await tokens.token()
            Issue.record("handed out \(token) after logout")
        } catch {
            #expect(error == GraphError(.signInNeeded(reason: "not signed in (no \(store.path))"), operation: "token"))
        }
        #expect(!FileManager.default.fileExists(atPath: store.path), "logout undone")
        #expect(await tokens.account == nil)
    }

    @Test("teams login as someone else during a refresh: the new sign-in wins and is used")
    func loginElsewhereDuringRefresh() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var other = sampleSignIn(refresh: "rt-bea", tokenURL: fake.tokenURL)
        other.account = .init(userPrincipalName: "bea@contoso.example", objectID: "b", displayName: "Bea")
        fake.scriptToken(.tokens(access: "at-ada", refresh: "rt-ada-2"), .tokens(access: "at-bea", refresh: "rt-bea-2"))
        let once = ShownBox()
        fake.onTokenRequest = { [other] in
            if once.values.isEmpty {
                once.append("x")
                try? store.save(other, replacingCorrupt: true)
            }
        }
        let tokens = source(fake, store, JumpingClock())
        #expect(try await tokens.token() == "at-bea")
        #expect(fake.snapshot { $0.tokenForms.map { $0["refresh_token"] } } == ["rt-1", "rt-bea"])
        let stored = try #require(try store.load())
        #expect(stored.refreshToken.value == "rt-bea-2")
        #expect(stored.account.userPrincipalName == "bea@contoso.example")
        #expect(await tokens.account?.userPrincipalName == "bea@contoso.example")
    }

    @Test("a refresh token another softphone used and rotated meanwhile: its successor in the file is tried, no sign-in prompt")
    func rotatedByAnotherProcess() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        fake.scriptToken(.error("invalid_grant", "AADSTS70008: already used", codes: [70008]),
                         .tokens(access: "at-2", refresh: "rt-3"))
        let once = ShownBox()
        let successor = sampleSignIn(refresh: "rt-2", tokenURL: fake.tokenURL)
        fake.onTokenRequest = {
            if once.values.isEmpty {
                once.append("x")
                try? store.save(successor, replacingCorrupt: true)
            }
        }
        let notes = ShownBox()
        let tokens = DelegatedTokenSource(store: store, clientID: "client-1", tokenURL: fake.tokenURL,
                                          scope: DelegatedScopes.scope(graphURL: fake.graphURL),
                                          endpoint: TokenEndpoint(timeout: .seconds(5)), clock: JumpingClock(),
                                          note: { notes.append($0) })
        #expect(try await tokens.token() == "at-2")
        #expect(fake.snapshot { $0.tokenForms.map { $0["refresh_token"] } } == ["rt-1", "rt-2"])
        #expect(try store.load()?.refreshToken.value == "rt-3")
        #expect(notes.values.isEmpty, "no sign-in prompt")
    }

    @Test("a revoked refresh token is not sent again until a new login; the reason is noted once")
    func revokedNotResent() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let (store, directory) = try signedInStore(fake)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        fake.scriptToken(.error("invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked.\\r\\nTrace ID: x",
                                codes: [50173]))
        let notes = ShownBox()
        let tokens = DelegatedTokenSource(store: store, clientID: "client-1", tokenURL: fake.tokenURL,
                                          scope: DelegatedScopes.scope(graphURL: fake.graphURL),
                                          endpoint: TokenEndpoint(timeout: .seconds(5)), clock: JumpingClock(),
                                          note: { notes.append($0) })
        for _ in 0..<3 {
            do {
                _ = try await tokens.token()
                Issue.record("got a token")
            } catch {
                #expect(error.description == "Teams: sign in with `softphone teams login`")
                #expect(error.detail.contains("AADSTS50173: The provided grant has expired due to it being revoked."))
                #expect(!error.detail.contains("Trace ID"))
            }
        }
        #expect(fake.snapshot { $0.tokenForms.count } == 1, "the revoked token was sent again")
        #expect(notes.values == ["Teams: sign in with `softphone teams login` "
            + "(invalid_grant: AADSTS50173: The provided grant has expired due to it being revoked.)"])
        // A new login from another terminal: tried at once.
        try store.save(sampleSignIn(refresh: "rt-new", tokenURL: fake.tokenURL), replacingCorrupt: true)
        fake.scriptToken(.tokens(access: "at-new", refresh: "rt-new-2"))
        #expect(try await tokens.token() == "at-new")
        #expect(fake.snapshot { $0.tokenForms.last?["refresh_token"] } == "rt-new")
    }

    @Test("login: device code, pending, slow_down, approval, /me; the sign-in is stored")
    func login() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/state/softphone/teams-token.json")
        fake.scriptDevice(.deviceCode(interval: 5))
        fake.scriptToken(.error("authorization_pending"), .error("slow_down"), .error("authorization_pending"),
                         .tokens(access: "at-1", refresh: "rt-1"))
        let clock = JumpingClock()
        let start = clock.now
        let login = DeviceCodeLogin(graphURL: fake.graphURL, clientID: "client-1", tokenURL: fake.tokenURL,
                                    deviceCodeURL: fake.deviceCodeURL, store: store, clock: clock)
        let shown = ShownBox()
        let outcome = await login.run { shown.append($0.userCode) }
        guard case .signedIn(let signIn) = outcome else { Issue.record("\(outcome)"); return }
        #expect(shown.values == ["ABCD-EFGH"])
        #expect(signIn.account == .init(userPrincipalName: "ada@contoso.example",
                                        objectID: "00000000-0000-0000-0000-0000000000a1", displayName: "Ada Agent"))
        #expect(clock.sleeps == [start + .seconds(5), start + .seconds(10), start + .seconds(20), start + .seconds(30)])
        #expect(try store.load() == signIn)
        #expect(store.mode == 0o600)
        #expect(fake.snapshot { $0.bearers } == ["at-1"])
        let device = try #require(fake.snapshot { $0.deviceForms.first })
        #expect(device["scope"] == DelegatedScopes.scope(graphURL: fake.graphURL))
    }

    @Test("login declined or expired writes nothing")
    func loginDeclined() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenStore(path: directory + "/teams-token.json")
        fake.scriptDevice(.deviceCode(interval: 5), .deviceCode(interval: 5, expiresIn: 9))
        fake.scriptToken(.error("authorization_declined"), .error("authorization_pending"))
        let login = DeviceCodeLogin(graphURL: fake.graphURL, clientID: "client-1", tokenURL: fake.tokenURL,
                                    deviceCodeURL: fake.deviceCodeURL, store: store, clock: JumpingClock())
        #expect(await login.run { _ in } == .declined)
        #expect(await login.run { _ in } == .expired)
        #expect(!FileManager.default.fileExists(atPath: store.path))
    }

    @Test("login with public client flows off says how to turn them on")
    func loginNotPublicClient() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        fake.scriptDevice(.error("invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", status: 401, codes: [7000218]))
        let login = DeviceCodeLogin(graphURL: fake.graphURL, clientID: "client-1", tokenURL: fake.tokenURL,
                                    deviceCodeURL: fake.deviceCodeURL, store: TokenStore(path: "/nonexistent/x.json"),
                                    clock: JumpingClock())
        let outcome = await login.run { _ in }
        #expect(outcome == .failed("the app registration does not allow public client flows (Entra admin center → App registrations → Authentication → Allow public client flows = Yes)"))
    }
}

final class ShownBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ value: String) { lock.withLock { items.append(value) } }
    var values: [String] { lock.withLock { items } }
}
