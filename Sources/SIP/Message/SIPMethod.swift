/// A SIP request method. Methods are case-sensitive tokens (RFC 3261 §7.1): `invite` is
/// not `INVITE`, and `RE%47IST%45R` is an unknown method, not REGISTER.
public enum SIPMethod: Hashable, Sendable, CustomStringConvertible {
    case invite, ack, bye, cancel, options, register, refer, notify, subscribe, publish, info, update, message, prack
    /// Any other (extension) method, exactly as written.
    case other(String)

    /// Maps a method token to a case; unknown tokens become `.other`.
    public init(_ token: String) {
        switch token {
        case "INVITE": self = .invite
        case "ACK": self = .ack
        case "BYE": self = .bye
        case "CANCEL": self = .cancel
        case "OPTIONS": self = .options
        case "REGISTER": self = .register
        case "REFER": self = .refer
        case "NOTIFY": self = .notify
        case "SUBSCRIBE": self = .subscribe
        case "PUBLISH": self = .publish
        case "INFO": self = .info
        case "UPDATE": self = .update
        case "MESSAGE": self = .message
        case "PRACK": self = .prack
        default: self = .other(token)
        }
    }

    /// The method token as written on the wire.
    public var rawValue: String {
        switch self {
        case .invite: "INVITE"
        case .ack: "ACK"
        case .bye: "BYE"
        case .cancel: "CANCEL"
        case .options: "OPTIONS"
        case .register: "REGISTER"
        case .refer: "REFER"
        case .notify: "NOTIFY"
        case .subscribe: "SUBSCRIBE"
        case .publish: "PUBLISH"
        case .info: "INFO"
        case .update: "UPDATE"
        case .message: "MESSAGE"
        case .prack: "PRACK"
        case .other(let s): s
        }
    }

    public var description: String { rawValue }

    public static func == (lhs: SIPMethod, rhs: SIPMethod) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// Whether the token is a valid method (a non-empty `token`).
    static func isValidToken(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(ByteClass.isToken)
    }
}
