import SoftphoneCore
/// A failed Graph or token request, in words for the Log tab.
public struct GraphError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Graph answered with an error status.
        case status(Int, code: String?, message: String?)
        /// The token endpoint refused (wrong client id or secret, unknown tenant).
        case token(Int, code: String?, message: String?)
        /// No answer: connection refused or dropped, timeout.
        case transport(String)
        /// An answer that is not what Graph documents.
        case malformed(String)
        /// No usable delegated sign-in: no token file, or the refresh token was refused
        /// (`invalid_grant`, `interaction_required`). The agent runs `softphone teams login`.
        case signInNeeded(reason: String)
    }

    /// SPEC section 9's words for the ❎ reason when the agent must sign in.
    public static let signInPrompt = TeamsDisconnectedIcon.signInLabel

    public var kind: Kind
    /// What was being done: "setPresence", "GET presence".
    public var operation: String

    public init(_ kind: Kind, operation: String) {
        self.kind = kind
        self.operation = operation
    }

    public var description: String {
        switch kind {
        case .status(let status, let code, let message):
            return "Teams: \(operation) failed: \(status)\(code.map { " \($0)" } ?? "")\(message.map { ": \($0)" } ?? "")"
        case .token(let status, let code, let message):
            return "Teams sign-in failed: \(status)\(code.map { " \($0)" } ?? "")\(message.map { ": \($0)" } ?? "")"
        case .transport(let reason):
            return "Teams unreachable: \(operation): \(reason)"
        case .malformed(let reason):
            return "Teams: \(operation): unexpected answer: \(reason)"
        case .signInNeeded:
            return Self.signInPrompt
        }
    }

    /// `description` with the reason a sign-in is needed (the identity platform's words,
    /// say "invalid_grant: AADSTS50173: …"): for the Log, where `description` stays SPEC's
    /// prompt for the status bar.
    public var detail: String {
        if case .signInNeeded(let reason) = kind { return "\(description) (\(reason))" }
        return description
    }

    /// Graph (or the token endpoint) throttled the request: 429.
    public var isThrottled: Bool {
        switch kind {
        case .status(let status, _, _), .token(let status, _, _): status == 429
        case .transport, .malformed, .signInNeeded: false
        }
    }

    /// Worth trying again later: throttling, server errors, no connection.
    public var isTransient: Bool {
        switch kind {
        case .status(let status, _, _): status == 429 || status >= 500
        case .transport: true
        case .token(let status, let code, _): status == 429 || status >= 500 || code == "temporarily_unavailable"
        case .malformed, .signInNeeded: false
        }
    }
}
