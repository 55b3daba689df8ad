/// What to do about a 401/407 challenge.
public enum ChallengeOutcome: Sendable, Equatable {
    /// Resend the request with this `Authorization` / `Proxy-Authorization` header value.
    case retry(header: String)
    /// The server rejected an answer computed from a fresh challenge: the username or
    /// password is wrong; do not retry.
    case wrongCredentials
    /// The challenge needs something we cannot do (an algorithm other than MD5, an unknown qop).
    case unsupported(reason: String)
}
