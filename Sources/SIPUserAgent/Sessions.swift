import SDP
import SIP

/// The calls of the line as a machine of their own (libre's `sipsess`): every `CallLeg` with
/// its dialog, from the first INVITE (in or out) until the call is over — 100/180/final
/// answers, the 2xx retransmission until the ACK, CANCEL, BYE both ways, re-INVITE hold and
/// resume with the 491 retry, REFER blind transfer and its NOTIFYs.
///
/// Like `Registration`, `Publication` and `Subscriptions` it is pure: inputs are the requests
/// and responses of the calls' transactions, the app's call requests, its timers and media
/// results; outputs are messages, timers, `LineEvent`s and media commands. No clock (nothing
/// here needs the time: timers are durations), no I/O, randomness from `AgentContext`.
/// `LineAgent` owns the transaction table and routes each call transaction here.
struct Sessions: Sendable {
    /// The machine's timers, per SIP Call-ID.
    enum Timer: Hashable, Sendable {
        /// Retransmit our 2xx to an INVITE until the ACK (§13.3.1.4).
        case okRetransmit(callID: String)
        /// 64·T1 without an ACK for our 2xx.
        case okTimeout(callID: String)
        /// Send the wanted hold/resume re-INVITE again after a 491 (§14.1).
        case reinviteRetry(callID: String)
        /// A blind transfer got no final NOTIFY in time.
        case transferTimeout(callID: String)
        /// Refresh the session (RFC 4028): we are the refresher and half the interval passed.
        case sessionRefresh(callID: String)
        /// The session expired without a refresh (RFC 4028 §10).
        case sessionExpiry(callID: String)
        /// Send our reliable provisional response again (RFC 3262 §3).
        case provisionalRetransmit(callID: String)
        /// 64·T1 without a PRACK for our reliable provisional response.
        case provisionalTimeout(callID: String)
    }

    enum Input: Sendable {
        /// A new INVITE outside any dialog; its server transaction `key` has started (100 sent).
        case invite(SIPRequest, key: TransactionKey, origin: SIPHop)
        /// A request within a call's dialog (it has a To tag) on server transaction `key`.
        case inDialog(SIPRequest, key: TransactionKey, origin: SIPHop?)
        /// A CANCEL on `key`; `inviteProceeding` says whether the INVITE it cancels is still
        /// unanswered (nil: no such INVITE transaction).
        case cancel(SIPRequest, key: TransactionKey, inviteProceeding: Bool?)
        /// An ACK that matched no transaction: the ACK of our 2xx.
        case ack(SIPRequest)
        /// A response to a request the machine sent (`send(_, tracked: true)`).
        case response(SIPResponse, key: TransactionKey, callID: String)
        /// A request the machine sent failed without a response (timeout: 408, transport: 503).
        case failed(key: TransactionKey, callID: String, status: Int, reason: String)
        /// A response that matched no transaction (a retransmitted 2xx to our INVITE).
        case strayResponse(SIPResponse)
        /// The signed copy of a challenged request sent on `key`: it takes the next CSeq.
        case resend(SIPRequest, key: TransactionKey, callID: String, hop: SIPHop)
        /// A call request of the app (ring, respond, answer, hang up, hold, resume, transfer, dial, cancel).
        case command(LineRequest)
        /// Place a call as `caller` with extra headers.
        case place(LineCallID, to: String, caller: LineCaller?, headers: [SIPHeader])
        case timerFired(Timer)
        case mediaOpened(LineCallID, port: UInt16)
        case mediaFailed(LineCallID, reason: String)
    }

    enum Output: Sendable, Equatable {
        /// Send a request in a new client transaction (its key is the request's top Via branch);
        /// `tracked`: its responses and failures come back as `response`/`failed`.
        case send(SIPRequest, to: SIPHop, tracked: Bool)
        /// Send an ACK for a 2xx (no transaction).
        case ack(SIPRequest, to: SIPHop)
        /// Answer the request of server transaction `key`.
        case respond(SIPResponse, on: TransactionKey)
        /// Send a response again outside its transaction (a retransmitted 2xx), to where the request came from.
        case resend(SIPResponse, to: SIPHop)
        case startTimer(Timer, after: Duration)
        case cancelTimer(Timer)
        case report(LineEvent)
        case media(MediaCommand)
    }

