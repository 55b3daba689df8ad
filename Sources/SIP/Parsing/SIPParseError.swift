/// Why a SIP message could not be parsed, with enough of the request (when it was
/// readable) to answer it with `400 Bad Request` or `505 Version Not Supported`.
public struct SIPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The input ended before a complete message (datagram too short, or stream needs more bytes).
        case incomplete
        /// The request or status line is malformed.
        case malformedStartLine
        /// The version is not `SIP/2.0` (a server answers 505).
        case unsupportedVersion
        /// A header line or a header value is malformed.
        case malformedHeader
        /// A header required in every message is missing.
        case missingHeader
        /// A single-valued header appears more than once.
        case duplicateHeader
        /// A Request-URI or header URI is malformed.
        case invalidURI
        /// Content-Length is not a valid number, or larger than the datagram.
        case invalidContentLength
        /// The CSeq method differs from the request method.
        case methodMismatch
        /// The message exceeds the configured maximum size.
        case messageTooLarge
    }

    /// The part of a request that was readable, for building an error response.
    public struct PartialRequest: Sendable, Equatable {
        /// The method from the request line.
        public var method: SIPMethod
        /// The Request-URI text as received.
        public var requestURI: String
        /// All header fields that were read.
        public var headers: SIPHeaders
    }

    /// The category of failure.
    public var kind: Kind
    /// A human-readable explanation.
    public var reason: String
    /// The header concerned, if any (canonical lowercase long name).
    public var header: String?
    /// What was readable of a request, when the request line and header block parsed.
    public var partialRequest: PartialRequest?

    /// Creates an error.
    public init(_ kind: Kind, _ reason: String, header: String? = nil, partialRequest: PartialRequest? = nil) {
        self.kind = kind
        self.reason = reason
        self.header = header
        self.partialRequest = partialRequest
    }

    public var description: String {
        if let header { return "\(kind.rawValue) (\(header)): \(reason)" }
        return "\(kind.rawValue): \(reason)"
    }

    /// The status code a server should answer with: 505 for a bad version, else 400.
    public var suggestedStatusCode: Int { kind == .unsupportedVersion ? 505 : 400 }

    /// Whether an error response can be built: the request's Via, From, To, Call-ID and CSeq
    /// were all present and the top Via parses (RFC 3261 §8.2.6 copies them into the response).
    public var canRespond: Bool { badRequestResponse() != nil }

    /// A `400 Bad Request` (or `505`) answering the partial request, with the reason in the
    /// status line; nil when the request is too broken to answer (no request line, or a
    /// missing Via, From, To, Call-ID or CSeq).
    public func badRequestResponse(toTag: String? = nil) -> SIPResponse? {
        guard let partial = partialRequest else { return nil }
        let required: [HeaderName] = [.via, .from, .to, .callID, .cseq]
        for name in required where partial.headers.first(name) == nil { return nil }
        // The response is routed by the top Via, so it must be readable.
        guard (try? partial.headers.topVia) != nil else { return nil }
        if partial.method == .ack { return nil }  // never answer an ACK
        let code = suggestedStatusCode
        let phrase = code == 505 ? "Version Not Supported" : "Bad Request"
        var reasonText = phrase + " (" + reason + ")"
        // Keep the reason phrase printable: replace control bytes.
        reasonText = String(decoding: reasonText.utf8.map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return SIPResponse(replyingToHeaders: partial.headers, status: code, reason: reasonText, toTag: toTag)
    }
}
