import Foundation
import SoftphoneCore
import Testing
@testable import TeamsEmulator

@Suite("Token endpoint")
struct TokenEndpointTests {
    @Test func issuesABearerTokenForGoodCredentials() async throws {
        try await withEmulator { emulator async throws in
            let reply = try await emulator.tokenRequest(emulator.goodForm)
            #expect(reply.status == 200)
            #expect(reply.json["token_type"] as? String == "Bearer")
            #expect(reply.json["expires_in"] as? Int == 3600)
            let token = try #require(reply.json["access_token"] as? String)
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token).status == 200)
        }
    }

    @Test func wrongSecretIsInvalidClient() async throws {
        try await withEmulator { emulator async throws in
            var form = emulator.goodForm
            form["client_secret"] = "wrong"
            let reply = try await emulator.tokenRequest(form)
            #expect(reply.status == 401)
            #expect(reply.json["error"] as? String == "invalid_client")
            #expect((reply.json["error_description"] as? String)?.hasPrefix("AADSTS7000215") == true)
        }
    }

    @Test func wrongOrMissingClientIsInvalidClient() async throws {
        try await withEmulator { emulator async throws in
            var form = emulator.goodForm
            form["client_id"] = "someone-else"
            #expect(try await emulator.tokenRequest(form).status == 401)
            form = emulator.goodForm
            form["client_secret"] = nil
            let reply = try await emulator.tokenRequest(form)
            #expect(reply.status == 401)
            #expect(reply.json["error"] as? String == "invalid_client")
        }
    }

    @Test func otherBadRequestsAre400() async throws {
        try await withEmulator { emulator async throws in
            var form = emulator.goodForm
            form["grant_type"] = "password"
            let grant = try await emulator.tokenRequest(form)
            #expect(grant.status == 400)
            #expect(grant.json["error"] as? String == "unsupported_grant_type")

            form = emulator.goodForm
            form["scope"] = "Presence.ReadWrite.All"
            let scope = try await emulator.tokenRequest(form)
            #expect(scope.status == 400)
            #expect(scope.json["error"] as? String == "invalid_scope")

            form = emulator.goodForm
            form["grant_type"] = nil
            #expect(try await emulator.tokenRequest(form).json["error"] as? String == "invalid_request")

            let tenant = try await emulator.tokenRequest(emulator.goodForm, tenant: "other-tenant")
            #expect(tenant.status == 400)
            #expect(tenant.json["error"] as? String == "invalid_request")

            let json = try await emulator.send(.post, "/\(emulator.options.tenant)/oauth2/v2.0/token",
                                               json: ["grant_type": "client_credentials"])
            #expect(json.status == 400)
            #expect(json.json["error"] as? String == "invalid_request")
        }
    }

    @Test func acceptsClientCredentialsInBasicAuthentication() async throws {
        try await withEmulator { emulator async throws in
            let basic = Data("\(emulator.options.clientID):\(emulator.options.clientSecret)".utf8).base64EncodedString()
            let reply = try await emulator.send(
                .post, "/\(emulator.options.tenant)/oauth2/v2.0/token",
                body: "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
                contentType: "application/x-www-form-urlencoded", headers: [.authorization: "Basic \(basic)"])
            #expect(reply.status == 200)
        }
    }

    @Test func expiredUnknownOrMissingTokensAre401OnGraph() async throws {
        try await withEmulator(options(tokenLifetime: .seconds(2))) { emulator async throws in
            let token = try await emulator.token()
            #expect(try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token).status == 200)
            let expires = await eventually {
                (try? await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token).status) == 401
            }
            #expect(expires)
            let expired = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: token)
            #expect(expired.status == 401)
            #expect(expired.graphErrorCode == "InvalidAuthenticationToken")
            #expect(expired.headers[.wwwAuthenticate] != nil)

            let unknown = try await emulator.graph(.get, "/users/\(Emulator.agent)/presence", token: "made-up")
            #expect(unknown.status == 401)
            #expect(unknown.graphErrorCode == "InvalidAuthenticationToken")

            let missing = try await emulator.send(.get, "/v1.0/users/\(Emulator.agent)/presence")
            #expect(missing.status == 401)
            #expect(missing.graphErrorCode == "InvalidAuthenticationToken")
        }
    }
}
