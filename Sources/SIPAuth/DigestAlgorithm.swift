/// The `algorithm` of a digest challenge (RFC 2617 section 3.2.1).
public enum DigestAlgorithm: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// `MD5`, the default when a challenge names none.
    case md5
    /// `MD5-sess`: H(A1) also covers the nonce and cnonce.
    case md5Sess
    /// Anything else (e.g. `SHA-256`), kept as written; we cannot answer it.
    case other(String)

    /// Reads an algorithm name, case-insensitively.
    public init(name: String) {
        switch name.lowercased() {
        case "md5": self = .md5
        case "md5-sess": self = .md5Sess
        default: self = .other(name)
        }
    }

    /// The name as it goes on the wire.
    public var name: String {
        switch self {
        case .md5: "MD5"
        case .md5Sess: "MD5-sess"
        case .other(let name): name
        }
    }

    /// Whether we can compute responses for it.
    public var isSupported: Bool {
        switch self {
        case .md5, .md5Sess: true
        case .other: false
        }
    }

    public var description: String { name }
}

/// The quality of protection (RFC 2617 section 3.2.1).
public enum DigestQoP: String, Sendable, Equatable, Hashable {
    /// Authentication only.
    case auth
    /// Authentication with integrity protection of the message body.
    case authInt = "auth-int"
}
