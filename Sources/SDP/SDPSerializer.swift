extension SessionDescription {
    /// The description as SDP text: CRLF line ends, lines in RFC 4566 order
    /// (v o s i u e p c b t r z k a, then each m with i c b k a). An empty timing list
    /// is written as `t=0 0`, since `t=` is required.
    public var text: String {
        var out = ""
        func line(_ type: Character, _ value: String) {
            out.append(type)
            out.append("=")
            out.append(value)
            out.append("\r\n")
        }
        line("v", String(version))
        line("o", "\(origin.username) \(origin.sessionID) \(origin.sessionVersion) \(origin.networkType) \(origin.addressType) \(origin.address)")
        line("s", sessionName)
        if let information { line("i", information) }
        if let uri { line("u", uri) }
        for email in emails { line("e", email) }
        for phone in phones { line("p", phone) }
        if let connection { line("c", connection.text) }
        for bandwidth in bandwidths { line("b", bandwidth.text) }
        if timing.isEmpty { line("t", "0 0") }
        for t in timing {
            line("t", "\(t.start) \(t.stop)")
            for r in t.repeats { line("r", r) }
        }
        if let timeZones { line("z", timeZones) }
        if let encryptionKey { line("k", encryptionKey) }
        for attribute in attributes { line("a", attribute.text) }
        for m in media {
            var mline = "\(m.type) \(m.port)"
            if let count = m.portCount { mline += "/\(count)" }
            mline += " \(m.proto)"
            for format in m.formats { mline += " \(format)" }
            line("m", mline)
            if let information = m.information { line("i", information) }
            if let connection = m.connection { line("c", connection.text) }
            for bandwidth in m.bandwidths { line("b", bandwidth.text) }
            if let key = m.encryptionKey { line("k", key) }
            for attribute in m.attributes { line("a", attribute.text) }
        }
        return out
    }
}

extension Connection {
    /// The text after `c=`.
    public var text: String {
        var address = self.address
        if let ttl { address += "/\(ttl)" }
        if let addressCount { address += "/\(addressCount)" }
        return "\(networkType) \(addressType) \(address)"
    }
}

extension Bandwidth {
    /// The text after `b=`.
    public var text: String { "\(type):\(value)" }
}
