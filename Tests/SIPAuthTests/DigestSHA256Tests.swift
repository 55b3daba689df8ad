import Testing
@testable import SIPAuth

/// SHA-256 and SHA-256-sess digests (RFC 7616, RFC 8760 for SIP).
@Suite("Digest SHA-256")
struct DigestSHA256Tests {
    /// RFC 7616 section 3.9.1: the same request answered with MD5 and with SHA-256.
    static let challengeSHA256 = #"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
    static let challengeMD5 = #"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
    static let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
    static let mufasa = DigestCredentials(username: "Mufasa", password: "Circle of Life")

    @Test("RFC 7616 §3.9.1: SHA-256 response 753927fa…, MD5 response 8ca523f5…")
    func rfc7616Example() throws {
        for (text, algorithm, expected) in [
            (Self.challengeSHA256, DigestAlgorithm.sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
            (Self.challengeMD5, DigestAlgorithm.md5, "8ca523f5e9506fed4657c9700eebdbec"),
        ] {
            var auth = DigestAuthenticator(credentials: Self.mufasa, cnonce: { Self.cnonce })
            let challenge = try DigestChallenge(parsing: text)
            #expect(challenge.algorithm == algorithm)
            guard case .retry(let header) = auth.respond(to: challenge, method: "GET", uri: "/dir/index.html") else {
                Issue.record("expected a retry for \(algorithm)")
                continue
            }
            let answer = try DigestAuthorization(parsing: header)
            #expect(answer.response == expected)
            #expect(answer.algorithm == algorithm)
            #expect(answer.qop == .auth && answer.nonceCount == 1 && answer.cnonce == Self.cnonce)
            #expect(header.contains("algorithm=\(algorithm.name)"))
        }
    }

    @Test("SHA-256 hashes as the standard says (FIPS 180-2 \"abc\")")
    func hashVector() {
        #expect(DigestAlgorithm.sha256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(DigestAlgorithm.sha256Sess.hex("abc") == DigestAlgorithm.sha256.hex("abc"))
        #expect(DigestAlgorithm.md5.hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
    }

    @Test("SHA-256-sess: H(A1) covers nonce and cnonce; the verifier accepts the client's answer",
          arguments: [DigestAlgorithm.sha256, .sha256Sess, .md5Sess])
    func sessionVariantsVerify(algorithm: DigestAlgorithm) throws {
        let verifier = DigestVerifier(realm: "pbx.test", algorithm: algorithm)
        var auth = DigestAuthenticator(credentials: DigestCredentials(username: "a7bx", password: "pw"),
                                       cnonce: { "c0ffee" })
        let challenge = verifier.challenge(nonce: "n-1")
        #expect(challenge.headerValue.contains("algorithm=\(algorithm.name)"))
        guard case .retry(let header) = auth.respond(to: challenge, method: "REGISTER", uri: "sip:pbx.test") else {
            Issue.record("expected a retry")
            return
        }
        #expect(try verifier.verify(headerValue: header, method: "REGISTER", password: "pw") == .valid)
        #expect(try verifier.verify(headerValue: header, method: "REGISTER", password: "wrong") == .wrongResponse)
        let answer = try DigestAuthorization(parsing: header)
        #expect(answer.cnonce == "c0ffee")
        // The -sess variants differ from the plain one exactly by H(A1).
        let base = algorithm.hex("a7bx:pbx.test:pw")
        let ha1 = DigestCalculator.ha1(username: "a7bx", realm: "pbx.test", password: "pw", algorithm: algorithm,
                                       nonce: "n-1", cnonce: "c0ffee")
        #expect(ha1 == (algorithm.isSession ? algorithm.hex("\(base):n-1:c0ffee") : base))
        #expect(ha1.count == (algorithm.strength == 2 ? 64 : 32))
    }
}

@Suite("Digest challenge choice")
struct DigestChallengeChoiceTests {
    @Test("Several challenges: SHA-256 before MD5, server order among equals, unsupported last")
    func strongestFirst() {
        let md5 = #"Digest realm="r", nonce="1", algorithm=MD5"#
        let plain = #"Digest realm="r", nonce="2""#
        let sha = #"Digest realm="r", nonce="3", algorithm=SHA-256"#
        let shaSess = #"Digest realm="r", nonce="4", algorithm=SHA-256-sess"#
        let other = #"Digest realm="r", nonce="5", algorithm=SHA-512-256"#
        let broken = "Digest nonsense"
        #expect(DigestChallenge.strongestFirst([md5, other, broken, sha, plain, shaSess])
                == [sha, shaSess, md5, plain, other, broken])
        #expect(DigestChallenge.strongestFirst([]) == [])
    }
}
