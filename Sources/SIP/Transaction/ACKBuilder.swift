extension ClientInviteTransaction {
    /// The ACK for a 300–699 response to `invite` (RFC 3261 §17.1.1.3): the INVITE's
    /// Request-URI, its top Via only, its Route headers, Call-ID, From and CSeq number (method
    /// ACK), Max-Forwards (70 when absent), and the To header of the response (with its tag).
    public static func makeACK(for invite: SIPRequest, response: SIPResponse) -> SIPRequest {
        var headers = SIPHeaders()
        if let topVia = invite.headers.values(.via).first { headers.add("Via", topVia) }
        for field in invite.headers.fields where field.key == .route { headers.fields.append(field) }
        headers.add("Max-Forwards", invite.headers[.maxForwards] ?? "70")
        if let from = invite.headers[.from] { headers.add("From", from) }
        if let to = response.headers[.to] ?? invite.headers[.to] { headers.add("To", to) }
        if let callID = invite.headers.callID { headers.add("Call-ID", callID) }
        let sequence = (try? invite.headers.cseq.sequence) ?? 0
        headers.add("CSeq", CSeq(sequence, .ack).description)
        return SIPRequest(method: .ack, uri: invite.uri, headers: headers)
    }
}
