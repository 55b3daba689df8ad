import Testing
@testable import SIPAuth

@Suite("Digest verifier (server)")
struct DigestVerifierTests {
    let verifier = DigestVerifier(realm: "testrealm@host.com")

    static let rfc2617Authorization = #"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#

    @Test("The RFC 2617 Authorization verifies with the right password only")
    func rfcExample() throws {
        #expect(try verifier.verify(headerValue: Self.rfc2617Authorization, method: "GET", password: "Circle Of Life") == .valid)
        #expect(try verifier.verify(headerValue: Self.rfc2617Authorization, method: "GET", password: "Circle of Life") == .wrongResponse)
        #expect(try verifier.verify(headerValue: Self.rfc2617Authorization, method: "POST", password: "Circle Of Life") == .wrongResponse)
    }

    @Test("Realm and nonce checks")
    func realmAndNonce() throws {
        let other = DigestVerifier(realm: "elsewhere")
        #expect(try other.verify(headerValue: Self.rfc2617Authorization, method: "GET", password: "Circle Of Life") == .realmMismatch)
        #expect(try verifier.verify(headerValue: Self.rfc2617Authorization, method: "GET", password: "Circle Of Life",
                                    isKnownNonce: { _ in false }) == .unknownNonce(responseValid: true))
        #expect(try verifier.verify(headerValue: Self.rfc2617Authorization, method: "GET", password: "nope",
                                    isKnownNonce: { _ in false }) == .unknownNonce(responseValid: false))
    }

    @Test("Client and verifier agree over a challenge round trip, with and without qop")
    func roundTrip() throws {
        for offersQoP in [true, false] {
            let server = DigestVerifier(realm: "switchboard", offersQoP: offersQoP)
            let challenge = server.challenge(nonce: "abc", opaque: "xyz")
            let parsed = try DigestChallenge(parsing: challenge.headerValue)
            #expect(parsed == challenge)
            var client = DigestAuthenticator(credentials: DigestCredentials(username: "100", password: "pw"))
            guard case .retry(let header) = client.respond(to: parsed, method: "REGISTER", uri: "sip:switchboard") else {
                Issue.record("expected a retry")
                continue
            }
            #expect(try server.verify(headerValue: header, method: "REGISTER", password: "pw") == .valid)
            #expect(try server.verify(headerValue: header, method: "REGISTER", password: "wrong") == .wrongResponse)
            let maybeReused = client.authorization(method: "INVITE", uri: "sip:200@switchboard")
            let reused = try #require(maybeReused)
            #expect(try server.verify(headerValue: reused, method: "INVITE", password: "pw") == .valid)
        }
    }

    @Test("A server that wants qop refuses answers without it; unknown algorithms are unsupported")
    func unsupported() throws {
        let noQop = #"Digest username="a", realm="testrealm@host.com", nonce="n", uri="sip:x", response="00000000000000000000000000000000""#
        if case .unsupported = try verifier.verify(headerValue: noQop, method: "REGISTER", password: "p") {} else {
            Issue.record("expected unsupported")
        }
        let sha = noQop + ", algorithm=SHA-512-256"
        if case .unsupported(let reason) = try verifier.verify(headerValue: sha, method: "REGISTER", password: "p") {
            #expect(reason.contains("SHA-512-256"))
        } else { Issue.record("expected unsupported") }
    }

    @Test("Malformed Authorization values throw", arguments: [
        (#"Digest realm="r", nonce="n", uri="u", response="x""#, "username"),
        (#"Digest username="a", nonce="n", uri="u", response="x""#, "realm"),
        (#"Digest username="a", realm="r", uri="u", response="x""#, "nonce"),
        (#"Digest username="a", realm="r", nonce="n", response="x""#, "uri"),
        (#"Digest username="a", realm="r", nonce="n", uri="u""#, "response"),
        (#"Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, cnonce="c""#, "nc"),
        (#"Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=1, cnonce="c""#, "8 hex"),
        (#"Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=0000000g, cnonce="c""#, "8 hex"),
        (#"Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=00000001"#, "cnonce"),
        (#"Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=bogus"#, "unknown qop"),
        (#"Bearer abc=def"#, "not Digest"),
    ])
    func malformed(input: String, fragment: String) {
        do {
            _ = try DigestAuthorization(parsing: input)
            Issue.record("parsed \(input)")
        } catch {
            #expect(error.reason.contains(fragment), "\(error.reason)")
        }
    }
}
