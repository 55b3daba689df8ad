/// A SIP response: status code, reason phrase, headers, body.
public struct SIPResponse: Sendable, Equatable {
    /// The status code, 100–699.
    public var statusCode: Int
    /// The reason phrase (may be empty).
    public var reasonPhrase: String
    /// The header fields in order.
    public var headers: SIPHeaders
    /// The message body.
    public var body: [UInt8]

    /// Creates a response. Content-Length is written from `body` on serialisation.
    public init(statusCode: Int, reasonPhrase: String? = nil, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase ?? SIPResponse.defaultReason(for: statusCode)
        self.headers = headers
        self.body = body
    }

    /// Builds a response to `request` per RFC 3261 §8.2.6: copies every Via (in order), From,
    /// To, Call-ID and CSeq (and Timestamp for 100). If `toTag` is given and the To header has
    /// no tag yet, the tag is added — whether to add one is the caller's choice.
    public init(replyingTo request: SIPRequest, status: Int, reason: String? = nil, toTag: String? = nil) {
        self.init(replyingToHeaders: request.headers, status: status, reason: reason, toTag: toTag)
    }

    init(replyingToHeaders source: SIPHeaders, status: Int, reason: String?, toTag: String?) {
        var headers = SIPHeaders()
        var copied: Set<HeaderName> = []
        for f in source.fields {
            switch f.key {
            case .via:
                headers.fields.append(f)
            case .from, .callID, .cseq:
                // Single-valued: copy the first occurrence only.
                if copied.insert(f.key).inserted { headers.fields.append(f) }
            case .to:
                guard copied.insert(f.key).inserted else { continue }
                var value = f.value
                if let toTag, let to = try? NameAddress(parsing: value, header: "to"), to.tag == nil {
                    value += ";tag=" + toTag
                }
                headers.fields.append(SIPHeader(name: f.name, value: value, key: f.key))
            case HeaderName(normalizedKey: "timestamp") where status == 100:
                headers.fields.append(f)
            default:
                continue
            }
        }
        self.init(statusCode: status, reasonPhrase: reason, headers: headers)
    }

    /// Whether this is a provisional (1xx) response.
    public var isProvisional: Bool { statusCode < 200 }

    /// `SIP/2.0 code reason`
    public var statusLine: String { SIPCodec.version + " " + String(statusCode) + " " + reasonPhrase }

    /// Canonical wire form (CRLF line ends, Content-Length from the body).
    public var bytes: [UInt8] { SIPSerializer.serialize(startLine: statusLine, headers: headers, body: body) }

    /// The RFC 3261 §21 reason phrase for a code (empty for unknown codes).
    public static func defaultReason(for code: Int) -> String {
        switch code {
        case 100: "Trying"
        case 180: "Ringing"
        case 181: "Call Is Being Forwarded"
        case 182: "Queued"
        case 183: "Session Progress"
        case 200: "OK"
        case 202: "Accepted"
        case 300: "Multiple Choices"
        case 301: "Moved Permanently"
        case 302: "Moved Temporarily"
        case 305: "Use Proxy"
        case 380: "Alternative Service"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 407: "Proxy Authentication Required"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 413: "Request Entity Too Large"
        case 414: "Request-URI Too Long"
        case 415: "Unsupported Media Type"
        case 416: "Unsupported URI Scheme"
        case 420: "Bad Extension"
        case 421: "Extension Required"
        case 423: "Interval Too Brief"
        case 480: "Temporarily Unavailable"
        case 481: "Call/Transaction Does Not Exist"
        case 482: "Loop Detected"
        case 483: "Too Many Hops"
        case 484: "Address Incomplete"
        case 485: "Ambiguous"
        case 486: "Busy Here"
        case 487: "Request Terminated"
        case 488: "Not Acceptable Here"
        case 491: "Request Pending"
        case 493: "Undecipherable"
        case 500: "Server Internal Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Server Time-out"
        case 505: "Version Not Supported"
        case 513: "Message Too Large"
        case 600: "Busy Everywhere"
        case 603: "Decline"
        case 604: "Does Not Exist Anywhere"
        case 606: "Not Acceptable"
        default: ""
        }
    }
}
