/// A media type as in Content-Type and Accept: `type/subtype;param=value`.
public struct MediaType: Sendable, Hashable, CustomStringConvertible {
    /// The top-level type, e.g. `application`.
    public var type: String
    /// The subtype, e.g. `sdp`.
    public var subtype: String
    /// Parameters such as `boundary` or `charset`.
    public var parameters: SIPParameters

    /// Creates a media type.
    public init(type: String, subtype: String, parameters: SIPParameters = SIPParameters()) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// `application/sdp`.
    public static let sdp = MediaType(type: "application", subtype: "sdp")

    /// Whether type and subtype match case-insensitively (parameters ignored).
    public func matches(_ other: MediaType) -> Bool {
        type.asciiCaseInsensitiveEquals(other.type) && subtype.asciiCaseInsensitiveEquals(other.subtype)
    }

    public var description: String { type + "/" + subtype + parameters.serialized }

    /// Parses `type/subtype *(;param)`.
    public init(parsing text: String) throws(SIPParseError) {
        self = try text.withBytes { (buf) throws(SIPParseError) in
            var s = ByteScanner(buf)
            s.skipLWS()
            let t = s.readToken()
            s.skipLWS()
            guard !t.isEmpty, s.consume(UInt8(ascii: "/")) else {
                throw SIPParseError(.malformedHeader, "malformed media type", header: "content-type")
            }
            s.skipLWS()
            let st = s.readToken()
            guard !st.isEmpty else { throw SIPParseError(.malformedHeader, "missing media subtype", header: "content-type") }
            let params = try s.readParameters(context: "content-type")
            return MediaType(type: s.string(t), subtype: s.string(st), parameters: params)
        }
    }
}
