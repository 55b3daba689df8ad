import AsyncHTTPClient
import Foundation
import SoftphoneConfig
import SoftphoneCore

/// `softphone teams login`'s work: runs a `DeviceCodeFlow` against the identity platform
/// on `clock`, asks Graph's `/me` who signed in, and stores the sign-in. The command line
/// only prints.
public struct DeviceCodeLogin: Sendable {
    public enum Outcome: Sendable, Hashable {
        case signedIn(StoredSignIn)
        case expired
        case declined
        case failed(String)
        /// Signed in, but the token file cannot be written (the old one, if any, is kept).
        case cannotStore(String)
    }

    /// How long Microsoft documents a refresh token may be used (unused for that long, it expires).
    public static let refreshTokenLifetime = Duration.seconds(90 * 24 * 3600)

    public var graphURL: String
    public var clientID: String
    public var tokenURL: String
    public var deviceCodeURL: String
    public var store: TokenStore
    public var endpoint: TokenEndpoint
    public var http: HTTPClient
    public var clock: any SyncClock

    public init(graphURL: String, clientID: String, tokenURL: String, deviceCodeURL: String, store: TokenStore,
                http: HTTPClient = .shared, clock: any SyncClock = SystemSyncClock()) {
        self.graphURL = graphURL
        self.clientID = clientID
        self.tokenURL = tokenURL
        self.deviceCodeURL = deviceCodeURL
        self.store = store
        self.http = http
        self.endpoint = TokenEndpoint(http: http)
        self.clock = clock
    }

    /// Signs in; `show` gets the code to enter once it is known. The token file is written
    /// only on success, in one rename.
    public func run(show: @Sendable (DeviceCodeFlow.Waiting) -> Void) async -> Outcome {
        var flow = DeviceCodeFlow(clientID: clientID, deviceCodeURL: deviceCodeURL, tokenURL: tokenURL,
                                  scope: DelegatedScopes.scope(graphURL: graphURL))
        var command = flow.start(at: clock.now)
        var shown = false
        while case .send(let request, let at) = command {
            if at > clock.now {
                do { try await clock.sleep(until: at) } catch { return .failed("interrupted") }
            }
            do {
                let answer = try await endpoint.post(request)
                command = flow.received(status: answer.status, body: answer.body, at: clock.now)
            } catch {
                command = flow.transportFailed(String(describing: error), at: clock.now)
            }
            if !shown, case .waiting(let waiting) = flow.state {
                shown = true
                show(waiting)
            }
        }
        switch flow.state {
        case .signedIn(let grant):
            return await finish(grant)
        case .expired: return .expired
        case .declined: return .declined
        case .failed(let reason): return .failed(reason)
        case .requesting, .waiting: return .failed("the sign-in stopped early")
        }
    }

    private func finish(_ grant: TokenGrant) async -> Outcome {
        guard let refreshToken = grant.refreshToken else { return .failed("no refresh token") }
        let graph = GraphConfiguration(graphURL: graphURL, tokenURL: tokenURL, clientID: clientID, clientSecret: "",
                                       userID: "", maxRetries: 1)
        let client = GraphClient(configuration: graph, httpClient: http, clock: clock, tokens: FixedToken(grant.accessToken))
        let me: GraphUser
        do throws(GraphError) {
            me = try await client.me()
        } catch {
            return .failed("signed in, but Graph's /me failed: \(error)")
        }
        let signIn = StoredSignIn(tokenURL: tokenURL, clientID: clientID,
                                  account: .init(userPrincipalName: me.userPrincipalName, objectID: me.id,
                                                 displayName: me.displayName),
                                  refreshToken: refreshToken, accessTokenExpiresAt: grant.accessTokenExpiresAt,
                                  signedInAt: clock.now)
        do throws(TokenStoreError) {
            try store.save(signIn, replacingCorrupt: true)
        } catch {
            return .cannotStore("\(error)")
        }
        return .signedIn(signIn)
    }
}

/// One access token, as it is (for `/me` right after sign-in).
struct FixedToken: GraphTokenSource {
    let value: Secret
    init(_ value: Secret) { self.value = value }
    func token() async throws(GraphError) -> String { value.value }
    func invalidate() async {}
    var fetches: Int { 0 }
}
