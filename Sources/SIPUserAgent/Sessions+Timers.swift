import SDP
import SIP

/// Session timers (RFC 4028), UPDATE (RFC 3311) and reliable provisional responses
/// (RFC 3262) in the calls' dialogs.
extension Sessions {
    /// Why a request's session timer is refused.
    enum TimerRefusal: Error, Equatable {
        /// `Session-Expires` does not parse: 400.
        case malformed
        /// Below our minimum: 422 with `Min-SE` (RFC 4028 §8).
        case tooSmall

        func response(to request: SIPRequest, tag: String?, _ context: AgentContext) -> SIPResponse {
            switch self {
            case .malformed:
                return context.makeResponse(request, status: 400, reason: "Bad Session-Expires", tag: tag)
            case .tooSmall:
                var response = context.makeResponse(request, status: 422, tag: tag)
                response.headers.add("Min-SE", String(SessionTimer.minimum))
                return response
            }
        }
    }

    // MARK: Session timers

    /// The session timer a request of the other side (INVITE, re-INVITE, UPDATE) asks for:
    /// `current` when it says nothing, a refusal when it is malformed or too short.
    func negotiateTimer(_ request: SIPRequest, current: SessionTimer? = nil) -> Result<SessionTimer?, TimerRefusal> {
        switch SessionExpires.of(request.headers) {
        case .failure:
            return .failure(.malformed)
        case .success(nil):
            return .success(current)
        case .success(let expires?):
            guard expires.seconds >= SessionTimer.minimum else { return .failure(.tooSmall) }
            let tags = optionTags(request.headers, .supported).union(optionTags(request.headers, .require))
            return .success(.settled(expires, requestIsOurs: false, uacSupportsTimer: tags.contains("timer")))
        }
    }

    /// The timer a response to our own INVITE or refresh settles (never below our minimum,
    /// whatever it says); `current` when it says nothing usable.
    func settledTimer(_ response: SIPResponse, current: SessionTimer?) -> SessionTimer? {
        guard case .success(var expires?) = SessionExpires.of(response.headers) else { return current }
        expires.seconds = max(expires.seconds, SessionTimer.minimum)
        return .settled(expires, requestIsOurs: true, uacSupportsTimer: true)
    }

    /// Adds `Session-Expires` (and `Require: timer` when the other side supports it) to our 2xx
    /// to the other side's request (RFC 4028 §9).
    func addSessionExpires(_ response: inout SIPResponse, _ leg: CallLeg) {
        guard let timer = leg.sessionTimer else { return }
        let refresher: SessionExpires.Role = timer.refresher == .local ? .uas : .uac
        response.headers.add("Session-Expires", SessionExpires(seconds: timer.interval, refresher: refresher).description)
        if leg.peerSupportsTimer { response.headers.add("Require", "timer") }
    }

    /// (Re)starts the call's session timers after a refresh (or the first 2xx): the refresh at
    /// half the interval when we refresh, the expiry either way.
    func armSessionTimer(_ callID: String, _ out: inout [Output]) {
        out.append(.cancelTimer(.sessionRefresh(callID: callID)))
        out.append(.cancelTimer(.sessionExpiry(callID: callID)))
        guard let timer = calls[callID]?.sessionTimer else { return }
        if timer.refresher == .local { out.append(.startTimer(.sessionRefresh(callID: callID), after: timer.refreshAfter)) }
        out.append(.startTimer(.sessionExpiry(callID: callID), after: timer.expiryAfter))
    }

