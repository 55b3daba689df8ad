import SoftphoneCore
import TeamsEmulator
import TeamsSync

/// The demo's sign-in: delegated tokens for the agent minted by the in-process emulator
/// (as if the agent had signed in by device code), so the demo runs against the strict
/// emulator as a real desktop would — presence subscriptions need a delegated token.
actor DemoDelegatedTokens: GraphTokenSource {
    private let emulator: TeamsEmulatorServer
    private let user: String
    private var cached: (token: String, until: ContinuousClock.Instant)?
    private(set) var fetches = 0

    init(emulator: TeamsEmulatorServer, user: String) {
        self.emulator = emulator
        self.user = user
    }

    func token() async throws(GraphError) -> String {
        if let cached, ContinuousClock.now < cached.until { return cached.token }
        guard let minted = await emulator.mintDelegatedToken(user: user) else {
            throw GraphError(.token(400, code: "invalid_grant", message: "the demo's agent '\(user)' is not in the emulator"),
                             operation: "token")
        }
        fetches += 1
        // Renewed a minute early, as the application token provider does.
        let lifetime = minted.expiresIn > .seconds(120) ? minted.expiresIn - .seconds(60) : minted.expiresIn / 2
        cached = (minted.accessToken, ContinuousClock.now + lifetime)
        return minted.accessToken
    }

    func invalidate() { cached = nil }
}
