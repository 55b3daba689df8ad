import SDP
import SIP

/// Requests within a call's dialog, both ways: ACK, BYE, re-INVITE (hold), REFER and NOTIFY.
extension Sessions {
    // MARK: From the other side

    mutating func inDialogRequest(_ request: SIPRequest, key: TransactionKey, origin: SIPHop?,
                                  _ context: inout AgentContext, _ out: inout [Output]) {
        guard let callID = request.headers.callID, var leg = calls[callID],
              (try? request.headers.to.tag) == leg.dialog.localTag,
              (try? request.headers.from.tag) == leg.dialog.remoteTag else {
            reply(context.makeResponse(request, status: 481, tag: nil), on: key, &context, &out)
            return
        }
        let sequence = (try? request.headers.cseq.sequence) ?? 0
        if let last = leg.dialog.remoteSequence, sequence < last, request.method != .cancel {
            reply(context.makeResponse(request, status: 500, reason: "CSeq Out Of Order", tag: nil), on: key, &context, &out)
            return
        }
        leg.dialog.remoteSequence = sequence
        if let target = ((try? request.headers.contacts) ?? []).first?.uri,
           request.method == .invite || request.method == .update {
            leg.dialog.remoteTarget = target  // a target refresh (§12.2.2)
        }
        calls[callID] = leg
        switch request.method {
        case .bye:
            reply(context.makeResponse(request, status: 200, tag: nil), on: key, &context, &out)
            if leg.phase == .confirmed || leg.phase == .answered {
                out.append(.report(.remoteHangUp(leg.coreID)))
            } else if leg.direction == .outbound {
                out.append(.report(.outboundFailed(leg.coreID, status: 487, reason: "ended by the other side")))
            } else {
                out.append(.report(callerEnded(leg)))
            }
            if leg.direction == .inbound, let inviteKey = leg.inviteKey,
               [.offered, .ringing, .answering].contains(leg.phase) {
                // BYE in the early dialog: the INVITE still needs its final response (§15.1.2).
                reply(context.makeResponse(leg.invite, status: 487, tag: leg.dialog.localTag), on: inviteKey, &context, &out)
            }
            forget(callID, &out)
        case .invite:
            reinvited(request, key: key, origin: origin, callID: callID, &context, &out)
        case .notify:
            notified(request, key: key, callID: callID, &context, &out)
        case .refer:
            referred(request, key: key, callID: callID, &context, &out)
        case .info:
            reply(context.makeResponse(request, status: 200, tag: nil), on: key, &context, &out)
            if let digit = DTMFInfo.digit(contentType: request.headers.first(.contentType), body: request.body) {
                out.append(.report(.dtmfReceived(leg.coreID, digit)))
            }
        case .options:
            reply(context.makeResponse(request, status: 200, tag: nil, capabilities: true), on: key, &context, &out)
        case .update:
            updated(request, key: key, callID: callID, &context, &out)
        case .prack:
            pracked(request, key: key, callID: callID, &context, &out)
        default:
            reply(context.makeResponse(request, status: 405, tag: nil), on: key, &context, &out)
        }
    }

    /// The ACK for our 2xx: the call is confirmed; a late offer's answer arrives here.
    mutating func acknowledged(_ ack: SIPRequest, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let callID = ack.headers.callID, var leg = calls[callID], var ok = leg.pendingOK else { return }
        let outputs = ok.handle(.ack(sequence: try? ack.headers.cseq.sequence))
        guard outputs.contains(.acknowledged) else { return }
        leg.pendingOK = nil
        carry(outputs, callID: callID, &out)
        if leg.okCarriesOffer, !ack.body.isEmpty, let answer = try? sdp(ack), let offer = leg.localSDP {
            leg.remoteOffer = answer
            leg.media = plan(offer: answer, answer: offer, codecs: context.configuration.codecs)
            if let media = leg.media { startMedia(&leg, media, &out) }
        }
        leg.okCarriesOffer = false
        if leg.phase == .answered { leg.phase = .confirmed }
        calls[callID] = leg
        if leg.byePending {
            sendBye(callID, &context, &out)
        } else {
            sendWantedReinvite(callID, &context, &out)  // a hold or resume asked for while the 2xx waited
        }
    }