    /// Half the interval passed: refresh by UPDATE when the other side allows it, else by a
    /// re-INVITE with the same SDP (same version: the session does not change).
    mutating func refreshSession(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], let timer = leg.sessionTimer, timer.refresher == .local else { return }
        guard leg.phase == .confirmed, leg.refreshKey == nil, leg.reinviteKey == nil, leg.pendingOK == nil else {
            // Another offer or refresh is on its way: try again shortly (the expiry still stands).
            out.append(.startTimer(.sessionRefresh(callID: callID), after: .seconds(2)))
            return
        }
        let method: SIPMethod = leg.peerAllowsUpdate ? .update : .invite
        guard case (var request, let hop)? = nextRequest(method, in: &leg, contact: true, &context) else { return }
        request.headers.add("Session-Expires", SessionExpires(seconds: timer.interval, refresher: .uac).description)
        request.headers.add("Supported", AgentContext.supported)
        if method == .invite {
            request.headers.add("Allow", AgentContext.allowed)
            if let sdp = leg.localSDP { AgentContext.withSDP(&request, sdp.text) }
        }
        calls[callID] = leg
        let key = sendRequest(request, to: hop, owner: .call(callID), &context, &out)
        calls[callID]?.refreshKey = key
    }

    /// The final answer to our session refresh.
    mutating func refreshResponse(_ response: SIPResponse, callID: String, _ context: inout AgentContext,
                                  _ out: inout [Output]) {
        guard var leg = calls[callID], response.statusCode >= 200 else { return }
        leg.refreshKey = nil
        let isInvite = (try? response.headers.cseq.method) == .invite
        let status = response.statusCode
        switch status {
        case 200..<300:
            leg.sessionTimer = settledTimer(response, current: leg.sessionTimer)
            if isInvite, let answer = try? sdp(response), let offer = leg.localSDP,
               let media = plan(offer: answer, answer: offer, codecs: context.configuration.codecs) {
                leg.remoteOffer = answer
                if media != leg.media {
                    leg.media = media
                    startMedia(&leg, media, &out)  // says so if the call gained or lost SRTP
                }
            }
            calls[callID] = leg
            if isInvite { sendACK(callID, for: response, &context, &out) }
            armSessionTimer(callID, &out)
        case 422:
            // Too short for the other side: ask again with its minimum (RFC 4028 §7.4).
            if let minimum = SessionExpires.minimum(response.headers), let timer = leg.sessionTimer,
               minimum > timer.interval {
                leg.sessionTimer?.interval = minimum
                calls[callID] = leg
                refreshSession(callID, &context, &out)
            } else {
                calls[callID] = leg
                note("session refresh refused with 422 by \(leg.dialog.remoteAddress.uri)", &out)
            }
        case 405 where !isInvite, 501 where !isInvite:
            // UPDATE after all not allowed: refresh by re-INVITE.
            leg.peerAllowsUpdate = false
            calls[callID] = leg
            refreshSession(callID, &context, &out)
        case 408, 481:
            calls[callID] = leg
            note("\(leg.dialog.remoteAddress.uri) lost the call (\(status) to our session refresh): it is ended", &out)
            out.append(.report(.remoteHangUp(leg.coreID)))
            sendBye(callID, &context, &out)
        case 491:
            calls[callID] = leg
            let wait = Duration.milliseconds(2100 + Int(context.random.next() % 1900))
            out.append(.startTimer(.sessionRefresh(callID: callID), after: wait))
        default:
            // Not refreshed: the session ends at its expiry unless the other side refreshes it.
            calls[callID] = leg
            note("session refresh refused by \(leg.dialog.remoteAddress.uri): \(status) \(response.reasonPhrase)", &out)
        }
        // A hold or resume asked for while the refresh was out goes now, whatever its answer
        // (unless another refresh went at once, or the call is ending).
        if let leg = calls[callID], leg.refreshKey == nil, !leg.byePending {
            sendWantedReinvite(callID, &context, &out)
        }
    }

    /// No refresh in time (RFC 4028 §10): BYE, and the Log says why.
    mutating func sessionExpired(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = calls[callID], let timer = leg.sessionTimer else { return }
        note("session timer: the call with \(leg.dialog.remoteAddress.uri) was not refreshed within "
             + "\(timer.interval) s; it is ended", &out)
        if !leg.byePending { out.append(.report(.remoteHangUp(leg.coreID))) }
        sendBye(callID, &context, &out)
    }

    /// A 422 to our INVITE: call again with the interval the other side asks for (at most twice).
    mutating func retryWithLongerInterval(_ response: SIPResponse, callID: String, _ context: inout AgentContext,
                                          _ out: inout [Output]) -> Bool {
        guard var leg = calls[callID], leg.phase == .calling, !leg.cancelPending, leg.intervalRetries < 2,
              let minimum = SessionExpires.minimum(response.headers), minimum >= SessionTimer.minimum,
              let hop = leg.firstHop else { return false }
        leg.intervalRetries += 1
        leg.dialog.localSequence += 1
        leg.dialog.remoteTag = nil
        var invite = leg.invite
        invite.headers.set("CSeq", CSeq(leg.dialog.localSequence, .invite).description)
        invite.headers.set("Via", context.via(hop.transport))
        invite.headers.set("Session-Expires", String(minimum))
        invite.headers.set("Min-SE", String(minimum))
        invite.headers.remove(.proxyAuthorization)
        invite.headers.remove(.authorization)
        context.addCredentials(&invite)
        leg.invite = invite
        calls[callID] = leg
        note("\(leg.dialog.remoteAddress.uri) wants a session interval of at least \(minimum) s: calling again", &out)
        let key = sendRequest(invite, to: hop, owner: .call(callID), &context, &out)
        calls[callID]?.inviteKey = key
        return true
    }

    // MARK: UPDATE

    /// An UPDATE (RFC 3311): a session refresh and/or a new offer, answered 200 (with our
    /// answer when it carries an offer, through the re-INVITE's offer/answer).
    mutating func updated(_ request: SIPRequest, key: TransactionKey, callID: String, _ context: inout AgentContext,
                          _ out: inout [Output]) {
        guard var leg = calls[callID] else { return }
        let timer: SessionTimer?
        switch negotiateTimer(request, current: leg.sessionTimer) {
        case .success(let settled): timer = settled
        case .failure(let refusal):
            reply(refusal.response(to: request, tag: nil, context), on: key, &context, &out)
            return
        }
        var ok = context.makeResponse(request, status: 200, tag: nil, contactFor: leg.dialog.transport, capabilities: true)
        if !request.body.isEmpty {
            // One offer at a time (RFC 3311 §5.2): not while ours, or an unacknowledged 2xx's, is out.
            guard leg.phase == .confirmed, let port = leg.mediaPort, leg.reinviteKey == nil, leg.pendingOK == nil,
                  leg.refreshKey == nil else {
                reply(context.makeResponse(request, status: 491, tag: nil), on: key, &context, &out)
                return
            }
            guard let offer = try? sdp(request), let answer = answer(offer, in: &leg, port: port, &context, &out) else {
                reply(context.makeResponse(request, status: 488, tag: nil), on: key, &context, &out)
                return
            }
            AgentContext.withSDP(&ok, answer.text)
        }
        if request.headers.contains(.sessionExpires) {
            leg.peerSupportsTimer = optionTags(request.headers, .supported)
                .union(optionTags(request.headers, .require)).contains("timer")
        }
        leg.sessionTimer = timer
        addSessionExpires(&ok, leg)
        calls[callID] = leg
        reply(ok, on: key, &context, &out)
        if leg.phase == .confirmed || leg.phase == .answered { armSessionTimer(callID, &out) }
    }

    /// Our answer to an offer within the dialog (re-INVITE or UPDATE): the leg takes it, the
    /// hold state and media follow; nil when the offer is unacceptable (488).
    mutating func answer(_ offer: SessionDescription, in leg: inout CallLeg, port: UInt16, _ context: inout AgentContext,
                         _ out: inout [Output]) -> SessionDescription? {
        let version = (leg.localSDP?.origin.sessionVersion ?? 1) + 1
        let encryption = answerEncryption(&leg, &context)
        guard let answer = try? OfferAnswer.answer(offer: offer, localAddress: context.configuration.mediaHost,
                                                   localPort: port, sessionID: sessionID, version: version,
                                                   supported: context.configuration.codecs, hold: leg.localHold,
                                                   encryption: encryption) else {
            return nil
        }
        let held = Self.isHold(offer)
        if held != leg.remoteHold {
            leg.remoteHold = held
            out.append(.report(.remoteHold(leg.coreID, held)))
        }
        leg.remoteOffer = offer
        leg.localSDP = answer
        leg.media = plan(offer: offer, answer: answer, codecs: context.configuration.codecs)
        if let media = leg.media { startMedia(&leg, media, &out) }
        return answer
    }

    // MARK: Reliable provisional responses

    /// A PRACK (RFC 3262): 200 when its RAck names our reliable provisional response (the
    /// retransmissions stop), 481 otherwise.
    mutating func pracked(_ request: SIPRequest, key: TransactionKey, callID: String, _ context: inout AgentContext,
                          _ out: inout [Output]) {
        guard var leg = calls[callID] else { return }
        guard let ack = request.headers.first(HeaderName("rack")).flatMap({ ReliableAck(parsing: $0) }) else {
            reply(context.makeResponse(request, status: 400, reason: "Bad RAck", tag: nil), on: key, &context, &out)
            return
        }
        let inviteSequence = try? leg.invite.headers.cseq.sequence
        if var pending = leg.pendingProvisional, pending.matches(ack) {
            let outputs = pending.handle(.prack(ack))
            leg.pendingProvisional = nil
            calls[callID] = leg
            carry(outputs, provisional: true, callID: callID, &out)
        } else if leg.direction != .inbound || ack.rseq != leg.lastRSeq || ack.sequence != inviteSequence
                    || ack.method != "INVITE" {
            reply(context.makeResponse(request, status: 481, tag: nil), on: key, &context, &out)
            return
        }
        // The PRACK of a response already acknowledged (or answered by our 2xx) gets its 200 too.
        reply(context.makeResponse(request, status: 200, tag: nil), on: key, &context, &out)
    }

    mutating func retransmitProvisional(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], var pending = leg.pendingProvisional, leg.phase == .ringing else { return }
        let outputs = pending.handle(.timerFired(.retransmit))
        leg.pendingProvisional = pending
        calls[callID] = leg
        carry(outputs, provisional: true, callID: callID, &out)
    }

    /// 64·T1 without a PRACK: the INVITE is refused with a 5xx (RFC 3262 §3).
    mutating func provisionalTimedOut(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], var pending = leg.pendingProvisional else { return }
        carry(pending.handle(.timerFired(.timeout)), provisional: true, callID: callID, &out)
        leg.pendingProvisional = nil
        calls[callID] = leg
        note("no PRACK from \(leg.dialog.remoteAddress.uri) for our reliable 180: the call is refused", &out)
        if let key = leg.inviteKey, [.offered, .ringing, .answering].contains(leg.phase) {
            reply(context.makeResponse(leg.invite, status: 504, reason: "No PRACK", tag: leg.dialog.localTag),
                  on: key, &context, &out)
            out.append(.report(callerEnded(leg)))
            forget(callID, &out)
        }
    }

    /// Outbound: a reliable provisional response (`Require: 100rel` and an `RSeq`) gets a PRACK
    /// in its early dialog; false when it repeats one already acknowledged (then it is ignored).
    mutating func acknowledgeReliable(_ response: SIPResponse, _ leg: inout CallLeg, _ context: inout AgentContext,
                                      _ out: inout [Output]) -> Bool {
        guard optionTags(response.headers, .require).contains("100rel"),
              let rseq = response.headers.first(HeaderName("rseq")).flatMap({ SessionExpires.deltaSeconds($0[...]) }),
              let sequence = try? response.headers.cseq.sequence else { return true }
        if let last = leg.acknowledgedRSeq, rseq <= last { return false }
        leg.acknowledgedRSeq = rseq
        // The early dialog (RFC 3261 §12.1.2): the PRACK goes to its Contact along its route set.
        if let tag = try? response.headers.to.tag { leg.dialog.remoteTag = tag }
        if let target = ((try? response.headers.contacts) ?? []).first?.uri { leg.dialog.remoteTarget = target }
        leg.dialog.routeSet = ((try? response.headers.recordRoutes) ?? []).reversed()
        guard case (var prack, let hop)? = nextRequest(.prack, in: &leg, contact: false, &context) else { return true }
        prack.headers.add("RAck", "\(rseq) \(sequence) INVITE")
        _ = sendRequest(prack, to: hop, owner: .none, &context, &out)
        return true
    }
}
