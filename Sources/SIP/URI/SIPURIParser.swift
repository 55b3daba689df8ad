extension SIPURI {
    /// Parses the URI occupying `range` of `buf` (no surrounding whitespace allowed).
    /// With `build` false the URI is only validated and an empty value is returned.
    static func parse(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, build: Bool = true) throws(SIPParseError) -> SIPURI {
        @inline(__always) func str(_ r: Range<Int>) -> String { build ? String(buf, r) : "" }
        func fail(_ why: String) -> SIPParseError {
            SIPParseError(.invalidURI, why + ": '" + String(buf, range) + "'")
        }
        var i = range.lowerBound
        let end = range.upperBound
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        guard i < end, ByteClass.isAlpha(buf[i]) else { throw fail("URI must start with a scheme") }
        while i < end, ByteClass.isAlnum(buf[i]) || buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-")
            || buf[i] == UInt8(ascii: ".") { i += 1 }
        guard i < end, buf[i] == UInt8(ascii: ":") else { throw fail("URI scheme is not followed by ':'") }
        let schemeRange = range.lowerBound..<i
        i += 1
        guard i < end else { throw fail("empty URI after the scheme") }
        for j in i..<end where !ByteClass.isURIChar(buf[j]) {
            throw fail("character not allowed in a URI")
        }
        let s0 = schemeRange.lowerBound
        let isSIP = (schemeRange.count == 3 || schemeRange.count == 4)
            && ByteClass.lower(buf[s0]) == UInt8(ascii: "s") && ByteClass.lower(buf[s0 + 1]) == UInt8(ascii: "i")
            && ByteClass.lower(buf[s0 + 2]) == UInt8(ascii: "p")
            && (schemeRange.count == 3 || ByteClass.lower(buf[s0 + 3]) == UInt8(ascii: "s"))
        guard isSIP else {
            return build ? SIPURI(scheme: String(buf, schemeRange), opaque: String(buf, i..<end)) : SIPURI(scheme: "", opaque: "")
        }

        var uri = SIPURI(lowercasedScheme: schemeRange.count == 3 ? "sip" : "sips")
        // userinfo: everything before the first '@' (neither parameters nor headers may hold a raw '@').
        var at: Int? = nil
        for j in i..<end where buf[j] == UInt8(ascii: "@") { at = j; break }
        if let at {
            var colon: Int? = nil
            for j in i..<at where buf[j] == UInt8(ascii: ":") { colon = j; break }
            let userEnd = colon ?? at
            guard userEnd > i else { throw fail("empty user part") }
            if build {
                uri.user = String(buf, i..<userEnd)
                if let colon { uri.password = String(buf, (colon + 1)..<at) }
            }
            i = at + 1
        }
        // host
        let hostStart = i
        if i < end, buf[i] == UInt8(ascii: "[") {
            i += 1
            while i < end, buf[i] != UInt8(ascii: "]") {
                guard ByteClass.isHex(buf[i]) || buf[i] == UInt8(ascii: ":") || buf[i] == UInt8(ascii: ".")
                else { throw fail("invalid IPv6 reference") }
                i += 1
            }
            guard i < end, i > hostStart + 1 else { throw fail("unterminated IPv6 reference") }
            i += 1
        } else {
            while i < end, ByteClass.isAlnum(buf[i]) || buf[i] == UInt8(ascii: "-") || buf[i] == UInt8(ascii: ".")
                || buf[i] == UInt8(ascii: "_") { i += 1 }
            guard i > hostStart else { throw fail("missing host") }
        }
        uri.host = str(hostStart..<i)
        // port
        if i < end, buf[i] == UInt8(ascii: ":") {
            i += 1
            let portStart = i
            while i < end, ByteClass.isDigit(buf[i]) { i += 1 }
            guard let port = parseDecimal(UnsafeBufferPointer(rebasing: buf[portStart..<i]), limit: 65535) else {
                throw fail("invalid port")
            }
            uri.port = UInt16(port)
        }
        // uri-parameters
        var params: [SIPParameter] = []
        while i < end, buf[i] == UInt8(ascii: ";") {
            i += 1
            let nameStart = i
            while i < end, buf[i] != UInt8(ascii: ";"), buf[i] != UInt8(ascii: "?"), buf[i] != UInt8(ascii: "=") { i += 1 }
            guard i > nameStart else { throw fail("empty URI parameter") }
            let nameEnd = i
            var valueRange: Range<Int>? = nil
            if i < end, buf[i] == UInt8(ascii: "=") {
                i += 1
                let valueStart = i
                while i < end, buf[i] != UInt8(ascii: ";"), buf[i] != UInt8(ascii: "?") { i += 1 }
                valueRange = valueStart..<i
            }
            if build { params.append(SIPParameter(name: String(buf, nameStart..<nameEnd), value: valueRange.map { String(buf, $0) })) }
        }
        if build { uri.parameters = SIPParameters(params) }
        // headers
        if i < end, buf[i] == UInt8(ascii: "?") {
            i += 1
            while i <= end {
                let start = i
                while i < end, buf[i] != UInt8(ascii: "&") { i += 1 }
                var eq: Int? = nil
                for j in start..<i where buf[j] == UInt8(ascii: "=") { eq = j; break }
                guard let eq, eq > start else { throw fail("malformed URI header") }
                if build { uri.headers.append(Header(name: String(buf, start..<eq), value: String(buf, (eq + 1)..<i))) }
                i += 1
            }
            i = end
        }
        guard i == end else { throw fail("unexpected character in URI") }
        return uri
    }
}
