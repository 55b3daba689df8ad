import Foundation
import Testing
@testable import TeamsEmulator

/// The device authorization grant and refresh tokens, as on login.microsoftonline.com.
@Suite("Device-code sign-in and refresh tokens")
struct DeviceCodeTests {
    static let scope = "Presence.ReadWrite Presence.Read.All User.Read offline_access"

    /// The agent's user with a UPN, and device codes polled at most every minute (so two
    /// polls in a row are certainly "too fast", however loaded the machine).
    static func signInOptions(interval: Int = 60, timeScale: Double = 1, publicClients: [String]? = nil) -> TeamsEmulatorOptions {
        TeamsEmulatorOptions(publicClientIDs: publicClients, deviceCodeInterval: interval, timeScale: timeScale,
                             users: [EmulatedUserSeed(id: "ada", userPrincipalName: "ada@contoso.example", displayName: "Ada")])
    }

    func deviceCode(_ emulator: Emulator, scope: String = Self.scope, clientID: String? = nil) async throws -> Reply {
        try await emulator.send(.post, "/\(emulator.options.tenant)/oauth2/v2.0/devicecode",
                                body: "client_id=\(clientID ?? emulator.options.clientID)&scope=\(scope.replacingOccurrences(of: " ", with: "%20"))",
                                contentType: "application/x-www-form-urlencoded")
    }

    func poll(_ emulator: Emulator, _ deviceCode: String, clientID: String? = nil) async throws -> Reply {
        try await emulator.tokenRequest(["grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                                         "client_id": clientID ?? emulator.options.clientID, "device_code": deviceCode])
    }

    func refresh(_ emulator: Emulator, _ token: String, scope: String? = nil) async throws -> Reply {
        var form = ["grant_type": "refresh_token", "client_id": emulator.options.clientID, "refresh_token": token]
        if let scope { form["scope"] = scope }
        return try await emulator.tokenRequest(form)
    }

    @Test func devicecodeAnswersMicrosoftsFields() async throws {
        var options = Self.signInOptions(interval: 1)
        options.deviceCodeLifetime = .seconds(600)
        try await withEmulator(options) { emulator async throws in
            let reply = try await deviceCode(emulator)
            #expect(reply.status == 200)
            let json = reply.json
            #expect((json["device_code"] as? String)?.isEmpty == false)
            let userCode = try #require(json["user_code"] as? String)
            #expect(json["expires_in"] as? Int == 600)
            #expect(json["interval"] as? Int == 1)
            let uri = try #require(json["verification_uri"] as? String)
            #expect((json["message"] as? String)?.contains(userCode) == true)
            #expect((json["message"] as? String)?.contains(uri) == true)
            #expect(json["verification_uri_complete"] == nil)
            // The defaults are Microsoft's: 15 minutes, 5 seconds.
        }
        try await withEmulator(TeamsEmulatorOptions(users: [EmulatedUserSeed(id: "ada")])) { emulator async throws in
            let json = try await deviceCode(emulator).json
            #expect(json["expires_in"] as? Int == 900)
            #expect(json["interval"] as? Int == 5)
        }
    }

    @Test func pendingSlowDownApprovalThenTokensForTheUser() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            let code = try await deviceCode(emulator).json
            let deviceCode = try #require(code["device_code"] as? String)
            let userCode = try #require(code["user_code"] as? String)

            let first = try await poll(emulator, deviceCode)
            #expect(first.status == 400)
            #expect(first.json["error"] as? String == "authorization_pending")
            #expect((first.json["error_description"] as? String)?.hasPrefix("AADSTS") == true)
            let tooSoon = try await poll(emulator, deviceCode)
            #expect(tooSoon.status == 400)
            #expect(tooSoon.json["error"] as? String == "slow_down")

            let approve = try await emulator.control(.post, "/devicecode/\(userCode)/approve", json: ["user": "ada@contoso.example"])
            #expect(approve.status == 200)
            let granted = try await poll(emulator, deviceCode)
            #expect(granted.status == 200)
            #expect(granted.json["token_type"] as? String == "Bearer")
            #expect(granted.json["expires_in"] as? Int == 3600)
            #expect((granted.json["scope"] as? String)?.contains("Presence.Read.All") == true)
            let access = try #require(granted.json["access_token"] as? String)
            #expect((granted.json["refresh_token"] as? String)?.isEmpty == false)

            // The token is the user's: /me answers with the agent.
            let me = try await emulator.graph(.get, "/me", token: access)
            #expect(me.status == 200)
            #expect(me.json["id"] as? String == ObjectID.forName("ada"))
            #expect(me.json["userPrincipalName"] as? String == "ada@contoso.example")
            // The code is spent.
            #expect(try await poll(emulator, deviceCode).json["error"] as? String == "bad_verification_code")
        }
    }

