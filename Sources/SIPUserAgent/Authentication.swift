import SIP
import SIPAuth

extension LineAgent {
    /// The request to send again after a 401/407, with our answer to the challenge; nil when
    /// there are no credentials, the credentials were refused, or we gave up (the caller then
    /// treats the response as the final answer).
    mutating func authenticated(_ response: SIPResponse, key: TransactionKey, _ context: ClientContext) -> SIPRequest? {
        guard var authenticator = shared.authenticator, context.authAttempts < 3 else { return nil }
        let proxy = response.statusCode == 407
        // Several challenges (a PBX offering SHA-256 and MD5): the strongest we support first.
        let challenges = DigestChallenge.strongestFirst(
            response.headers.values(proxy ? .proxyAuthenticate : .wwwAuthenticate)
                .filter { $0.lowercased().hasPrefix("digest") })
        // This very request already carried our answer to a fresh challenge: another one
        // that is not `stale` means the credentials are wrong. (Judged per request: the
        // line's requests of one realm — REGISTER, PUBLISH, SUBSCRIBE — are challenged at once.)
        let stale = challenges.contains { (try? DigestChallenge(parsing: $0))?.stale == true }
        if context.authAttempts > 0, !stale { return nil }
        var request = context.request
        let method = request.method.rawValue, uri = request.uri.description
        for challenge in challenges {
            if case .retry(let header) = authenticator.answer(toHeader: challenge, method: method, uri: uri,
                                                               body: request.body, cnonce: shared.nonces.hex16()) {
                shared.authenticator = authenticator
                request.headers.remove(.authorization)
                request.headers.remove(.proxyAuthorization)
                request.headers.add(proxy ? "Proxy-Authorization" : "Authorization", header)
                return request
            }
        }
        return nil
    }

    /// Credentials for a request before any challenge (see `AgentContext.addCredentials`).
    mutating func addCredentials(_ request: inout SIPRequest) { shared.addCredentials(&request) }

    /// Sends an authenticated copy of a request: a new branch, the next CSeq of its owner.
    mutating func resend(_ request: SIPRequest, key: TransactionKey, _ context: ClientContext,
                         _ now: SIPInstant, _ out: inout [LineOutput]) {
        switch context.owner {
        case .registration:
            runRegistration(.resend(request), authAttempts: context.authAttempts + 1, now, &out)
            return
        case .publication:
            runPublication(.resend(request), authAttempts: context.authAttempts + 1, now, &out)
            return
        case .subscription(let uri):
            runSubscriptions(.resend(request, uri: uri, hop: context.hop), authAttempts: context.authAttempts + 1,
                             now, &out)
            return
        case .call(let callID):
            runSessions(.resend(request, key: key, callID: callID, hop: context.hop),
                        authAttempts: context.authAttempts + 1, now, &out)
        case .none:
            break
        }
    }
}
