/// The digest arithmetic of RFC 2617 section 3.2.2 (MD5 and MD5-sess).
public enum DigestCalculator {
    /// H(A1): `MD5(username:realm:password)`; for MD5-sess
    /// `MD5(MD5(username:realm:password):nonce:cnonce)`.
    public static func ha1(username: String, realm: String, password: String,
                           algorithm: DigestAlgorithm = .md5, nonce: String = "", cnonce: String = "") -> String {
        let base = MD5.hex("\(username):\(realm):\(password)")
        switch algorithm {
        case .md5Sess: return MD5.hex("\(base):\(nonce):\(cnonce)")
        case .md5, .other: return base
        }
    }

    /// H(A2): `MD5(method:uri)`, or `MD5(method:uri:MD5(body))` for `auth-int`.
    public static func ha2(method: String, uri: String, qop: DigestQoP? = nil, body: [UInt8] = []) -> String {
        if qop == .authInt {
            return MD5.hex("\(method):\(uri):\(MD5.hex(bytes: body))")
        }
        return MD5.hex("\(method):\(uri)")
    }

    /// The `response` value: `MD5(HA1:nonce:nc:cnonce:qop:HA2)` with qop,
    /// `MD5(HA1:nonce:HA2)` without (RFC 2069 compatibility).
    public static func response(ha1: String, nonce: String, qop: DigestQoP?, nc: String, cnonce: String,
                                ha2: String) -> String {
        if let qop {
            return MD5.hex("\(ha1):\(nonce):\(nc):\(cnonce):\(qop.rawValue):\(ha2)")
        }
        return MD5.hex("\(ha1):\(nonce):\(ha2)")
    }

    /// The whole `response` computation in one call.
    public static func response(username: String, password: String, realm: String, nonce: String,
                                method: String, uri: String, algorithm: DigestAlgorithm = .md5,
                                qop: DigestQoP? = nil, nc: UInt32 = 1, cnonce: String = "",
                                body: [UInt8] = []) -> String {
        let h1 = ha1(username: username, realm: realm, password: password, algorithm: algorithm,
                     nonce: nonce, cnonce: cnonce)
        let h2 = ha2(method: method, uri: uri, qop: qop, body: body)
        return response(ha1: h1, nonce: nonce, qop: qop, nc: nonceCount(nc), cnonce: cnonce, ha2: h2)
    }

    /// `nc` as 8 lowercase hex digits, e.g. `00000001`.
    public static func nonceCount(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
