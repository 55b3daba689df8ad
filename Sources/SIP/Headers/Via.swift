/// One Via header value (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=…;rport;received=…`.
public struct Via: Sendable, Hashable, CustomStringConvertible {
    /// Protocol name, normally `SIP`.
    public var protocolName: String
    /// Protocol version, normally `2.0`.
    public var protocolVersion: String
    /// Transport as written (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, or an extension).
    public var transport: String
    /// The sent-by host (IPv6 references keep their brackets).
    public var host: String
    /// The sent-by port, if given.
    public var port: UInt16?
    /// The via-params in order.
    public var parameters: SIPParameters

    /// Creates a Via value.
    public init(transport: String, host: String, port: UInt16? = nil, branch: String? = nil,
                protocolName: String = "SIP", protocolVersion: String = "2.0", parameters: SIPParameters = SIPParameters()) {
        self.protocolName = protocolName
        self.protocolVersion = protocolVersion
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
        if let branch { self.parameters.set("branch", branch) }
    }

    /// The `branch` parameter (the transaction id when it starts with `z9hG4bK`).
    public var branch: String? { parameters.value("branch") }
    /// Whether the branch carries the RFC 3261 magic cookie.
    public var hasMagicCookie: Bool { branch?.hasPrefix("z9hG4bK") ?? false }
    /// The `received` parameter.
    public var received: String? { parameters.value("received") }
    /// Whether an `rport` parameter is present (with or without value, RFC 3581).
    public var hasRport: Bool { parameters.contains("rport") }
    /// The `rport` value, when it has one.
    public var rport: UInt16? { parameters.value("rport").flatMap { parseDecimal($0, limit: 65535) }.map { UInt16($0) } }
    /// The `maddr` parameter.
    public var maddr: String? { parameters.value("maddr") }
    /// The `ttl` parameter (0–255).
    public var ttl: UInt8? { parameters.value("ttl").flatMap { parseDecimal($0, limit: 255) }.map { UInt8($0) } }

    /// `SIP/2.0/UDP host:port;params`
    public var description: String {
        var out = protocolName + "/" + protocolVersion + "/" + transport + " " + host
        if let port { out += ":" + String(port) }
        return out + parameters.serialized
    }

    /// Parses one Via value (not a comma list).
    public init(parsing text: String) throws(SIPParseError) {
        self = try text.withBytes { (buf) throws(SIPParseError) in
            var s = ByteScanner(buf)
            let via = try Via.parse(&s)
            guard s.atEnd else { throw SIPParseError(.malformedHeader, "unexpected text after Via value", header: "via") }
            return via
        }
    }

    /// Parses a whole Via field value, which may hold several comma-separated values.
    public static func parseList(_ text: String) throws(SIPParseError) -> [Via] {
        try parseList(text, build: true)
    }

    static func parseList(_ text: String, build: Bool) throws(SIPParseError) -> [Via] {
        try text.withBytes { (buf) throws(SIPParseError) in
            var out: [Via] = []
            var s = ByteScanner(buf, build: build)
            while true {
                s.skipLWS()
                guard let b = s.peek, b != UInt8(ascii: ",") else {
                    throw SIPParseError(.malformedHeader, "empty Via value", header: "via")
                }
                let via = try Via.parse(&s)
                if build { out.append(via) }
                s.skipLWS()
                if s.atEnd { return out }
                guard s.consume(UInt8(ascii: ",")) else {
                    throw SIPParseError(.malformedHeader, "unexpected text after Via value", header: "via")
                }
            }
        }
    }

    static func parse(_ s: inout ByteScanner) throws(SIPParseError) -> Via {
        func fail(_ why: String) -> SIPParseError { SIPParseError(.malformedHeader, why, header: "via") }
        s.skipLWS()
        let name = s.readToken()
        s.skipLWS()
        guard !name.isEmpty, s.consume(UInt8(ascii: "/")) else { throw fail("malformed sent-protocol") }
        s.skipLWS()
        let version = s.readToken()
        s.skipLWS()
        guard !version.isEmpty, s.consume(UInt8(ascii: "/")) else { throw fail("malformed sent-protocol") }
        s.skipLWS()
        let transport = s.readToken()
        guard !transport.isEmpty else { throw fail("missing transport") }
        let beforeHost = s.i
        s.skipLWS()
        guard s.i > beforeHost else { throw fail("missing whitespace before sent-by") }
        // sent-by host
        let hostStart = s.i
        if s.consume(UInt8(ascii: "[")) {
            while let b = s.peek, ByteClass.isHex(b) || b == UInt8(ascii: ":") || b == UInt8(ascii: ".") { s.i += 1 }
            guard s.consume(UInt8(ascii: "]")), s.i > hostStart + 2 else { throw fail("invalid IPv6 sent-by") }
        } else {
            while let b = s.peek, ByteClass.isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "_") { s.i += 1 }
            guard s.i > hostStart else { throw fail("missing sent-by host") }
        }
        let hostRange = hostStart..<s.i
        var port: UInt16? = nil
        let afterHost = s.i
        s.skipLWS()
        if s.consume(UInt8(ascii: ":")) {
            s.skipLWS()
            let ps = s.i
            while let b = s.peek, ByteClass.isDigit(b) { s.i += 1 }
            guard let p = parseDecimal(UnsafeBufferPointer(rebasing: s.buf[ps..<s.i]), limit: 65535) else {
                throw fail("invalid sent-by port")
            }
            port = UInt16(p)
        } else {
            s.i = afterHost
        }
        var params: [SIPParameter] = []
        let buf = s.buf, build = s.build
        let checker = s
        try s.scanParameters(context: "via", stopAt: UInt8(ascii: ",")) { (name, value, quoted) throws(SIPParseError) in
            if checker.equalsLowercase(name, "branch") {
                guard let value, !value.isEmpty, !(value.count == 2 && buf[value.lowerBound] == UInt8(ascii: "\"")) else {
                    throw fail("branch without a value")
                }
            } else if checker.equalsLowercase(name, "ttl") {
                guard let value, parseDecimal(UnsafeBufferPointer(rebasing: buf[value]), limit: 255) != nil else {
                    throw fail("ttl must be 0–255")
                }
            } else if checker.equalsLowercase(name, "rport"), let value {
                guard parseDecimal(UnsafeBufferPointer(rebasing: buf[value]), limit: 65535) != nil else {
                    throw fail("invalid rport")
                }
            }
            if build {
                if let quoted {
                    params.append(SIPParameter(name: String(buf, name), value: quoted, isQuoted: true))
                } else {
                    params.append(SIPParameter(name: String(buf, name), value: value.map { String(buf, $0) }))
                }
            }
        }
        guard build else {
            return Via(transport: "", host: "", protocolName: "", protocolVersion: "")
        }
        let via = Via(transport: s.string(transport), host: s.string(hostRange), port: port,
                      protocolName: s.string(name), protocolVersion: s.string(version), parameters: SIPParameters(params))
        return via
    }
}