    mutating func retransmitOK(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], var ok = leg.pendingOK, leg.origin != nil else { return }
        let outputs = ok.handle(.timerFired(.retransmit))
        leg.pendingOK = ok
        calls[callID] = leg
        carry(outputs, callID: callID, &out)
    }

    /// 64·T1 without an ACK: the dialog is broken; end it with a BYE (§13.3.1.4).
    mutating func okTimedOut(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], var ok = leg.pendingOK else { return }
        let outputs = ok.handle(.timerFired(.timeout))
        leg.pendingOK = nil
        calls[callID] = leg
        carry(outputs, callID: callID, &out)
        note("no ACK from \(leg.dialog.remoteAddress.uri) for our 200 OK: the call is ended", &out)
        if !leg.byePending { out.append(.report(.remoteHangUp(leg.coreID))) }
        sendBye(callID, &context, &out)
    }

    /// A re-INVITE: hold or resume by the other side, or a new address for its media.
    mutating func reinvited(_ request: SIPRequest, key: TransactionKey, origin: SIPHop?, callID: String,
                            _ context: inout AgentContext,
                            _ out: inout [Output]) {
        guard var leg = calls[callID], leg.phase == .confirmed || leg.phase == .answered,
              let port = leg.mediaPort else {
            reply(context.makeResponse(request, status: 491, tag: nil), on: key, &context, &out)
            return
        }
        if leg.reinviteKey != nil || leg.pendingOK != nil || leg.refreshKey != nil {
            reply(context.makeResponse(request, status: 491, tag: nil), on: key, &context, &out)  // glare (§14.2)
            return
        }
        switch negotiateTimer(request, current: leg.sessionTimer) {
        case .success(let timer):
            if request.headers.contains(.sessionExpires) {
                leg.peerSupportsTimer = optionTags(request.headers, .supported)
                    .union(optionTags(request.headers, .require)).contains("timer")
            }
            leg.sessionTimer = timer
        case .failure(let refusal):
            reply(refusal.response(to: request, tag: nil, context), on: key, &context, &out)
            return
        }
        var ok = context.makeResponse(request, status: 200, tag: nil, contactFor: leg.dialog.transport, capabilities: true)
        addSessionExpires(&ok, leg)
        if request.body.isEmpty {
            let version = (leg.localSDP?.origin.sessionVersion ?? 1) + 1
            // No offer: ours goes in the 2xx, the answer comes in the ACK.
            let direction: MediaDirection = leg.localHold ? .sendonly : .sendrecv
            let offer = makeOffer(&leg, port: port, version: version, direction: direction, &context)
            leg.localSDP = offer
            leg.okCarriesOffer = true
            AgentContext.withSDP(&ok, offer.text)
        } else {
            guard let offer = try? sdp(request), let answer = answer(offer, in: &leg, port: port, &context, &out) else {
                reply(context.makeResponse(request, status: 488, tag: nil), on: key, &context, &out)
                return
            }
            AgentContext.withSDP(&ok, answer.text)
        }
        let (pending, timers) = ResponseRetransmission.start(ok, sequence: leg.dialog.remoteSequence, timers: context.configuration.timers)
        leg.pendingOK = pending
        leg.origin = origin ?? leg.origin
        calls[callID] = leg
        reply(ok, on: key, &context, &out)
        carry(timers, callID: callID, &out)
        armSessionTimer(callID, &out)  // a re-INVITE refreshes the session (RFC 4028 §10)
    }

    /// A NOTIFY of our REFER's progress (RFC 3515): a final status ends the transfer.
    mutating func notified(_ request: SIPRequest, key: TransactionKey, callID: String, _ context: inout AgentContext,
                           _ out: inout [Output]) {
        reply(context.makeResponse(request, status: 200, tag: nil), on: key, &context, &out)
        guard let leg = calls[callID], let target = leg.transferTarget,
              request.headers.first(.event)?.lowercased().hasPrefix("refer") == true else { return }
        let fragment = String(decoding: request.body, as: UTF8.self)
        guard let statusLine = fragment.split(whereSeparator: \.isNewline).first,
              let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
              status >= 200 else { return }
        if (200..<300).contains(status) {
            note("transfer to \(target) succeeded", &out)
        } else {
            note("transfer to \(target) failed: \(statusLine.dropFirst(8)); the call is ended", &out)
        }
        out.append(.cancelTimer(.transferTimeout(callID: callID)))
        sendBye(callID, &context, &out)
    }

    /// A REFER from the other side: refused (603) unless the configuration accepts transfers;
    /// then 202 and a NOTIFY saying the transfer succeeded (the other side hangs up after it).
    mutating func referred(_ request: SIPRequest, key: TransactionKey, callID: String, _ context: inout AgentContext,
                           _ out: inout [Output]) {
        guard let leg = calls[callID] else { return }
        let target = (try? request.headers.referTo)?.uri.description ?? "an unknown target"
        guard context.configuration.acceptsTransfers, leg.phase == .confirmed, target != "an unknown target" else {
            note("\(leg.dialog.remoteAddress.uri) asked to transfer this call to \(target): refused", &out)
            reply(context.makeResponse(request, status: 603, reason: "Transfer Not Allowed", tag: nil), on: key, &context, &out)
            return
        }
        reply(context.makeResponse(request, status: 202, tag: nil, contactFor: leg.dialog.transport), on: key, &context, &out)
        note("\(leg.dialog.remoteAddress.uri) transferred the call to \(target)", &out)
        var dialog = leg.dialog
        let routing = dialog.routing()
        guard let hop = routing.hop else { return }
        dialog.localSequence += 1
        var notify = context.makeRequest(.notify, uri: routing.uri, to: dialog.remoteHeader, from: dialog.localHeader,
                                 callID: callID, sequence: dialog.localSequence, transport: hop.transport,
                                 routes: routing.routes)
        notify.headers.add("Contact", context.contact(hop.transport))
        notify.headers.add("Event", "refer")
        notify.headers.add("Subscription-State", "terminated;reason=noresource")
        notify.headers.add("Content-Type", "message/sipfrag;version=2.0")
        notify.body = Array("SIP/2.0 200 OK\r\n".utf8)
        calls[callID]?.dialog = dialog
        _ = sendRequest(notify, to: hop, owner: .none, &context, &out)
    }

    // MARK: From the agent

    /// The agent ends a connected call: BYE (after the ACK if our 2xx still waits for it).
    mutating func hangUp(_ id: LineCallID, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id) else { return }
        if leg.direction == .inbound, [.offered, .ringing, .answering].contains(leg.phase) {
            // Not answered yet (after accept the 200 waits for the RTP port): decline now, never answer later.
            respond(id, status: 603, contact: nil, &context, &out)
            return
        }
        if leg.phase == .answered || leg.pendingOK != nil {
            leg.byePending = true
            store(leg)
            out.append(.media(.close(id)))
            return
        }
        guard leg.phase == .confirmed else {
            cancelDial(id, &context, &out)
            return
        }
        sendBye(leg.sipCallID, &context, &out)
    }

    /// Sends a BYE and forgets the call (its answer changes nothing).
    mutating func sendBye(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID] else { return }
        if let (bye, hop) = nextRequest(.bye, in: &leg, contact: false, &context) {
            calls[callID] = leg
            _ = sendRequest(bye, to: hop, owner: .none, &context, &out)
        }
        forget(callID, &out)
    }

    /// The next request of `leg`'s dialog (RFC 3261 section 12.2.1.1): CSeq one up, to the remote
    /// target along the route set, with our Contact when `contact`; nil when there is nowhere to send it.
    func nextRequest(_ method: SIPMethod, in leg: inout CallLeg, contact: Bool,
                     _ context: inout AgentContext) -> (SIPRequest, SIPHop)? {
        let routing = leg.dialog.routing()
        guard let hop = routing.hop else { return nil }
        leg.dialog.localSequence += 1
        var request = context.makeRequest(method, uri: routing.uri, to: leg.dialog.remoteHeader,
                                          from: leg.dialog.localHeader, callID: leg.sipCallID,
                                          sequence: leg.dialog.localSequence, transport: hop.transport,
                                          routes: routing.routes)
        if contact { request.headers.add("Contact", context.contact(hop.transport)) }
        return (request, hop)
    }

    /// Hold (`sendonly`) or resume (`sendrecv`) by re-INVITE; one at a time, the latest wish wins.
    mutating func setHold(_ id: LineCallID, _ hold: Bool, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id), [.confirmed, .answered, .answering].contains(leg.phase) else { return }
        leg.wantedHold = hold
        store(leg)
        if leg.reinviteKey == nil, leg.pendingOK == nil, leg.refreshKey == nil { sendWantedReinvite(leg.sipCallID, &context, &out) }
    }

    mutating func sendWantedReinvite(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], let wanted = leg.wantedHold, leg.reinviteKey == nil, leg.refreshKey == nil,
              let previous = leg.localSDP else { return }
        guard wanted != leg.localHold else {
            leg.wantedHold = nil
            calls[callID] = leg
            return
        }
        guard case (var reinvite, let hop)? = nextRequest(.invite, in: &leg, contact: true, &context) else { return }
        let offer = OfferAnswer.reoffer(previous, direction: wanted ? .sendonly : .sendrecv)
        // A re-INVITE refreshes the session too (RFC 4028 §7.4): it says the interval in force.
        if let timer = leg.sessionTimer {
            let role: SessionExpires.Role = timer.refresher == .local ? .uac : .uas  // we send this request
            reinvite.headers.add("Session-Expires", SessionExpires(seconds: timer.interval, refresher: role).description)
        }
        reinvite.headers.add("Supported", AgentContext.supported)
        AgentContext.withSDP(&reinvite, offer.text)
        leg.localSDP = offer
        calls[callID] = leg
        let key = sendRequest(reinvite, to: hop, owner: .call(callID), &context, &out)
        calls[callID]?.reinviteKey = key
    }

    mutating func reinviteResponse(_ response: SIPResponse, callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], response.statusCode >= 200 else { return }
        leg.reinviteKey = nil
        let status = response.statusCode
        switch status {
        case 200..<300:
            let hold = leg.localSDP?.negotiatedAudio()?.direction == .sendonly
                || leg.localSDP?.negotiatedAudio()?.direction == .inactive
            leg.localHold = hold
            if leg.wantedHold == hold { leg.wantedHold = nil }
            if leg.sessionTimer != nil { leg.sessionTimer = settledTimer(response, current: leg.sessionTimer) }
            if let answer = try? sdp(response), let offer = leg.localSDP {
                leg.remoteOffer = answer
                leg.media = plan(offer: answer, answer: offer, codecs: context.configuration.codecs)
            }
            calls[callID] = leg
            sendACK(callID, for: response, &context, &out)
            if let media = leg.media {
                startMedia(&leg, media, &out)
                calls[callID] = leg
            }
            if leg.sessionTimer != nil { armSessionTimer(callID, &out) }  // the re-INVITE refreshed the session
            sendWantedReinvite(callID, &context, &out)
        case 491:
            // Glare: try again after 2.1–4 s (§14.1).
            calls[callID] = leg
            let wait = Duration.milliseconds(2100 + Int(context.random.next() % 1900))
            out.append(.startTimer(.reinviteRetry(callID: callID), after: wait))
        case 408, 481:
            calls[callID] = leg
            note("\(leg.dialog.remoteAddress.uri) lost the call (\(status) to our re-INVITE): it is ended", &out)
            out.append(.report(.remoteHangUp(leg.coreID)))
            sendBye(callID, &context, &out)
        default:
            // Refused: the session stays as it was.
            leg.wantedHold = nil
            if let previous = leg.localSDP {
                leg.localSDP = OfferAnswer.reoffer(previous, direction: leg.localHold ? .sendonly : .sendrecv)
            }
            calls[callID] = leg
            note("\(leg.localHold ? "resume" : "hold") refused by the other side: \(status) \(response.reasonPhrase)", &out)
        }
    }

    /// A DTMF digit on a confirmed call: RFC 4733 through the media when the call agreed on
    /// telephone-event and we send audio, else an INFO with `application/dtmf-relay` (its
    /// refusal is a note).
    mutating func sendDTMF(_ id: LineCallID, _ digit: Character, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id), leg.phase == .confirmed || leg.phase == .answered,
              let upper = DTMFInfo.digit(digit) else { return }
        // RFC 4733 rides the audio stream: only while we send it (not while the other side holds
        // the call and we only receive); otherwise INFO carries the digit.
        if leg.media?.telephoneEventPayloadType != nil, leg.media?.sending == true {
            out.append(.media(.dtmf(id, upper)))
            return
        }
        guard case (var info, let hop)? = nextRequest(.info, in: &leg, contact: true, &context) else { return }
        info.headers.add("Content-Type", DTMFInfo.contentType)
        info.body = DTMFInfo.body(for: upper)
        store(leg)
        if let key = sendRequest(info, to: hop, owner: .call(leg.sipCallID), &context, &out) {
            calls[leg.sipCallID]?.infoKeys.insert(key)
        }
    }

    /// Blind transfer (RFC 3515, RFC 5589): REFER the other side to `target`, then BYE once it reports.
    mutating func transfer(_ id: LineCallID, to target: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id), leg.phase == .confirmed else {
            if leg(id) != nil { hangUp(id, &context, &out) }
            return
        }
        guard let uri = TargetURI.uri(for: target, domain: context.configuration.domain) else {
            note("cannot transfer to \"\(target)\": not a number or SIP address; the call is ended", &out)
            sendBye(leg.sipCallID, &context, &out)
            return
        }
        guard case (var refer, let hop)? = nextRequest(.refer, in: &leg, contact: true, &context) else { return }
        refer.headers.add("Refer-To", NameAddress(uri: uri).description)
        refer.headers.add("Referred-By", NameAddress(uri: context.configuration.addressOfRecord).description)
        leg.transferTarget = uri.description
        // The agent is done with the call: its audio stops now, the dialog lives until the transfer reports.
        out.append(.media(.close(id)))
        leg.mediaPort = nil
        store(leg)
        let key = sendRequest(refer, to: hop, owner: .call(leg.sipCallID), &context, &out)
        calls[leg.sipCallID]?.referKey = key
        out.append(.startTimer(.transferTimeout(callID: leg.sipCallID), after: .seconds(32)))
    }

    mutating func referResponse(_ response: SIPResponse, callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = calls[callID], response.statusCode >= 200 else { return }
        calls[callID]?.referKey = nil
        if !(200..<300).contains(response.statusCode) {
            note("transfer to \(leg.transferTarget ?? "?") refused: \(response.statusCode) \(response.reasonPhrase); "
                 + "the call is ended", &out)
            out.append(.cancelTimer(.transferTimeout(callID: callID)))
            sendBye(callID, &context, &out)
        }
    }

    mutating func transferTimedOut(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = calls[callID], leg.transferTarget != nil else { return }
        note("no word on the transfer to \(leg.transferTarget ?? "?"); the call is ended", &out)
        sendBye(callID, &context, &out)
    }

    // MARK: Responses and failures of our requests within calls

    mutating func callResponse(_ response: SIPResponse, key: TransactionKey, callID: String, _ context: inout AgentContext,
                               _ out: inout [Output]) {
        guard let leg = calls[callID] else { return }
        if key == leg.inviteKey {
            inviteResponse(response, &context, &out)
        } else if key == leg.reinviteKey {
            reinviteResponse(response, callID: callID, &context, &out)
        } else if key == leg.referKey {
            referResponse(response, callID: callID, &context, &out)
        } else if key == leg.refreshKey {
            refreshResponse(response, callID: callID, &context, &out)
        } else if leg.infoKeys.contains(key), response.statusCode >= 200 {
            calls[callID]?.infoKeys.remove(key)
            if !(200..<300).contains(response.statusCode) {
                note("DTMF by INFO refused by \(leg.dialog.remoteAddress.uri): \(response.statusCode) \(response.reasonPhrase)",
                     &out)
            }
        }
    }

    mutating func callRequestFailed(key: TransactionKey, callID: String, status: Int, reason: String,
                                    _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = calls[callID] else { return }
        if leg.infoKeys.contains(key) {
            calls[callID]?.infoKeys.remove(key)
            note("DTMF by INFO to \(leg.dialog.remoteAddress.uri) failed: \(reason)", &out)
        } else if key == leg.inviteKey, leg.phase == .calling {
            out.append(.report(.outboundFailed(leg.coreID, status: status, reason: reason)))
            forget(callID, &out)
        } else if key == leg.reinviteKey || key == leg.referKey || key == leg.refreshKey {
            note("\(reason): the call with \(leg.dialog.remoteAddress.uri) is ended", &out)
            if key != leg.referKey { out.append(.report(.remoteHangUp(leg.coreID))) }
            forget(callID, &out)
        }
    }
}
