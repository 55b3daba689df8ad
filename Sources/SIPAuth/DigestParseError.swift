/// Why a `WWW-Authenticate`, `Proxy-Authenticate` or `Authorization` value could not be read.
public struct DigestParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A readable explanation, e.g. `missing the "nonce" parameter`.
    public let reason: String

    /// An error with the given explanation.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "malformed digest header: \(reason)" }
}
