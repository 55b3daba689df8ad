/// A SIP request: method, Request-URI, headers, body.
public struct SIPRequest: Sendable, Equatable {
    /// The method from the request line.
    public var method: SIPMethod
    /// The Request-URI.
    public var uri: SIPURI
    /// The header fields in order.
    public var headers: SIPHeaders
    /// The message body (exactly Content-Length bytes when parsed).
    public var body: [UInt8]

    /// Creates a request. Content-Length is written from `body` on serialisation.
    public init(method: SIPMethod, uri: SIPURI, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    /// `METHOD uri SIP/2.0`
    public var requestLine: String { method.rawValue + " " + uri.description + " " + SIPCodec.version }

    /// Canonical wire form (CRLF line ends, Content-Length from the body).
    public var bytes: [UInt8] { SIPSerializer.serialize(startLine: requestLine, headers: headers, body: body) }
}