    /// Calls by SIP Call-ID.
    var calls: [String: CallLeg] = [:]
    /// SIP Call-IDs by the core's call id (they differ for outbound calls).
    var callIDs: [LineCallID: String] = [:]
    /// The `o=` session id of our SDP, per process.
    let sessionID: UInt64

    init(sessionID: UInt64) {
        self.sessionID = sessionID
    }

    /// Whether the agent hung up this call while its INVITE was out (a challenge is then final).
    func isCancelPending(_ callID: String) -> Bool { calls[callID]?.cancelPending == true }

    /// The responses to an INVITE that arrived again after our 2xx ended its transaction
    /// (the 2xx again, or nothing); nil when it is not such a retransmission.
    func retransmittedInvite(_ request: SIPRequest, from: SIPHop) -> [Output]? {
        guard let callID = request.headers.callID, let leg = calls[callID], leg.direction == .inbound,
              (try? TransactionKey.server(receiving: request)) == leg.inviteKey,
              (try? request.headers.to.tag) == nil,
              leg.dialog.remoteTag == (try? request.headers.from.tag),
              (try? leg.invite.headers.cseq.sequence) == (try? request.headers.cseq.sequence) else { return nil }
        if let ok = leg.pendingOK?.response { return [.resend(ok, to: from)] }
        return []
    }

    mutating func handle(_ input: Input, _ context: inout AgentContext) -> [Output] {
        var out: [Output] = []
        switch input {
        case .invite(let request, let key, let origin):
            incomingInvite(request, key: key, origin: origin, &context, &out)
        case .inDialog(let request, let key, let origin):
            inDialogRequest(request, key: key, origin: origin, &context, &out)
        case .cancel(let request, let key, let proceeding):
            incomingCancel(request, key: key, inviteProceeding: proceeding, &context, &out)
        case .ack(let ack):
            acknowledged(ack, &context, &out)
        case .response(let response, let key, let callID):
            callResponse(response, key: key, callID: callID, &context, &out)
        case .failed(let key, let callID, let status, let reason):
            callRequestFailed(key: key, callID: callID, status: status, reason: reason, &context, &out)
        case .strayResponse(let response):
            strayResponse(response, &context, &out)
        case .resend(let request, let key, let callID, let hop):
            resend(request, key: key, callID: callID, hop: hop, &context, &out)
        case .command(let command):
            perform(command, &context, &out)
        case .place(let id, let target, let caller, let headers):
            dial(id, to: target, caller: caller, headers: headers, &context, &out)
        case .timerFired(.okRetransmit(let callID)):
            retransmitOK(callID, &context, &out)
        case .timerFired(.okTimeout(let callID)):
            okTimedOut(callID, &context, &out)
        case .timerFired(.reinviteRetry(let callID)):
            sendWantedReinvite(callID, &context, &out)
        case .timerFired(.transferTimeout(let callID)):
            transferTimedOut(callID, &context, &out)
        case .timerFired(.sessionRefresh(let callID)):
            refreshSession(callID, &context, &out)
        case .timerFired(.sessionExpiry(let callID)):
            sessionExpired(callID, &context, &out)
        case .timerFired(.provisionalRetransmit(let callID)):
            retransmitProvisional(callID, &context, &out)
        case .timerFired(.provisionalTimeout(let callID)):
            provisionalTimedOut(callID, &context, &out)
        case .mediaOpened(let id, let port):
            mediaOpened(id, port: port, &context, &out)
        case .mediaFailed(let id, let reason):
            mediaFailed(id, reason: reason, &context, &out)
        }
        return out
    }

