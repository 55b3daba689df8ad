/// A SIP account's digest username and password.
public struct DigestCredentials: Sendable, Equatable {
    /// The digest username (often the extension or the SIP user part).
    public var username: String
    /// The plain password.
    public var password: String

    /// Credentials for one account.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}
