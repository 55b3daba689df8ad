import SIP

extension LineAgent {
    /// The methods the line accepts.
    static let allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER, INFO"

    /// A new top Via for a request we send.
    mutating func via(_ transport: SIPTransportKind) -> String {
        "SIP/2.0/\(transport.viaToken) \(configuration.local.hostPort);branch=\(TransactionKey.magicCookie)\(token(16));rport"
    }

    /// Our Contact for a transport: `<sip:user@host:port>` (with `;transport=tcp` on TCP).
    func contact(_ transport: SIPTransportKind) -> String {
        let suffix = transport == .tcp ? ";transport=tcp" : ""
        return "<sip:\(configuration.user)@\(configuration.local.hostPort)\(suffix)>"
    }

    /// `"Name" <uri>;tag=…` for our own address with a fresh tag.
    mutating func tagged(_ uri: SIPURI) -> String {
        var address = NameAddress(displayName: configuration.displayName, uri: uri)
        address.parameters.set("tag", token(10))
        return address.description
    }

    /// A request with Via, Max-Forwards, To, From, Call-ID, CSeq and User-Agent.
    mutating func makeRequest(_ method: SIPMethod, uri: SIPURI, to: String, from: String, callID: String,
                              sequence: UInt32, transport: SIPTransportKind, routes: [String] = []) -> SIPRequest {
        var headers = SIPHeaders()
        headers.add("Via", via(transport))
        headers.add("Max-Forwards", "70")
        for route in routes { headers.add("Route", route) }
        headers.add("From", from)
        headers.add("To", to)
        headers.add("Call-ID", callID)
        headers.add("CSeq", CSeq(sequence, method).description)
        headers.add("User-Agent", configuration.product)
        return SIPRequest(method: method, uri: uri, headers: headers)
    }

    /// A response to `request` with our To tag; dialog-creating INVITE responses copy
    /// Record-Route (§12.1.1) and carry our Contact; `capabilities` adds Allow/Accept/Supported.
    func makeResponse(_ request: SIPRequest, status: Int, reason: String? = nil, tag: String?,
                      contactFor transport: SIPTransportKind? = nil, capabilities: Bool = false) -> SIPResponse {
        var response = SIPResponse(replyingTo: request, status: status, reason: reason, toTag: status == 100 ? nil : tag)
        if request.method == .invite, (101..<300).contains(status) {
            for field in request.headers.fields where field.key == .recordRoute { response.headers.fields.append(field) }
        }
        if let transport { response.headers.add("Contact", contact(transport)) }
        if capabilities || status == 405 {
            response.headers.add("Allow", Self.allowed)
            response.headers.add("Accept", "application/sdp")
            response.headers.add("Supported", "replaces")
        }
        response.headers.add("Server", configuration.product)
        return response
    }

    /// Sets an SDP body.
    static func withSDP<M>(_ message: inout M, _ text: String) where M: SDPCarrier {
        message.headers.set("Content-Type", "application/sdp")
        message.body = Array(text.utf8)
    }
}

/// Requests and responses both carry headers and a body.
protocol SDPCarrier {
    var headers: SIPHeaders { get set }
    var body: [UInt8] { get set }
}

extension SIPRequest: SDPCarrier {}
extension SIPResponse: SDPCarrier {}