    private mutating func perform(_ command: LineRequest, _ context: inout AgentContext, _ out: inout [Output]) {
        switch command {
        case .ring(let id): ring(id, &context, &out)
        case .respond(let id, let status, let contact): respond(id, status: status, contact: contact, &context, &out)
        case .answer(let id): answer(id, &context, &out)
        case .hangUp(let id): hangUp(id, &context, &out)
        case .hold(let id): setHold(id, true, &context, &out)
        case .resume(let id): setHold(id, false, &context, &out)
        case .transfer(let id, let target): transfer(id, to: target, &context, &out)
        case .dial(let id, let target): dial(id, to: target, &context, &out)
        case .cancelDial(let id): cancelDial(id, &context, &out)
        case .sendDTMF(let id, let digit): sendDTMF(id, digit, &context, &out)
        case .mute(let id, let on): if leg(id) != nil { out.append(.media(.mute(id, on))) }
        case .register, .unregister, .publish: break  // not for the calls
        }
    }

    /// Sends the signed copy of a challenged request with the call's next CSeq and a new branch.
    private mutating func resend(_ request: SIPRequest, key: TransactionKey, callID: String, hop: SIPHop,
                                 _ context: inout AgentContext, _ out: inout [Output]) {
        var request = request
        guard var leg = calls[callID] else { return }
        leg.dialog.localSequence += 1
        request.headers.set("CSeq", CSeq(leg.dialog.localSequence, request.method).description)
        request.headers.set("Via", context.via(hop.transport))
        calls[callID] = leg
        let newKey = sendRequest(request, to: hop, owner: .call(callID), &context, &out)
        if leg.inviteKey == key { leg.inviteKey = newKey; leg.invite = request }
        if leg.reinviteKey == key { leg.reinviteKey = newKey }
        if leg.referKey == key { leg.referKey = newKey }
        if leg.refreshKey == key { leg.refreshKey = newKey }
        if leg.infoKeys.remove(key) != nil, let newKey { leg.infoKeys.insert(newKey) }
        calls[callID] = leg
    }

    // MARK: Helpers

    /// Who a request the machine sends belongs to.
    enum Owner {
        /// Its responses come back to the call.
        case call(String)
        /// Fire and forget.
        case none
    }

    /// Sends a request in a new client transaction; returns its key (the top Via branch).
    mutating func sendRequest(_ request: SIPRequest, to hop: SIPHop, owner: Owner, _ context: inout AgentContext,
                              _ out: inout [Output]) -> TransactionKey? {
        guard let key = try? TransactionKey.client(sending: request) else {
            note("cannot send \(request.method): no branch", &out)
            return nil
        }
        if case .call = owner {
            out.append(.send(request, to: hop, tracked: true))
        } else {
            out.append(.send(request, to: hop, tracked: false))
        }
        return key
    }

    /// Answers a request of a server transaction.
    func reply(_ response: SIPResponse, on key: TransactionKey, _ context: inout AgentContext, _ out: inout [Output]) {
        out.append(.respond(response, on: key))
    }

    func note(_ text: String, _ out: inout [Output]) {
        out.append(.report(.note(text)))
    }

    /// The leg of a core call id.
    func leg(_ id: LineCallID) -> CallLeg? {
        callIDs[id].flatMap { calls[$0] }
    }

    mutating func store(_ leg: CallLeg) {
        calls[leg.sipCallID] = leg
        callIDs[leg.coreID] = leg.sipCallID
    }

    /// Forgets a call and releases its media and timers.
    mutating func forget(_ callID: String, _ out: inout [Output]) {
        guard let leg = calls.removeValue(forKey: callID) else { return }
        callIDs[leg.coreID] = nil
        if leg.mediaPort != nil || leg.phase == .preparing || leg.phase == .ringing || leg.phase == .answering {
            out.append(.media(.close(leg.coreID)))
        }
        for timer: Timer in [.okRetransmit(callID: callID), .okTimeout(callID: callID),
                             .reinviteRetry(callID: callID), .transferTimeout(callID: callID),
                             .sessionRefresh(callID: callID), .sessionExpiry(callID: callID),
                             .provisionalRetransmit(callID: callID), .provisionalTimeout(callID: callID)] {
            out.append(.cancelTimer(timer))
        }
    }
}
