import Testing
@testable import SIPAuth

@Suite("Digest authenticator (client)")
struct DigestAuthenticatorTests {
    static let mufasa = DigestCredentials(username: "Mufasa", password: "Circle Of Life")
    static let alice = DigestCredentials(username: "alice", password: "secret")
    static let nonce = "84a4cc6f3082121f32b42a2187831a9e"

    /// Parses a credentials header into its parameters for order-independent checks.
    func fields(_ header: String) throws -> DigestAuthorization {
        try DigestAuthorization(parsing: header)
    }

    @Test("RFC 2617 section 3.5: Mufasa / Circle Of Life → 6629fae4…")
    func rfc2617Example() throws {
        var auth = DigestAuthenticator(credentials: Self.mufasa, cnonce: { "0a4f113b" })
        let challenge = try DigestChallenge(parsing: DigestChallengeTests.rfc2617Challenge)
        guard case .retry(let header) = auth.respond(to: challenge, method: "GET", uri: "/dir/index.html") else {
            Issue.record("expected a retry")
            return
        }
        let a = try fields(header)
        #expect(a.response == "6629fae49393a05397450978507c4ef1")
        #expect(a.username == "Mufasa")
        #expect(a.realm == "testrealm@host.com")
        #expect(a.nonce == "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        #expect(a.uri == "/dir/index.html")
        #expect(a.qop == .auth)
        #expect(a.nonceCount == 1)
        #expect(a.cnonce == "0a4f113b")
        #expect(a.opaque == "5ccc069c403ebaf9f0171e9517f40e41")
        #expect(a.algorithm == .md5)
        #expect(header.hasPrefix("Digest "))
        #expect(header.contains("nc=00000001"))
        #expect(header.contains("qop=auth,"))
        #expect(header.contains(#"response="6629fae49393a05397450978507c4ef1""#))
    }

    @Test("The RFC 2617 Authorization header parses and the calculator agrees")
    func rfc2617Authorization() throws {
        let header = """
            Digest username="Mufasa",
                    realm="testrealm@host.com",
                    nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
                    uri="/dir/index.html",
                    qop=auth,
                    nc=00000001,
                    cnonce="0a4f113b",
                    response="6629fae49393a05397450978507c4ef1",
                    opaque="5ccc069c403ebaf9f0171e9517f40e41"
            """
        let a = try DigestAuthorization(parsing: header)
        #expect(a.algorithm == nil)
        let expected = DigestCalculator.response(username: a.username, password: "Circle Of Life", realm: a.realm,
                                                 nonce: a.nonce, method: "GET", uri: a.uri, qop: a.qop,
                                                 nc: a.nonceCount ?? 0, cnonce: a.cnonce ?? "")
        #expect(expected == a.response)
    }

