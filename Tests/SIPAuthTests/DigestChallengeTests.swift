import Testing
@testable import SIPAuth

@Suite("Digest challenge parsing")
struct DigestChallengeTests {
    /// RFC 2617 section 3.5, the WWW-Authenticate header value.
    static let rfc2617Challenge = """
        Digest
                realm="testrealm@host.com",
                qop="auth,auth-int",
                nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
                opaque="5ccc069c403ebaf9f0171e9517f40e41"
        """

    @Test("The RFC 2617 example challenge, folded over lines")
    func rfc2617() throws {
        let c = try DigestChallenge(parsing: Self.rfc2617Challenge)
        #expect(c.realm == "testrealm@host.com")
        #expect(c.nonce == "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        #expect(c.opaque == "5ccc069c403ebaf9f0171e9517f40e41")
        #expect(c.qop == ["auth", "auth-int"])
        #expect(c.algorithm == .md5)
        #expect(c.stale == false)
        #expect(c.domain == nil)
        #expect(try c.preferredQoP.get() == .auth)
    }

    @Test("A typical SIP challenge with every parameter")
    func sipChallenge() throws {
        let c = try DigestChallenge(parsing:
            #"digest realm="atlanta.example.com", domain="sip:ss1.example.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=md5"#)
        #expect(c.realm == "atlanta.example.com")
        #expect(c.domain == "sip:ss1.example.com")
        #expect(c.qop == ["auth"])
        #expect(c.opaque == "")
        #expect(c.stale == false)
        #expect(c.algorithm == .md5)
    }

    @Test("stale is case-insensitive", arguments: ["true", "TRUE", "True", "\"true\""])
    func staleTrue(value: String) throws {
        let c = try DigestChallenge(parsing: "Digest realm=\"r\", nonce=\"n\", stale=\(value)")
        #expect(c.stale)
    }

    @Test("Algorithms: MD5, MD5-sess, SHA-256, SHA-256-sess, unknown kept")
    func algorithms() throws {
        #expect(try DigestChallenge(parsing: #"Digest realm="r",nonce="n",algorithm=MD5-sess"#).algorithm == .md5Sess)
        let sha = try DigestChallenge(parsing: #"Digest realm="r",nonce="n",algorithm=SHA-256"#)
        #expect(sha.algorithm == .sha256 && sha.algorithm.isSupported)
        #expect(try DigestChallenge(parsing: #"Digest realm="r",nonce="n",algorithm=sha-256-SESS"#).algorithm == .sha256Sess)
        let other = try DigestChallenge(parsing: #"Digest realm="r",nonce="n",algorithm=SHA-512-256"#)
        #expect(other.algorithm == .other("SHA-512-256"))
        #expect(!other.algorithm.isSupported)
        #expect(DigestAlgorithm.sha256.strength > DigestAlgorithm.md5.strength)
        #expect(DigestAlgorithm.sha256Sess.name == "SHA-256-sess")
    }

    @Test("Extra whitespace, empty list elements, unknown parameters and unquoted qop")
    func tolerant() throws {
        let c = try DigestChallenge(parsing:
            "  DIGEST   realm = \"r\" ,,  nonce=abc123 ,\tfoo=\"bar baz\", qop=auth , charset=UTF-8 ,")
        #expect(c.realm == "r")
        #expect(c.nonce == "abc123")
        #expect(c.qop == ["auth"])
        #expect(c.extensions == ["foo": "bar baz", "charset": "UTF-8"])
    }

    @Test("Backslash escapes in quoted strings")
    func escapes() throws {
        let c = try DigestChallenge(parsing: #"Digest realm="a \"quoted\" realm\\x", nonce="n\,1""#)
        #expect(c.realm == #"a "quoted" realm\x"#)
        #expect(c.nonce == "n,1")
    }

    @Test("qop list with spaces")
    func qopSpaces() throws {
        let c = try DigestChallenge(parsing: #"Digest realm="r", nonce="n", qop=" auth-int , auth ""#)
        #expect(c.qop == ["auth-int", "auth"])
        #expect(try c.preferredQoP.get() == .auth)
        let intOnly = try DigestChallenge(parsing: #"Digest realm="r", nonce="n", qop="auth-int""#)
        #expect(try intOnly.preferredQoP.get() == .authInt)
        let none = try DigestChallenge(parsing: #"Digest realm="r", nonce="n""#)
        #expect(try none.preferredQoP.get() == nil)
        let odd = try DigestChallenge(parsing: #"Digest realm="r", nonce="n", qop="auth-conf""#)
        #expect(throws: DigestParseError.self) { try odd.preferredQoP.get() }
    }

    @Test("Malformed values throw readable errors", arguments: [
        ("", "empty"),
        ("   ", "empty"),
        ("Basic realm=\"r\"", "not Digest"),
        ("Digest nonce=\"n\"", "realm"),
        ("Digest realm=\"r\"", "nonce"),
        ("Digest realm=\"r, nonce=\"n\"", "expected \",\" after parameter \"realm\""),
        ("Digest realm=\"unterminated", "unterminated"),
        ("Digest realm", "no \"=\""),
        ("Digest realm=", "empty value"),
        ("Digest realm=\"r\" nonce=\"n\"", "expected \",\""),
        ("Digest =\"r\"", "parameter name"),
        ("Digest realm=\"a\", realm=\"b\", nonce=\"n\"", "twice"),
        ("Digest\u{0}realm=\"r\"", "space after the scheme"),
        ("Digest realm=\"r\", nonce=\"n\\", "unterminated"),
    ])
    func malformed(input: String, fragment: String) {
        do {
            _ = try DigestChallenge(parsing: input)
            Issue.record("parsed \(input.debugDescription)")
        } catch {
            #expect(error.reason.contains(fragment), "\(error.reason)")
            #expect(error.description.hasPrefix("malformed digest header"))
        }
    }

    @Test("Serialised challenge parses back to itself")
    func roundTrip() throws {
        let c = DigestChallenge(realm: #"r "x""#, nonce: "n1", opaque: "o", stale: true, algorithm: .md5,
                                qop: ["auth", "auth-int"], domain: "sip:a sip:b", extensions: ["x-y": "z"])
        #expect(try DigestChallenge(parsing: c.headerValue) == c)
    }
}
