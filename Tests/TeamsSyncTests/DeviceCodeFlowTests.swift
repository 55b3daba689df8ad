import Foundation
import SoftphoneCore
import Testing
@testable import TeamsSync

@Suite("Device-code sign-in, the pure flow (RFC 8628 as Entra runs it)")
struct DeviceCodeFlowTests {
    let t0 = Instant(secondsSinceEpoch: 1_800_000_000)

    func flow() -> DeviceCodeFlow {
        DeviceCodeFlow(clientID: "client-1", deviceCodeURL: "https://login.example/t/oauth2/v2.0/devicecode",
                       tokenURL: "https://login.example/t/oauth2/v2.0/token",
                       scope: DelegatedScopes.scope(graphURL: "https://graph.microsoft.com/v1.0"))
    }

    func json(_ answer: FakeIdentityPlatform.Answer) -> (Int, Data) { (answer.status, Data(answer.json.utf8)) }

    func pollTime(_ command: DeviceCodeFlow.Command) -> Instant? {
        if case .send(let request, let at) = command, request.value(of: "grant_type") == DeviceCodeFlow.grantType { return at }
        return nil
    }

    @Test("the device-code request: client id and Graph's delegated scopes with offline_access, no secret")
    func deviceCodeRequest() {
        guard case .send(let request, let at) = flow().start(at: t0) else { Issue.record("no request"); return }
        #expect(at == t0)
        #expect(request.url == "https://login.example/t/oauth2/v2.0/devicecode")
        #expect(request.value(of: "client_id") == "client-1")
        #expect(request.value(of: "scope") == "https://graph.microsoft.com/Presence.ReadWrite https://graph.microsoft.com/Presence.Read.All https://graph.microsoft.com/User.Read https://graph.microsoft.com/User.ReadBasic.All offline_access")
        #expect(request.value(of: "client_secret") == nil)
    }