    @Test("SIP REGISTER without qop (RFC 2069 style): MD5(HA1:nonce:HA2)")
    func registerWithoutQop() throws {
        // Expected values computed independently with coreutils md5sum:
        // HA1 = md5("alice:atlanta.example.com:secret")  = 817bf6d2bab4a2a73b3eeef60ec517ac
        // HA2 = md5("REGISTER:sip:atlanta.example.com") = 29d4e618a9d0ca0ac6b3752f97985ed2
        // response = md5(HA1:nonce:HA2)                  = f40da71eaf628b048c4d0eba01a9a776
        #expect(DigestCalculator.ha1(username: "alice", realm: "atlanta.example.com", password: "secret")
                == "817bf6d2bab4a2a73b3eeef60ec517ac")
        #expect(DigestCalculator.ha2(method: "REGISTER", uri: "sip:atlanta.example.com")
                == "29d4e618a9d0ca0ac6b3752f97985ed2")
        var auth = DigestAuthenticator(credentials: Self.alice, cnonce: { "unused" })
        let challenge = try DigestChallenge(parsing: #"Digest realm="atlanta.example.com", nonce="\#(Self.nonce)""#)
        guard case .retry(let header) = auth.respond(to: challenge, method: "REGISTER", uri: "sip:atlanta.example.com") else {
            Issue.record("expected a retry")
            return
        }
        #expect(header == #"Digest username="alice", realm="atlanta.example.com", nonce="84a4cc6f3082121f32b42a2187831a9e", uri="sip:atlanta.example.com", response="f40da71eaf628b048c4d0eba01a9a776", algorithm=MD5"#)
        #expect(!header.contains("nc="))
        #expect(!header.contains("cnonce"))
        #expect(!header.contains("opaque"))
    }

    @Test("Nonce reuse: each further request increments nc, keeps the cnonce")
    func nonceCountIncrements() throws {
        var auth = DigestAuthenticator(credentials: Self.alice, cnonce: { "deadbeef" })
        #expect(auth.authorization(method: "INVITE", uri: "sip:bob@biloxi.example.com") == nil)
        let challenge = DigestChallenge(realm: "atlanta.example.com", nonce: Self.nonce, opaque: "op", qop: ["auth"])
        guard case .retry(let first) = auth.respond(to: challenge, method: "INVITE", uri: "sip:bob@biloxi.example.com") else {
            Issue.record("expected a retry")
            return
        }
        // md5sum-computed: nc=1 → fa8524df…, nc=2 → 79b5feab…
        #expect(try fields(first).response == "fa8524df18693e656ad5543249e62107")
        #expect(try fields(first).nonceCount == 1)
        let maybeSecond = auth.authorization(method: "INVITE", uri: "sip:bob@biloxi.example.com")
        let second = try #require(maybeSecond)
        #expect(try fields(second).nonceCount == 2)
        #expect(second.contains("nc=00000002"))
        #expect(try fields(second).response == "79b5feab6839dccd87844b5e790084b0")
        #expect(try fields(second).cnonce == "deadbeef")
        #expect(try fields(second).opaque == "op")
        let maybeThird = auth.authorization(method: "REGISTER", uri: "sip:atlanta.example.com",
                                            realm: "atlanta.example.com")
        let third = try #require(maybeThird)
        #expect(try fields(third).nonceCount == 3)
        #expect(auth.authorization(method: "REGISTER", uri: "sip:x", realm: "elsewhere") == nil)
        #expect(auth.knownRealms == ["atlanta.example.com"])
    }

    @Test("nc renders as 8 hex digits")
    func ncFormat() {
        #expect(DigestCalculator.nonceCount(1) == "00000001")
        #expect(DigestCalculator.nonceCount(255) == "000000ff")
        #expect(DigestCalculator.nonceCount(UInt32.max) == "ffffffff")
    }

    @Test("A second non-stale challenge after answering a fresh one means wrong credentials")
    func wrongCredentials() throws {
        var auth = DigestAuthenticator(credentials: Self.alice, cnonce: { "c" })
        let first = DigestChallenge(realm: "r", nonce: "n1", qop: ["auth"])
        guard case .retry = auth.respond(to: first, method: "REGISTER", uri: "sip:r") else {
            Issue.record("expected a retry")
            return
        }
        let second = DigestChallenge(realm: "r", nonce: "n2", qop: ["auth"])
        #expect(auth.respond(to: second, method: "REGISTER", uri: "sip:r") == .wrongCredentials)
        // The state was dropped: a later attempt (e.g. with a fixed password) starts fresh.
        #expect(auth.knownRealms.isEmpty)
        auth.credentials.password = "fixed"
        guard case .retry = auth.respond(to: second, method: "REGISTER", uri: "sip:r") else {
            Issue.record("expected a retry after reset")
            return
        }
    }

    @Test("stale=true after an answer: retry with the new nonce, nc restarts at 1")
    func staleRetry() throws {
        var auth = DigestAuthenticator(credentials: Self.alice, cnonce: { "c0ffee" })
        let first = DigestChallenge(realm: "r", nonce: "n1", qop: ["auth"])
        _ = auth.respond(to: first, method: "REGISTER", uri: "sip:r")
        _ = auth.authorization(method: "REGISTER", uri: "sip:r")  // nc=2
        let stale = DigestChallenge(realm: "r", nonce: "n2", stale: true, qop: ["auth"])
        guard case .retry(let header) = auth.respond(to: stale, method: "REGISTER", uri: "sip:r") else {
            Issue.record("expected a retry on stale")
            return
        }
        #expect(try fields(header).nonce == "n2")
        #expect(try fields(header).nonceCount == 1)
        // Stale straight after answering a fresh challenge is still a retry, not wrong credentials.
        let stale2 = DigestChallenge(realm: "r", nonce: "n3", stale: true, qop: ["auth"])
        guard case .retry(let again) = auth.respond(to: stale2, method: "REGISTER", uri: "sip:r") else {
            Issue.record("expected a retry on stale")
            return
        }
        #expect(try fields(again).nonce == "n3")
    }

    @Test("A challenge after a reused nonce (nonce expired, no stale flag) is answered, not failed")
    func challengeAfterReuse() throws {
        var auth = DigestAuthenticator(credentials: Self.alice, cnonce: { "c" })
        _ = auth.respond(to: DigestChallenge(realm: "r", nonce: "n1", qop: ["auth"]), method: "REGISTER", uri: "sip:r")
        #expect(auth.authorization(method: "REGISTER", uri: "sip:r") != nil)
        guard case .retry(let header) = auth.respond(to: DigestChallenge(realm: "r", nonce: "n2", qop: ["auth"]),
                                                     method: "REGISTER", uri: "sip:r") else {
            Issue.record("expected a retry")
            return
        }
        #expect(try fields(header).nonce == "n2")
        // …but if that fresh answer is challenged again, the password is wrong.
        #expect(auth.respond(to: DigestChallenge(realm: "r", nonce: "n3", qop: ["auth"]),
                             method: "REGISTER", uri: "sip:r") == .wrongCredentials)
    }

    @Test("succeeded() clears the pending verdict")
    func succeededClears() {
        var auth = DigestAuthenticator(credentials: Self.alice, cnonce: { "c" })
        _ = auth.respond(to: DigestChallenge(realm: "r", nonce: "n1"), method: "REGISTER", uri: "sip:r")
        auth.succeeded()
        if case .retry = auth.respond(to: DigestChallenge(realm: "r", nonce: "n2"), method: "REGISTER", uri: "sip:r") {
        } else {
            Issue.record("expected a retry after success")
        }
        auth.reset()
        #expect(auth.knownRealms.isEmpty)
    }

    @Test("Separate realms (proxy and registrar) keep separate state")
    func realmsSeparate() throws {
        var auth = DigestAuthenticator(credentials: Self.alice, cnonce: { "c" })
        _ = auth.respond(to: DigestChallenge(realm: "proxy", nonce: "p"), method: "INVITE", uri: "sip:b")
        if case .retry = auth.respond(to: DigestChallenge(realm: "registrar", nonce: "g"), method: "INVITE", uri: "sip:b") {
        } else {
            Issue.record("a different realm is not a wrong password")
        }
        #expect(auth.knownRealms == ["proxy", "registrar"])
        #expect(auth.authorization(method: "INVITE", uri: "sip:b") == nil)  // ambiguous without a realm
        let proxyHeader = auth.authorization(method: "INVITE", uri: "sip:b", realm: "proxy")
        #expect(try fields(#require(proxyHeader)).nonce == "p")
    }

    @Test("MD5-sess and auth-int (bonus)")
    func sessAndAuthInt() throws {
        var sess = DigestAuthenticator(credentials: Self.alice, cnonce: { "deadbeef" })
        let c1 = DigestChallenge(realm: "atlanta.example.com", nonce: Self.nonce, algorithm: .md5Sess, qop: ["auth"])
        guard case .retry(let h1) = sess.respond(to: c1, method: "INVITE", uri: "sip:bob@biloxi.example.com") else {
            Issue.record("expected a retry")
            return
        }
        #expect(try fields(h1).response == "73557c556096d8e2a9a3177b2b4d7569")
        #expect(try fields(h1).algorithm == .md5Sess)

        var integrity = DigestAuthenticator(credentials: Self.alice, cnonce: { "deadbeef" })
        let c2 = DigestChallenge(realm: "atlanta.example.com", nonce: Self.nonce, qop: ["auth-int"])
        guard case .retry(let h2) = integrity.respond(to: c2, method: "INVITE", uri: "sip:bob@biloxi.example.com",
                                                      body: Array("v=0".utf8)) else {
            Issue.record("expected a retry")
            return
        }
        #expect(try fields(h2).qop == .authInt)
        #expect(try fields(h2).response == "4fb23ba39a9c4681140d05a321296875")
    }

    @Test("Unsupported algorithm or qop, and malformed header text")
    func unsupported() {
        var auth = DigestAuthenticator(credentials: Self.alice)
        if case .unsupported(let reason) = auth.respond(to: DigestChallenge(realm: "r", nonce: "n", algorithm: .other("SHA-512-256")),
                                                         method: "REGISTER", uri: "sip:r") {
            #expect(reason.contains("SHA-512-256"))
        } else { Issue.record("expected unsupported") }
        if case .unsupported = auth.respond(to: DigestChallenge(realm: "r", nonce: "n", qop: ["auth-conf"]),
                                            method: "REGISTER", uri: "sip:r") {
        } else { Issue.record("expected unsupported") }
        if case .unsupported(let reason) = auth.respond(toHeader: "Digest realm=\"r", method: "REGISTER", uri: "sip:r") {
            #expect(reason.contains("unterminated"))
        } else { Issue.record("expected unsupported") }
        if case .retry = auth.respond(toHeader: #"Digest realm="r", nonce="n""#, method: "REGISTER", uri: "sip:r") {
        } else { Issue.record("expected retry") }
    }

    @Test("Default cnonce is 16 hex digits and varies")
    func randomCNonce() {
        let a = DigestAuthenticator.randomCNonce(), b = DigestAuthenticator.randomCNonce()
        #expect(a.count == 16)
        #expect(a.allSatisfy { $0.isHexDigit })
        #expect(a != b)
    }

    @Test("Usernames with quotes are escaped on the wire but hashed raw")
    func escapedUsername() throws {
        var auth = DigestAuthenticator(credentials: DigestCredentials(username: #"a"b"#, password: "p"), cnonce: { "c" })
        guard case .retry(let header) = auth.respond(to: DigestChallenge(realm: "r", nonce: "n", qop: ["auth"]),
                                                     method: "REGISTER", uri: "sip:r") else {
            Issue.record("expected a retry")
            return
        }
        #expect(header.contains(#"username="a\"b""#))
        let verifier = DigestVerifier(realm: "r")
        #expect(try verifier.verify(headerValue: header, method: "REGISTER", password: "p") == .valid)
    }
}