    @Test func declinedExpiredAndUnknownCodes() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            let code = try await deviceCode(emulator).json
            let deviceCode = try #require(code["device_code"] as? String)
            #expect(try await emulator.control(.post, "/devicecode/\(try #require(code["user_code"] as? String))/decline").status == 200)
            #expect(try await poll(emulator, deviceCode).json["error"] as? String == "authorization_declined")
            #expect(try await poll(emulator, "no-such-code").json["error"] as? String == "bad_verification_code")
            #expect(try await emulator.control(.post, "/devicecode/NOSUCHCODE/approve", json: ["user": "ada"]).status == 404)
        }
        // 900 emulator seconds pass in 90 ms of real time.
        var fast = Self.signInOptions(interval: 1, timeScale: 10_000)
        fast.deviceCodeLifetime = .seconds(900)
        try await withEmulator(fast) { emulator async throws in
            let deviceCode = try #require(try await deviceCode(emulator).json["device_code"] as? String)
            let expired = await eventually {
                (try? await poll(emulator, deviceCode).json["error"] as? String) == "expired_token"
            }
            #expect(expired)
        }
    }

    @Test func publicClientsOnlyAndNoSecret() async throws {
        try await withEmulator(Self.signInOptions(publicClients: ["desktop-app"])) { emulator async throws in
            // The confidential client is not registered as a public client.
            let refused = try await deviceCode(emulator)
            #expect(refused.status == 401)
            #expect(refused.json["error"] as? String == "invalid_client")
            #expect((refused.json["error_description"] as? String)?.hasPrefix("AADSTS7000218") == true)
            let accepted = try await deviceCode(emulator, clientID: "desktop-app")
            #expect(accepted.status == 200)
            let deviceCode = try #require(accepted.json["device_code"] as? String)
            // Polling as another client does not redeem it.
            #expect(try await poll(emulator, deviceCode).json["error"] as? String == "invalid_client")
            #expect(try await poll(emulator, deviceCode, clientID: "desktop-app").json["error"] as? String
                    == "authorization_pending")
        }
    }

    @Test func unknownScopesAreRefused() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            let reply = try await deviceCode(emulator, scope: "Presence.ReadWrite Mail.Send.Everything")
            #expect(reply.status == 400)
            #expect(reply.json["error"] as? String == "invalid_scope")
            let minted = try await emulator.control(.post, "/tokens", json: ["user": "ada", "scopes": ["Files.Bogus"]])
            #expect(minted.status == 400)
        }
    }

    /// A client pointed at the emulator names the Graph it talks to — the emulator's root — as
    /// the resource of its scopes, as it would name https://graph.microsoft.com; another
    /// resource's permissions are refused.
    @Test func scopesForTheEmulatorsOwnRootOrGraph() {
        let root = "http://127.0.0.1:8450"
        let ours = DelegatedScopes.parse("\(root)/Presence.ReadWrite https://graph.microsoft.com/User.Read offline_access",
                                         resource: root)
        #expect((try? ours.get()) == ["Presence.ReadWrite", "User.Read", "offline_access"])
        let other = DelegatedScopes.parse("https://outlook.office.com/Presence.ReadWrite", resource: root)
        #expect((try? other.get()) == nil)
        let elsewhere = DelegatedScopes.parse("http://127.0.0.1:9999/Presence.ReadWrite", resource: root)
        #expect((try? elsewhere.get()) == nil)
    }

    @Test func refreshRotatesAndOldTokensAreSpent() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            let minted = try await emulator.control(.post, "/tokens", json: ["user": "ada"]).json
            let first = try #require(minted["refresh_token"] as? String)
            let renewed = try await refresh(emulator, first)
            #expect(renewed.status == 200)
            let second = try #require(renewed.json["refresh_token"] as? String)
            #expect(second != first)
            #expect((renewed.json["access_token"] as? String)?.isEmpty == false)
            let reused = try await refresh(emulator, first)
            #expect(reused.status == 400)
            #expect(reused.json["error"] as? String == "invalid_grant")
            // A narrower scope is fine; one never granted is not.
            #expect(try await refresh(emulator, second, scope: "User.Read").json["scope"] as? String == "User.Read")
            let wider = try await emulator.control(.post, "/tokens", json: ["user": "ada", "scopes": ["User.Read", "offline_access"]])
            let narrow = try #require(wider.json["refresh_token"] as? String)
            #expect(try await refresh(emulator, narrow, scope: "Presence.Read.All").json["error"] as? String == "invalid_grant", "consent missing: AADSTS65001, sign in again")
            // Refused for its scope, the refresh token is not spent (the agent stays signed in).
            #expect(try await refresh(emulator, narrow).status == 200)
        }
    }

    /// Entra refuses a secret from a public client (AADSTS700025) in the device-code and refresh grants.
    @Test func publicClientsPresentNoSecret() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            let minted = try await emulator.control(.post, "/tokens", json: ["user": "ada"]).json
            let token = try #require(minted["refresh_token"] as? String)
            let withSecret = try await emulator.tokenRequest(["grant_type": "refresh_token", "client_id": emulator.options.clientID,
                                                               "refresh_token": token, "client_secret": "emulator-secret"])
            #expect(withSecret.status == 401)
            #expect(withSecret.json["error"] as? String == "invalid_client")
            #expect((withSecret.json["error_description"] as? String)?.hasPrefix("AADSTS700025") == true)
            #expect(try await refresh(emulator, token).status == 200, "not spent by the refused request")
        }
    }

    @Test func noRefreshTokenWithoutOfflineAccess() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            let minted = try await emulator.control(.post, "/tokens", json: ["user": "ada", "scopes": ["Presence.ReadWrite"]])
            #expect(minted.status == 200)
            #expect(minted.json["refresh_token"] == nil)
            #expect(minted.json["access_token"] as? String != nil)
        }
    }

    @Test func revokedAndExpiredRefreshTokensAreInvalidGrant() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            let revokedToken = try #require(try await emulator.control(.post, "/tokens", json: ["user": "ada"]).json["refresh_token"] as? String)
            #expect(try await emulator.control(.post, "/users/ada/refreshTokens/revoke").json["revoked"] as? Int == 1)
            let revoked = try await refresh(emulator, revokedToken)
            #expect(revoked.json["error"] as? String == "invalid_grant")
            #expect((revoked.json["error_description"] as? String)?.hasPrefix("AADSTS50173") == true)

            let expiredToken = try #require(try await emulator.control(.post, "/tokens", json: ["user": "ada"]).json["refresh_token"] as? String)
            #expect(try await emulator.control(.post, "/users/ada@contoso.example/refreshTokens/expire").json["expired"] as? Int == 1)
            let expired = try await refresh(emulator, expiredToken)
            #expect(expired.json["error"] as? String == "invalid_grant")
            #expect((expired.json["error_description"] as? String)?.hasPrefix("AADSTS700082") == true)
            #expect(try await refresh(emulator, "made-up").json["error"] as? String == "invalid_grant")
        }
    }

    @Test func clientCredentialsStillNeedTheSecret() async throws {
        try await withEmulator(Self.signInOptions()) { emulator async throws in
            var form = emulator.goodForm
            form["client_secret"] = nil
            #expect(try await emulator.tokenRequest(form).json["error"] as? String == "invalid_client")
            #expect(try await emulator.tokenRequest(emulator.goodForm).status == 200)
        }
    }
}