    @Test("login asks for User.ReadBasic.All: colleagues' ids by UPN (User.Read covers only oneself)")
    func colleaguesDirectoryScope() {
        #expect(DelegatedScopes.permissions.contains("User.ReadBasic.All"))
        #expect(DelegatedScopes.scope(graphURL: "https://graph.microsoft.com/v1.0").split(separator: " ")
            .contains("https://graph.microsoft.com/User.ReadBasic.All"))
    }

    @Test("scopes take the emulator's host from graph_url")
    func emulatorScopes() {
        #expect(DelegatedScopes.scope(graphURL: "http://127.0.0.1:8450/v1.0")
                == "http://127.0.0.1:8450/Presence.ReadWrite http://127.0.0.1:8450/Presence.Read.All http://127.0.0.1:8450/User.Read http://127.0.0.1:8450/User.ReadBasic.All offline_access")
    }

    @Test("pending → slow_down → approved: the interval grows by 5 s for that and every later poll")
    func pendingSlowDownApproved() throws {
        var flow = flow()
        _ = flow.start(at: t0)
        var (status, body) = json(.deviceCode(interval: 5, expiresIn: 900))
        var command = flow.received(status: status, body: body, at: t0)
        guard case .waiting(let waiting) = flow.state else { Issue.record("not waiting"); return }
        #expect(waiting.userCode == "ABCD-EFGH")
        #expect(waiting.verificationURI == "https://microsoft.com/devicelogin")
        #expect(waiting.message.hasPrefix("To sign in, use a web browser"))
        #expect(waiting.expiresAt == t0 + .seconds(900))
        #expect(pollTime(command) == t0 + .seconds(5))
        if case .send(let poll, _) = command {
            #expect(poll.value(of: "device_code") == "dev-code-secret")
            #expect(poll.value(of: "client_id") == "client-1")
            #expect(poll.value(of: "client_secret") == nil)
        }
        (status, body) = json(.error("authorization_pending"))
        command = flow.received(status: status, body: body, at: t0 + .seconds(5))
        #expect(pollTime(command) == t0 + .seconds(10))
        (status, body) = json(.error("slow_down"))
        command = flow.received(status: status, body: body, at: t0 + .seconds(10))
        #expect(pollTime(command) == t0 + .seconds(20))
        (status, body) = json(.error("authorization_pending"))
        command = flow.received(status: status, body: body, at: t0 + .seconds(20))
        #expect(pollTime(command) == t0 + .seconds(30), "slow_down holds for every later poll")
        (status, body) = json(.tokens(access: "at-1", refresh: "rt-1", expiresIn: 3599))
        command = flow.received(status: status, body: body, at: t0 + .seconds(30))
        #expect(command == .finish)
        guard case .signedIn(let grant) = flow.state else { Issue.record("not signed in: \(flow.state)"); return }
        #expect(grant.accessToken.value == "at-1")
        #expect(grant.refreshToken?.value == "rt-1")
        #expect(grant.accessTokenExpiresAt == t0 + .seconds(30 + 3599))
        #expect(!"\(grant)".contains("at-1"))
    }

    @Test("the code expires: expired_token ends it, and so does the clock passing expires_in")
    func expiry() {
        var flow = flow()
        _ = flow.start(at: t0)
        var (status, body) = json(.deviceCode(interval: 5, expiresIn: 12))
        #expect(pollTime(flow.received(status: status, body: body, at: t0)) == t0 + .seconds(5))
        (status, body) = json(.error("authorization_pending"))
        #expect(pollTime(flow.received(status: status, body: body, at: t0 + .seconds(5))) == t0 + .seconds(10))
        #expect(flow.received(status: status, body: body, at: t0 + .seconds(10)) == .finish)
        #expect(flow.state == .expired)

        var other = self.flow()
        _ = other.start(at: t0)
        (status, body) = json(.deviceCode())
        _ = other.received(status: status, body: body, at: t0)
        (status, body) = json(.error("expired_token"))
        #expect(other.received(status: status, body: body, at: t0 + .seconds(5)) == .finish)
        #expect(other.state == .expired)
    }

    @Test("declined and bad_verification_code end the flow")
    func declined() {
        for (code, declined) in [("authorization_declined", true), ("access_denied", true), ("bad_verification_code", false)] {
            var flow = flow()
            _ = flow.start(at: t0)
            var (status, body) = json(.deviceCode())
            _ = flow.received(status: status, body: body, at: t0)
            (status, body) = json(.error(code))
            #expect(flow.received(status: status, body: body, at: t0 + .seconds(5)) == .finish)
            if declined {
                #expect(flow.state == .declined)
            } else if case .failed(let reason) = flow.state {
                #expect(reason.contains("bad_verification_code"))
            } else {
                Issue.record("\(code) did not end the flow: \(flow.state)")
            }
        }
    }

    @Test("invalid_client with AADSTS7000218 says to allow public client flows")
    func notPublicClient() {
        var flow = flow()
        _ = flow.start(at: t0)
        let (status, body) = json(.error("invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                                         status: 401, codes: [7000218]))
        #expect(flow.received(status: status, body: body, at: t0) == .finish)
        #expect(flow.state == .failed(reason: "the app registration does not allow public client flows (Entra admin center → App registrations → Authentication → Allow public client flows = Yes)"))
    }

    @Test("a poll without an answer, or a 5xx, is tried again at the interval; the device-code request is not")
    func transientPolls() {
        var flow = flow()
        _ = flow.start(at: t0)
        var (status, body) = json(.deviceCode())
        _ = flow.received(status: status, body: body, at: t0)
        #expect(pollTime(flow.transportFailed("connection refused", at: t0 + .seconds(5))) == t0 + .seconds(10))
        (status, body) = json(.error("temporarily_unavailable", status: 503))
        #expect(pollTime(flow.received(status: status, body: body, at: t0 + .seconds(10))) == t0 + .seconds(15))

        var unreachable = self.flow()
        _ = unreachable.start(at: t0)
        #expect(unreachable.transportFailed("connection refused", at: t0) == .finish)
        if case .failed = unreachable.state {} else { Issue.record("not failed") }
    }

    @Test("an answer that is not JSON never crashes: it fails the flow")
    func garbage() {
        var flow = flow()
        _ = flow.start(at: t0)
        #expect(flow.received(status: 200, body: Data("<html>".utf8), at: t0) == .finish)
        if case .failed = flow.state {} else { Issue.record("not failed: \(flow.state)") }
        var noRefresh = self.flow()
        _ = noRefresh.start(at: t0)
        let (status, body) = json(.deviceCode())
        _ = noRefresh.received(status: status, body: body, at: t0)
        let (s2, b2) = json(.tokens(access: "a", refresh: nil))
        #expect(noRefresh.received(status: s2, body: b2, at: t0 + .seconds(5)) == .finish)
        if case .failed(let reason) = noRefresh.state { #expect(reason.contains("offline_access")) } else { Issue.record("accepted") }
    }
}
