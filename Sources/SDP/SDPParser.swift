extension SessionDescription {
    /// Parses SDP text (RFC 4566 section 5). Accepts CRLF or bare LF line ends and ignores
    /// blank lines and unknown type letters; anything malformed throws an `SDPParseError`.
    public init(parsing text: String) throws(SDPParseError) {
        var parser = SDPParser()
        self = try parser.parse(text)
    }
}

/// A line-by-line SDP reader.
struct SDPParser {
    private var lineNumber = 0

    mutating func parse(_ text: String) throws(SDPParseError) -> SessionDescription {
        var version: Int?
        var origin: Origin?
        var sessionName: String?
        var session = SessionDescription(origin: Origin(sessionID: 0, sessionVersion: 0, address: "0.0.0.0"),
                                         timing: [])
        var currentMedia: MediaDescription?
        var media: [MediaDescription] = []

        // Split on scalars: in Swift "\r\n" is one Character and would not split on "\n".
        for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var scalars = rawLine
            if scalars.last == "\r" { scalars = scalars.dropLast() }
            if scalars.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard scalars.count >= 2, let type = scalars.first,
                  scalars[scalars.index(after: scalars.startIndex)] == "=" else {
                let shown = String(String.UnicodeScalarView(scalars.prefix(40)))
                throw fail("expected <type>=<value>, got \"\(shown)\"")
            }
            guard ("a"..."z").contains(type) else {
                throw fail("type \"\(type)\" is not a lowercase letter")
            }
            let value = String(String.UnicodeScalarView(scalars.dropFirst(2)))

            if version == nil {
                guard type == "v" else { throw fail("the first line must be v=, found \(type)=") }
                guard value == "0" else { throw fail("unsupported protocol version \"\(value)\"") }
                version = 0
                continue
            }

            if currentMedia != nil {
                switch type {
                case "m":
                    if let done = currentMedia { media.append(done) }
                    currentMedia = try parseMedia(value)
                case "i": currentMedia?.information = value
                case "c": currentMedia?.connection = try parseConnection(value)
                case "b": currentMedia?.bandwidths.append(try parseBandwidth(value))
                case "k": currentMedia?.encryptionKey = value
                case "a": currentMedia?.attributes.append(try parseAttribute(value))
                case "v", "o", "s", "u", "e", "p", "t", "r", "z":
                    throw fail("\(type)= is not allowed inside a media section")
                default: continue  // unknown type letters are ignored
                }
                continue
            }

            switch type {
            case "v": throw fail("a second v= line")
            case "o":
                guard origin == nil else { throw fail("a second o= line") }
                origin = try parseOrigin(value)
            case "s":
                guard sessionName == nil else { throw fail("a second s= line") }
                sessionName = value
            case "i": session.information = value
            case "u": session.uri = value
            case "e": session.emails.append(value)
            case "p": session.phones.append(value)
            case "c": session.connection = try parseConnection(value)
            case "b": session.bandwidths.append(try parseBandwidth(value))
            case "t": session.timing.append(try parseTiming(value))
            case "r":
                guard !session.timing.isEmpty else { throw fail("r= before any t= line") }
                session.timing[session.timing.count - 1].repeats.append(value)
            case "z": session.timeZones = value
            case "k": session.encryptionKey = value
            case "a": session.attributes.append(try parseAttribute(value))
            case "m":
                guard origin != nil else { throw fail("m= before the o= line") }
                guard sessionName != nil else { throw fail("m= before the s= line") }
                currentMedia = try parseMedia(value)
            default: continue
            }
        }
        if let done = currentMedia { media.append(done) }

