import SoftphoneApp
import NIOCore
import SIP
import SIPNetwork
import SIPAuth
import Synchronization

/// The demo phone system's registrar: challenges REGISTER with digest (realm `demo`), accepts
/// the demo line's password, and remembers where the line is registered — that is where
/// the switchboard sends calls. Stateless answers, as RFC 3261 §10.3 allows.
final class DemoRegistrar: Sendable {
    static let realm = "demo"
    let user: String
    let password: String
    private let verifier = DigestVerifier(realm: DemoRegistrar.realm)
    private let nonce: String
    private let binding = Mutex<SIPURI?>(nil)

    init(user: String, password: String) {
        self.user = user
        self.password = password
        nonce = String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }

    /// Where calls for the line go now; nil while it is not registered.
    var contact: SIPURI? { binding.withLock { $0 } }

    /// Listens on a loopback port of its own and answers what arrives there.
    func listen(on loop: EventLoop) async throws -> SIPTransport {
        let transport = Mutex<SIPTransport?>(nil)
        let started = try await SIPTransport.start(host: "127.0.0.1", port: 0, on: loop, receiver: { incoming in
            guard case .request(let request) = incoming.message, request.method != .ack else { return }
            transport.withLock { $0 }?.respond(self.answer(request), toRequestFrom: incoming.source)
        })
        transport.withLock { $0 = started }
        return started
    }

    /// The answer to a REGISTER; 405 to anything else (a registrar only registers).
    func answer(_ request: SIPRequest) -> SIPResponse {
        guard request.method == .register else {
            var refused = SIPResponse(replyingTo: request, status: 405, toTag: nil)
            refused.headers.add("Allow", "REGISTER")
            return refused
        }
        let tag = String(UInt32.random(in: 1...UInt32.max), radix: 16)
        guard let header = request.headers.first(.authorization),
              (try? verifier.verify(headerValue: header, method: "REGISTER", password: password,
                                    isKnownNonce: { $0 == self.nonce })) == .valid,
              (try? request.headers.to.uri.user) == user else {
            var challenge = SIPResponse(replyingTo: request, status: 401, toTag: tag)
            challenge.headers.add("WWW-Authenticate", verifier.challenge(nonce: nonce).headerValue)
            return challenge
        }
        let contact = ((try? request.headers.contacts) ?? []).first
        let expires = contact?.expires ?? ((try? request.headers.expires) ?? nil) ?? 3600
        var ok = SIPResponse(replyingTo: request, status: 200, toTag: tag)
        if let contact, expires > 0 {
            binding.withLock { $0 = contact.uri }
            var granted = NameAddress(uri: contact.uri)
            granted.parameters.set("expires", String(min(expires, 3600)))
            ok.headers.add("Contact", granted.description)
        } else {
            binding.withLock { $0 = nil }
        }
        return ok
    }
}
