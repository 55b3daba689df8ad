import Foundation
import SoftphoneCore
import Synchronization

/// Issues and checks opaque bearer tokens (client-credentials flow). Lifetimes are real time.
final class TokenIssuer: Sendable {
    struct Issued: Sendable {
        var clientID: String
        var expiresAt: ContinuousClock.Instant
    }

    let lifetime: Duration
    private let tokens = Mutex<[String: Issued]>([:])

    init(lifetime: Duration) { self.lifetime = lifetime }

    /// A new token for `clientID`, valid for `lifetime`.
    func issue(clientID: String) -> String {
        let token = "emu." + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let now = ContinuousClock.now
        tokens.withLock { tokens in
            tokens = tokens.filter { $0.value.expiresAt > now }
            tokens[token] = Issued(clientID: clientID, expiresAt: now + lifetime)
        }
        return token
    }

    /// `expires_in`: the lifetime in whole seconds, at least 1.
    var expiresInSeconds: Int64 { max(1, lifetime.wholeSeconds) }

    /// The client id behind an `Authorization: Bearer …` header, or a 401 Graph failure.
    func authenticate(_ header: String?) throws(GraphFailure) -> String {
        guard let header, !header.isEmpty else {
            throw GraphFailure.unauthorized("Access token is empty.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].caseInsensitiveCompare("Bearer") == .orderedSame else {
            throw GraphFailure.unauthorized("The Authorization header must be 'Bearer {token}'.")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let issued = tokens.withLock({ $0[token] }) else {
            throw GraphFailure.unauthorized("Invalid access token: it was not issued by this tenant.")
        }
        guard issued.expiresAt > .now else {
            throw GraphFailure.unauthorized("Lifetime validation failed, the token is expired.")
        }
        return issued.clientID
    }
}