        guard version != nil else { throw SDPParseError(line: nil, "empty description (no v= line)") }
        guard let origin else { throw SDPParseError(line: nil, "missing the o= line") }
        guard let sessionName else { throw SDPParseError(line: nil, "missing the s= line") }
        session.origin = origin
        session.sessionName = sessionName
        session.media = media
        return session
    }

    private func fail(_ reason: String) -> SDPParseError {
        SDPParseError(line: lineNumber, reason)
    }

    private func fields(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    private func number<T: FixedWidthInteger>(_ text: some StringProtocol, _ what: String) throws(SDPParseError) -> T {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = T(text, radix: 10) else { throw fail("\(what) \"\(text)\" is not a valid number") }
        return n
    }

    private func parseOrigin(_ value: String) throws(SDPParseError) -> Origin {
        let f = fields(value)
        guard f.count == 6 else { throw fail("o= needs 6 fields, found \(f.count)") }
        return Origin(username: f[0], sessionID: try number(f[1], "o= session id"),
                      sessionVersion: try number(f[2], "o= session version"),
                      networkType: f[3], addressType: f[4], address: f[5])
    }

    private func parseConnection(_ value: String) throws(SDPParseError) -> Connection {
        let f = fields(value)
        guard f.count == 3 else { throw fail("c= needs 3 fields, found \(f.count)") }
        let parts = f[2].split(separator: "/", omittingEmptySubsequences: false)
        guard let address = parts.first, !address.isEmpty, parts.count <= 3 else {
            throw fail("c= address \"\(f[2])\" is malformed")
        }
        var ttl: Int?
        var count: Int?
        if f[1].uppercased() == "IP6" {
            guard parts.count <= 2 else { throw fail("c= IP6 address \"\(f[2])\" has too many parts") }
            if parts.count == 2 { count = try number(parts[1], "c= address count") }
        } else {
            if parts.count >= 2 { ttl = try number(parts[1], "c= TTL") }
            if parts.count == 3 { count = try number(parts[2], "c= address count") }
        }
        return Connection(networkType: f[0], addressType: f[1], address: String(address), ttl: ttl, addressCount: count)
    }

    private func parseBandwidth(_ value: String) throws(SDPParseError) -> Bandwidth {
        guard let colon = value.firstIndex(of: ":"), colon != value.startIndex else {
            throw fail("b= must be <type>:<bandwidth>")
        }
        return Bandwidth(type: String(value[..<colon]),
                         value: try number(value[value.index(after: colon)...], "b= bandwidth"))
    }

    private func parseTiming(_ value: String) throws(SDPParseError) -> Timing {
        let f = fields(value)
        guard f.count == 2 else { throw fail("t= needs 2 fields, found \(f.count)") }
        return Timing(start: try number(f[0], "t= start time"), stop: try number(f[1], "t= stop time"))
    }

    private func parseMedia(_ value: String) throws(SDPParseError) -> MediaDescription {
        let f = fields(value)
        guard f.count >= 3 else { throw fail("m= needs <media> <port> <proto> <fmt>..., found \(f.count) fields") }
        let portParts = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2 else { throw fail("m= port \"\(f[1])\" is malformed") }
        let port: UInt16 = try number(portParts[0], "m= port")
        var count: Int?
        if portParts.count == 2 { count = try number(portParts[1], "m= port count") }
        return MediaDescription(type: f[0], port: port, portCount: count, proto: f[2], formats: Array(f.dropFirst(3)))
    }

    private func parseAttribute(_ value: String) throws(SDPParseError) -> Attribute {
        guard !value.isEmpty else { throw fail("empty a= line") }
        let name: String
        let rest: String?
        if let colon = value.firstIndex(of: ":") {
            name = String(value[..<colon])
            rest = String(value[value.index(after: colon)...])
        } else {
            name = value
            rest = nil
        }
        guard !name.isEmpty else { throw fail("a= attribute has no name") }
        switch (name, rest) {
        case ("rtpmap", let rest?):
            return .rtpmap(try parseRTPMap(rest))
        case ("rtpmap", nil):
            throw fail("a=rtpmap without a value")
        case ("fmtp", let rest?):
            let trimmed = rest.drop { $0 == " " }
            guard let space = trimmed.firstIndex(of: " ") else {
                guard !trimmed.isEmpty else { throw fail("a=fmtp without a format") }
                return .fmtp(format: String(trimmed), parameters: "")
            }
            return .fmtp(format: String(trimmed[..<space]),
                         parameters: String(trimmed[trimmed.index(after: space)...].drop { $0 == " " }))
        case ("ptime", let rest?):
            if let ms = Int(rest.trimmingCharacters(in: " ")), ms >= 0 { return .ptime(ms) }
            return .other(name: name, value: rest)
        case ("crypto", let rest?):
            // RFC 4568: a line we cannot read is one we do not use; the description stays valid.
            if let crypto = CryptoAttribute(parsing: rest) { return .crypto(crypto) }
            return .other(name: name, value: rest)
        case (_, nil):
            if let direction = MediaDirection(rawValue: name) { return .direction(direction) }
            return .other(name: name, value: nil)
        case (_, let rest?):
            return .other(name: name, value: rest)
        }
    }

    private func parseRTPMap(_ value: String) throws(SDPParseError) -> RTPMap {
        let f = fields(value)
        guard f.count == 2 else { throw fail("a=rtpmap needs <payload type> <encoding>/<clock rate>") }
        let pt: UInt8 = try number(f[0], "a=rtpmap payload type")
        guard pt <= 127 else { throw fail("a=rtpmap payload type \(pt) is above 127") }
        let parts = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else {
            throw fail("a=rtpmap encoding \"\(f[1])\" is not <name>/<rate>[/<channels>]")
        }
        let rate: UInt32 = try number(parts[1], "a=rtpmap clock rate")
        var channels: Int?
        if parts.count == 3 { channels = try number(parts[2], "a=rtpmap channel count") }
        return RTPMap(payloadType: pt, encodingName: String(parts[0]), clockRate: rate, channels: channels)
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = self[...]
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
