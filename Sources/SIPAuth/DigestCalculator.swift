/// The digest arithmetic of RFC 2617 section 3.2.2 and RFC 7616 section 3.4 (MD5, MD5-sess,
/// SHA-256, SHA-256-sess: `H` is the algorithm's hash).
public enum DigestCalculator {
    /// H(A1): `H(username:realm:password)`; for the `-sess` variants
    /// `H(H(username:realm:password):nonce:cnonce)`.
    public static func ha1(username: String, realm: String, password: String,
                           algorithm: DigestAlgorithm = .md5, nonce: String = "", cnonce: String = "") -> String {
        let base = algorithm.hex("\(username):\(realm):\(password)")
        return algorithm.isSession ? algorithm.hex("\(base):\(nonce):\(cnonce)") : base
    }

    /// H(A2): `H(method:uri)`, or `H(method:uri:H(body))` for `auth-int`.
    public static func ha2(method: String, uri: String, qop: DigestQoP? = nil, body: [UInt8] = [],
                           algorithm: DigestAlgorithm = .md5) -> String {
        if qop == .authInt {
            return algorithm.hex("\(method):\(uri):\(algorithm.hex(bytes: body))")
        }
        return algorithm.hex("\(method):\(uri)")
    }

    /// The `response` value: `H(HA1:nonce:nc:cnonce:qop:HA2)` with qop,
    /// `H(HA1:nonce:HA2)` without (RFC 2069 compatibility).
    public static func response(ha1: String, nonce: String, qop: DigestQoP?, nc: String, cnonce: String,
                                ha2: String, algorithm: DigestAlgorithm = .md5) -> String {
        if let qop {
            return algorithm.hex("\(ha1):\(nonce):\(nc):\(cnonce):\(qop.rawValue):\(ha2)")
        }
        return algorithm.hex("\(ha1):\(nonce):\(ha2)")
    }

    /// The whole `response` computation in one call.
    public static func response(username: String, password: String, realm: String, nonce: String,
                                method: String, uri: String, algorithm: DigestAlgorithm = .md5,
                                qop: DigestQoP? = nil, nc: UInt32 = 1, cnonce: String = "",
                                body: [UInt8] = []) -> String {
        let h1 = ha1(username: username, realm: realm, password: password, algorithm: algorithm,
                     nonce: nonce, cnonce: cnonce)
        let h2 = ha2(method: method, uri: uri, qop: qop, body: body, algorithm: algorithm)
        return response(ha1: h1, nonce: nonce, qop: qop, nc: nonceCount(nc), cnonce: cnonce, ha2: h2,
                        algorithm: algorithm)
    }

    /// `nc` as 8 lowercase hex digits, e.g. `00000001`.
    public static func nonceCount(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
