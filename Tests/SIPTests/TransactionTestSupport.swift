import Testing
@testable import SIP

/// Virtual time: `ms(1500)` is 1.5 s after the origin.
func ms(_ milliseconds: Int) -> SIPInstant { SIPInstant(.milliseconds(milliseconds)) }

/// A request as a UAC would send it (one Via with the branch, plus optional extra Vias and Routes).
func makeRequest(_ method: SIPMethod, transport: String = "UDP", host: String = "pc33.atlanta.example.com",
                 port: UInt16? = 5060, branch: String? = "z9hG4bK74bf9", cseq: UInt32 = 314159,
                 cseqMethod: SIPMethod? = nil, callID: String = "3848276298220188511@atlanta.example.com",
                 extraVias: [String] = [], routes: [String] = [], toTag: String? = nil) -> SIPRequest {
    var headers = SIPHeaders()
    headers.add("Via", Via(transport: transport, host: host, port: port, branch: branch).description)
    for v in extraVias { headers.add("Via", v) }
    for r in routes { headers.add("Route", r) }
    headers.add("Max-Forwards", "70")
    headers.add("To", "Bob <sip:bob@biloxi.example.com>" + (toTag.map { ";tag=" + $0 } ?? ""))
    headers.add("From", "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl")
    headers.add("Call-ID", callID)
    headers.add("CSeq", CSeq(cseq, cseqMethod ?? method).description)
    headers.add("Contact", "<sip:alice@pc33.atlanta.example.com>")
    return SIPRequest(method: method, uri: SIPURI(user: "bob", host: "biloxi.example.com"), headers: headers)
}

/// A response to `request` as the UAS builds it (To tag on everything but 100).
func reply(_ request: SIPRequest, _ status: Int) -> SIPResponse {
    SIPResponse(replyingTo: request, status: status, toTag: status == 100 ? nil : "8321234356")
}

extension TransactionAction {
    static func sendRequest(_ r: SIPRequest) -> TransactionAction { .send(.request(r)) }
    static func sendResponse(_ r: SIPResponse) -> TransactionAction { .send(.response(r)) }
    static func toTU(_ r: SIPResponse) -> TransactionAction { .passToTU(.response(r)) }
    static func toTU(_ r: SIPRequest) -> TransactionAction { .passToTU(.request(r)) }
}

/// Fires the earliest running timer of a transaction until it terminates or `limit` passes,
/// recording when each action happened.
func drive<T>(_ transaction: inout T, until limit: SIPInstant,
              next: (T) -> (timer: TransactionTimer, deadline: SIPInstant)?,
              fire: (inout T, TransactionTimer, SIPInstant) -> [TransactionAction]) -> [(SIPInstant, TransactionAction)] {
    var log: [(SIPInstant, TransactionAction)] = []
    while let (timer, deadline) = next(transaction), deadline <= limit {
        for action in fire(&transaction, timer, deadline) { log.append((deadline, action)) }
    }
    return log
}
