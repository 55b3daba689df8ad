import Foundation
import SoftphoneCore
import Testing
@testable import TeamsSync

@Suite("UPN → object id at start (/me, /users/{upn}, $batch)", .serialized)
struct IdentityResolutionTests {
    func client(_ fake: FakeIdentityPlatform, userID: String, maxRetries: Int = 0,
                recorder: SleepRecorder? = nil) -> GraphClient {
        let configuration = GraphConfiguration(graphURL: fake.graphURL, tokenURL: fake.tokenURL, clientID: "client-1",
                                               clientSecret: "", userID: userID, requestTimeout: .seconds(5),
                                               maxRetries: maxRetries)
        return GraphClient(configuration: configuration, tokens: FixedToken(.init("at-1")),
                           sleep: { await recorder?.record($0) })
    }

    @Test("a throttled batch item is asked again after its Retry-After, in a later batch")
    func throttledItem() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        fake.users = ["a@contoso.example": Self.guid(1), "b@contoso.example": Self.guid(2)]
        fake.throttleOnce = ["/users/b@contoso.example?$select=id"]
        let recorder = SleepRecorder()
        let results = await client(fake, userID: Self.guid(9), maxRetries: 2, recorder: recorder)
            .objectIDs(of: ["a@contoso.example", "b@contoso.example", "a@contoso.example"])
        #expect(try results["a@contoso.example"]?.get() == Self.guid(1))
        #expect(try results["b@contoso.example"]?.get() == Self.guid(2))
        #expect(fake.snapshot { $0.batchSizes } == [2, 1])
        #expect(await recorder.sleeps == [.seconds(7)])
    }

    static func guid(_ n: Int) -> String { String(format: "00000000-0000-0000-0000-%012d", n) }

    @Test("an id that is neither a GUID nor a UPN is kept out (it would fail a whole batch); a passing failure is retryable, 404 is not")
    func unusableAndRetryable() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        fake.users = ["b@contoso.example": Self.guid(2)]
        fake.throttleOnce = ["/users/b@contoso.example?$select=id"]
        let graph = client(fake, userID: Self.guid(9))
        let first = await TeamsIdentity.resolveColleagues(client: graph, ["bob", "b@contoso.example", "gone@contoso.example"])
        #expect(first.unresolved.map(\.id) == ["bob", "b@contoso.example", "gone@contoso.example"])
        #expect(first.unresolved.first?.reason == "neither an object id (a GUID) nor a UPN (name@domain)")
        #expect(first.retryable == ["b@contoso.example"], "throttled: asked again later; 404 and a malformed id: not")
        #expect(first.configuredID.isEmpty)
        let again = await TeamsIdentity.resolveColleagues(client: graph, first.retryable)
        #expect(again.configuredID == [Self.guid(2): "b@contoso.example"] && again.retryable.isEmpty)
    }

    @Test("object ids and GUID detection")
    func objectIDs() {
        #expect(TeamsIdentity.isObjectID("6e9bd2a1-27ec-4e5a-9d84-0b7cfd3b1f2e"))
        #expect(!TeamsIdentity.isObjectID("ada@contoso.example"))
        #expect(!TeamsIdentity.isObjectID("6e9bd2a1-27ec-4e5a-9d84-0b7cfd3b1f2"))
        #expect(TeamsIdentity.isUserPrincipalName("ada@contoso.example"))
        #expect(!TeamsIdentity.isUserPrincipalName("agent"), "an emulator's plain id is taken as it is")
    }

    @Test("UPN paths: # as %23, a leading $ as /users('$x@y')")
    func paths() {
        #expect(GraphClient.userIDPath("ada@contoso.example") == "/users/ada@contoso.example?$select=id")
        #expect(GraphClient.userIDPath("guest_fabrikam.com#EXT#@contoso.onmicrosoft.com")
                == "/users/guest_fabrikam.com%23EXT%23@contoso.onmicrosoft.com?$select=id")
        #expect(GraphClient.userIDPath("$adm@contoso.example") == "/users('$adm@contoso.example')?$select=id")
        #expect(GraphClient.userIDPath("a/b?c@x") == "/users/a%2Fb%3Fc@x?$select=id")
    }

    @Test("delegated: the agent's own UPN is resolved by /me; an empty user_id too")
    func agentByMe() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        for userID in ["ADA@contoso.example", ""] {
            let identity = try await TeamsIdentity.resolve(client: client(fake, userID: userID), delegated: true,
                                                           userID: userID, colleagues: [])
            #expect(identity.agentID == fake.me.id)
        }
        #expect(fake.snapshot { $0.graphPaths }.allSatisfy { $0.hasPrefix("/v1.0/me") })
    }

    @Test("app, or another user's UPN: /users/{upn}?$select=id; an object id needs no request")
    func agentByUsers() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        fake.users = ["bea@contoso.example": Self.guid(7)]
        let byApp = try await TeamsIdentity.resolve(client: client(fake, userID: "bea@contoso.example"), delegated: false,
                                                    userID: "bea@contoso.example", colleagues: [])
        #expect(byApp.agentID == Self.guid(7))
        #expect(fake.snapshot { $0.graphPaths } == ["/v1.0/users/bea@contoso.example?$select=id"])
        let other = try await TeamsIdentity.resolve(client: client(fake, userID: "bea@contoso.example"), delegated: true,
                                                    userID: "bea@contoso.example", colleagues: [])
        #expect(other.agentID == Self.guid(7))
        let asIs = try await TeamsIdentity.resolve(client: client(fake, userID: Self.guid(3)), delegated: false,
                                                   userID: Self.guid(3), colleagues: [Self.guid(4)])
        #expect(asIs.agentID == Self.guid(3))
        #expect(asIs.configuredID == [Self.guid(4): Self.guid(4)])
        #expect(fake.snapshot { $0.graphPaths.count } == 3)
        await #expect(throws: GraphError.self) {
            try await TeamsIdentity.resolve(client: client(fake, userID: "nobody@contoso.example"), delegated: false,
                                            userID: "nobody@contoso.example", colleagues: [])
        }
    }

    @Test("45 colleague UPNs → 3 batches of at most 20; answers out of order; a 404 item is said, not fatal")
    func colleaguesInBatches() async throws {
        let fake = try await FakeIdentityPlatform.start()
        defer { Task { await fake.stop() } }
        var colleagues: [String] = []
        var users: [String: String] = [:]
        for n in 0..<45 {
            let upn = "user\(n)@contoso.example"
            colleagues.append(upn)
            if n != 17 { users[upn] = Self.guid(100 + n) }
        }
        colleagues.append(Self.guid(999))  // already an object id
        colleagues.append("guest_f.com#EXT#@contoso.onmicrosoft.com")
        users["guest_f.com#EXT#@contoso.onmicrosoft.com"] = Self.guid(500)
        fake.users = users
        let identity = try await TeamsIdentity.resolve(client: client(fake, userID: Self.guid(1)), delegated: false,
                                                       userID: Self.guid(1), colleagues: colleagues)
        #expect(fake.snapshot { $0.batchSizes } == [20, 20, 6])
        #expect(fake.snapshot { $0.graphPaths }.allSatisfy { $0 == "/v1.0/$batch" })
        #expect(identity.configuredID.count == 46)
        #expect(identity.configuredID[Self.guid(100)] == "user0@contoso.example")
        #expect(identity.configuredID[Self.guid(144)] == "user44@contoso.example")
        #expect(identity.configuredID[Self.guid(999)] == Self.guid(999))
        #expect(identity.configuredID[Self.guid(500)] == "guest_f.com#EXT#@contoso.onmicrosoft.com")
        #expect(identity.unresolved.map(\.id) == ["user17@contoso.example"])
        #expect(identity.unresolved.first?.reason == "no such user in the tenant (404)")
        #expect(identity.colleagueIDs == identity.configuredID.keys.sorted())
    }
}
