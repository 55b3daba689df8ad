/// A parsed SIP message: a request or a response.
public enum SIPMessage: Sendable, Equatable {
    /// A request.
    case request(SIPRequest)
    /// A response.
    case response(SIPResponse)

    /// The header fields.
    public var headers: SIPHeaders {
        get {
            switch self {
            case .request(let r): r.headers
            case .response(let r): r.headers
            }
        }
        set {
            switch self {
            case .request(var r): r.headers = newValue; self = .request(r)
            case .response(var r): r.headers = newValue; self = .response(r)
            }
        }
    }

    /// The body bytes.
    public var body: [UInt8] {
        switch self {
        case .request(let r): r.body
        case .response(let r): r.body
        }
    }

    /// The request, if this is one.
    public var request: SIPRequest? { if case .request(let r) = self { r } else { nil } }
    /// The response, if this is one.
    public var response: SIPResponse? { if case .response(let r) = self { r } else { nil } }

    /// Canonical wire form: CRLF line ends, Content-Length set from the body.
    public var bytes: [UInt8] {
        switch self {
        case .request(let r): r.bytes
        case .response(let r): r.bytes
        }
    }
}
