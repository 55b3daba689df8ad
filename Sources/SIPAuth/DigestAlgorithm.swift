import Crypto

/// The `algorithm` of a digest challenge (RFC 2617 section 3.2.1, RFC 7616 section 3.3,
/// RFC 8760 for SIP).
public enum DigestAlgorithm: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// `MD5`, the default when a challenge names none.
    case md5
    /// `MD5-sess`: H(A1) also covers the nonce and cnonce.
    case md5Sess
    /// `SHA-256` (RFC 8760).
    case sha256
    /// `SHA-256-sess`: as `SHA-256`, H(A1) also covering the nonce and cnonce.
    case sha256Sess
    /// Anything else (e.g. `SHA-512-256`), kept as written; we cannot answer it.
    case other(String)

    /// Reads an algorithm name, case-insensitively.
    public init(name: String) {
        switch name.lowercased() {
        case "md5": self = .md5
        case "md5-sess": self = .md5Sess
        case "sha-256": self = .sha256
        case "sha-256-sess": self = .sha256Sess
        default: self = .other(name)
        }
    }

    /// The name as it goes on the wire.
    public var name: String {
        switch self {
        case .md5: "MD5"
        case .md5Sess: "MD5-sess"
        case .sha256: "SHA-256"
        case .sha256Sess: "SHA-256-sess"
        case .other(let name): name
        }
    }

    /// Whether we can compute responses for it.
    public var isSupported: Bool { strength > 0 }

    /// Whether H(A1) covers the nonce and client nonce (the `-sess` variants).
    public var isSession: Bool { self == .md5Sess || self == .sha256Sess }

    /// How strong the hash is, to pick among several challenges (RFC 8760 section 2.4: the
    /// client uses the topmost one it supports, servers list the preferred first; a client
    /// that knows better takes the strongest). 0: not supported.
    public var strength: Int {
        switch self {
        case .md5, .md5Sess: 1
        case .sha256, .sha256Sess: 2
        case .other: 0
        }
    }

    /// `H()` of the algorithm: lower-case hex of the hash of `bytes` (MD5 for unsupported
    /// algorithms, which are never answered).
    public func hex(bytes: some Sequence<UInt8>) -> String {
        switch self {
        case .sha256, .sha256Sess: MD5.hexString(Array(SHA256.hash(data: Array(bytes))))
        case .md5, .md5Sess, .other: MD5.hex(bytes: bytes)
        }
    }

    /// `H()` of a string's UTF-8 bytes.
    public func hex(_ string: String) -> String { hex(bytes: string.utf8) }

    public var description: String { name }
}

/// The quality of protection (RFC 2617 section 3.2.1).
public enum DigestQoP: String, Sendable, Equatable, Hashable {
    /// Authentication only.
    case auth
    /// Authentication with integrity protection of the message body.
    case authInt = "auth-int"
}
