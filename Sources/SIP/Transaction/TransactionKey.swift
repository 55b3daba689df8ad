/// Identifies a transaction (RFC 3261 §17.1.3 and §17.2.3).
///
/// - Client side: a response belongs to the client transaction whose request had the same
///   top-Via `branch` and whose method equals the response's CSeq method. `sentBy` is empty.
/// - Server side, branch with the magic cookie `z9hG4bK`: top-Via `branch`, top-Via sent-by
///   and method, where ACK counts as INVITE (so an ACK to a non-2xx final response reaches
///   the INVITE server transaction, while a CANCEL gets a transaction of its own).
/// - Server side, RFC 2543 requests (no magic cookie): a simplified key built from the
///   Request-URI, Call-ID, CSeq number, From tag and the whole top Via. The To tag is not
///   compared (RFC 2543 matching of an ACK would need the tag of the response sent).
public struct TransactionKey: Hashable, Sendable, CustomStringConvertible {
    /// Which side of the transaction this key names.
    public enum Role: String, Sendable, Hashable {
        case client, server
    }

    /// The RFC 3261 branch prefix.
    public static let magicCookie = "z9hG4bK"

    /// Client or server.
    public var role: Role
    /// The top-Via branch; for RFC 2543 server keys, a composite of the matching fields.
    public var branch: String
    /// The top-Via sent-by, `host` (lowercased) or `host:port`; empty for client keys.
    public var sentBy: String
    /// The method of the transaction (an ACK's server key says INVITE).
    public var method: SIPMethod

    /// Creates a key from its parts.
    public init(role: Role, branch: String, sentBy: String = "", method: SIPMethod) {
        self.role = role
        self.branch = branch
        self.sentBy = sentBy
        self.method = method
    }

    /// Whether the branch carries the RFC 3261 magic cookie.
    public var isRFC3261: Bool { branch.hasPrefix(TransactionKey.magicCookie) }

    /// The key of the client transaction that sends `request`.
    public static func client(sending request: SIPRequest) throws(TransactionError) -> TransactionKey {
        let via = try topVia(request.headers)
        guard let branch = via.branch else { throw .missingBranch }
        return TransactionKey(role: .client, branch: branch, method: request.method)
    }

    /// The key of the client transaction a received `response` belongs to.
    public static func client(receiving response: SIPResponse) throws(TransactionError) -> TransactionKey {
        let via = try topVia(response.headers)
        guard let branch = via.branch else { throw .missingBranch }
        let cseq: CSeq
        do { cseq = try response.headers.cseq } catch { throw .malformed(error) }
        return TransactionKey(role: .client, branch: branch, method: cseq.method)
    }

    /// The key of the server transaction a received `request` belongs to (or would create).
    public static func server(receiving request: SIPRequest) throws(TransactionError) -> TransactionKey {
        let via = try topVia(request.headers)
        let method: SIPMethod = request.method == .ack ? .invite : request.method
        let sentBy = via.port.map { via.host.lowercased() + ":" + String($0) } ?? via.host.lowercased()
        if via.hasMagicCookie, let branch = via.branch {
            return TransactionKey(role: .server, branch: branch, sentBy: sentBy, method: method)
        }
        // RFC 2543 fallback (§17.2.3, simplified: the To tag is not compared).
        let cseq: CSeq, fromTag: String?
        do {
            cseq = try request.headers.cseq
            fromTag = try request.headers.from.tag
        } catch { throw .malformed(error) }
        let parts = [request.uri.description, request.headers.callID ?? "", String(cseq.sequence), fromTag ?? "",
                     via.description]
        return TransactionKey(role: .server, branch: "rfc2543 " + parts.joined(separator: " "), sentBy: sentBy,
                              method: method)
    }

    /// For the key of a CANCEL, the key of the INVITE transaction it cancels (RFC 3261 §9.2).
    public var cancelledInvite: TransactionKey {
        TransactionKey(role: role, branch: branch, sentBy: sentBy, method: .invite)
    }

    public var description: String {
        role.rawValue + " " + method.rawValue + " " + branch + (sentBy.isEmpty ? "" : " @" + sentBy)
    }

    static func topVia(_ headers: SIPHeaders) throws(TransactionError) -> Via {
        let via: Via?
        do { via = try headers.topVia } catch { throw .malformed(error) }
        guard let via else { throw .missingVia }
        return via
    }
}
