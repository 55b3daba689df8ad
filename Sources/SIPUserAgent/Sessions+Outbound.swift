import SDP
import SIP

/// Outbound calls: dialling, the INVITE's responses, cancelling.
extension Sessions {
    /// The agent dials: ready an RTP port, then send the INVITE. `caller` replaces our own
    /// identity in From; `headers` go into the INVITE.
    mutating func dial(_ id: LineCallID, to target: String, caller: LineCaller? = nil, headers: [SIPHeader] = [],
                       _ context: inout AgentContext, _ out: inout [Output]) {
        guard leg(id) == nil else { return }
        guard let uri = TargetURI.uri(for: target, domain: context.configuration.domain),
              let hop = context.serverHop ?? SIPHop(uri: uri) else {
            out.append(.report(.outboundFailed(id, status: 416, reason: "\"\(target)\" is not a number or SIP address")))
            return
        }
        let callID = context.token(20) + "@" + context.configuration.local.host
        var local = NameAddress(displayName: context.configuration.displayName, uri: context.configuration.addressOfRecord)
        if let caller {
            local.displayName = caller.name
            local.uri.user = caller.number.filter { !$0.isWhitespace }
        }
        let dialog = Dialog(callID: callID, localTag: context.token(10), remoteTag: nil, localAddress: local,
                            remoteAddress: NameAddress(uri: uri), remoteTarget: uri, localSequence: context.random32(),
                            transport: hop.transport)
        let placeholder = SIPRequest(method: .invite, uri: uri)
        var leg = CallLeg(coreID: id, direction: .outbound, phase: .preparing, dialog: dialog, invite: placeholder,
                          firstHop: hop)
        leg.extraHeaders = headers
        store(leg)
        out.append(.media(.open(id)))
    }

    /// The RTP port is ready: send the INVITE with our offer.
    mutating func sendInvite(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], leg.phase == .preparing, let port = leg.mediaPort,
              var hop = leg.firstHop else { return }
        // Registration may have failed over to another server while the RTP port opened.
        if let server = context.serverHop, hop != server, context.targets.contains(hop) {
            hop = server
            leg.firstHop = server
            leg.dialog.transport = server.transport
        }
        let offer = makeOffer(&leg, port: port, version: 1, &context)
        var invite = context.makeRequest(.invite, uri: leg.dialog.remoteTarget, to: leg.dialog.remoteHeader,
                                 from: leg.dialog.localHeader, callID: callID, sequence: leg.dialog.localSequence,
                                 transport: hop.transport,
                                 routes: context.serverHop == hop
                                     ? context.outboundRoutes(to: leg.dialog.remoteTarget) : [])
        invite.headers.add("Contact", context.contact(hop.transport))
        invite.headers.add("Allow", AgentContext.allowed)
        invite.headers.add("Supported", AgentContext.supported)
        invite.headers.add("Session-Expires", String(SessionTimer.requested))
        invite.headers.add("Min-SE", String(SessionTimer.minimum))
        invite.headers.fields += leg.extraHeaders
        context.addCredentials(&invite)
        AgentContext.withSDP(&invite, offer.text)
        leg.invite = invite
        leg.localSDP = offer
        leg.phase = .calling
        calls[callID] = leg
        let key = sendRequest(invite, to: hop, owner: .call(callID), &context, &out)
        calls[callID]?.inviteKey = key
    }

    /// The agent hangs up before the other side answered: CANCEL once a provisional
    /// response allows it (§9.1).
    mutating func cancelDial(_ id: LineCallID, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id), leg.direction == .outbound else { return }
        switch leg.phase {
        case .preparing:
            forget(leg.sipCallID, &out)
        case .calling where leg.provisionalSeen:
            leg.cancelPending = true  // a 2xx racing the CANCEL still ends the call
            if leg.earlyMedia {
                // The agent hung up: the far side's early media stops now, not with its 487.
                out.append(.media(.close(id)))
                leg.mediaPort = nil
            }
            store(leg)
            sendCancel(leg.sipCallID, &context, &out)
        case .calling:
            leg.cancelPending = true
            store(leg)
        case .confirmed:
            hangUp(id, &context, &out)
        default:
            break
        }
    }

    mutating func sendCancel(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = calls[callID], let hop = leg.firstHop else { return }
        let invite = leg.invite
        var headers = SIPHeaders()
        if let via = invite.headers.values(.via).first { headers.add("Via", via) }
        headers.add("Max-Forwards", "70")
        for field in invite.headers.fields where field.key == .route { headers.fields.append(field) }
        for name: HeaderName in [.from, .to, .callID] {
            if let value = invite.headers.first(name) { headers.add(name.canonicalSpelling, value) }
        }
        let sequence = (try? invite.headers.cseq.sequence) ?? leg.dialog.localSequence
        headers.add("CSeq", CSeq(sequence, .cancel).description)
        _ = sendRequest(SIPRequest(method: .cancel, uri: invite.uri, headers: headers), to: hop, owner: .none, &context, &out)
    }

    /// A response to the initial INVITE of an outbound call.
    mutating func inviteResponse(_ response: SIPResponse, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let callID = response.headers.callID, var leg = calls[callID], leg.direction == .outbound else { return }
        let status = response.statusCode
        switch status {
        case 100:
            break
        case 101..<200:
            guard acknowledgeReliable(response, &leg, &context, &out) else { return }  // a repeat: PRACKed already
            let first = !leg.provisionalSeen
            leg.provisionalSeen = true
            if let tag = try? response.headers.to.tag { leg.dialog.remoteTag = tag }
            let ringing = (status == 180 || status == 183) && !leg.remoteRinging
            if ringing { leg.remoteRinging = true }
            calls[callID] = leg
            if ringing, !leg.cancelPending { out.append(.report(.remoteRinging(leg.coreID))) }
            if leg.cancelPending, first { sendCancel(callID, &context, &out) }  // once: later ones find it sent
            if !leg.cancelPending { earlyMedia(callID, response, &context, &out) }
        case 200..<300:
            establish(&leg, from: response, codecs: context.configuration.codecs)
            leg.peerAllowsUpdate = allows(response.headers, .update)
            leg.peerSupportsTimer = optionTags(response.headers, .supported)
                .union(optionTags(response.headers, .require)).contains("timer")
            leg.sessionTimer = settledTimer(response, current: nil)
            calls[callID] = leg
            sendACK(callID, for: response, &context, &out)
            if leg.cancelPending {
                hangUp(leg.coreID, &context, &out)
                return
            }
            if leg.media == nil, context.configuration.srtp == .mandatory, (try? sdp(response)) != nil {
                // Our RTP/SAVP offer answered without a key: no audio in the clear, the call ends.
                note("\(leg.dialog.remoteAddress.uri) answered without SRTP and sip.srtp is mandatory: the call is ended", &out)
                out.append(.report(.outboundFailed(leg.coreID, status: 488, reason: "no SRTP in the answer")))
                hangUp(leg.coreID, &context, &out)
                return
            }
            armSessionTimer(callID, &out)
            out.append(.report(.remoteAnswered(leg.coreID)))
            if let media = leg.media {
                startMedia(&leg, media, &out)
                calls[callID] = leg
            }
        default:
            if status == 422, retryWithLongerInterval(response, callID: callID, &context, &out) { return }
            out.append(.report(.outboundFailed(leg.coreID, status: status, reason: response.reasonPhrase)))
            forget(callID, &out)
        }
    }

    /// A provisional answer with SDP (183 Session Progress, or 180 with SDP): the far side's early
    /// media is received, never sent to (`sending: false`); reported once per call.
    mutating func earlyMedia(_ callID: String, _ response: SIPResponse, _ context: inout AgentContext,
                             _ out: inout [Output]) {
        guard var leg = calls[callID], !response.body.isEmpty,
              response.headers.first(.contentType).map({ $0.lowercased().hasPrefix("application/sdp") }) ?? true,
              let answer = try? sdp(response), let offer = leg.localSDP,
              var plan = plan(offer: answer, answer: offer, codecs: context.configuration.codecs) else { return }
        plan.sending = false
        leg.remoteOffer = answer
        let first = !leg.earlyMedia
        let changed = leg.media != plan
        leg.earlyMedia = true
        leg.media = plan
        if first { out.append(.report(.earlyMedia(leg.coreID))) }
        if changed { startMedia(&leg, plan, &out) }
        calls[callID] = leg
    }

    /// A 2xx confirms the dialog: tags, remote target, route set (reversed Record-Route), media.
    mutating func establish(_ leg: inout CallLeg, from response: SIPResponse, codecs: [Codec]) {
        if let tag = try? response.headers.to.tag { leg.dialog.remoteTag = tag }
        if let target = ((try? response.headers.contacts) ?? []).first?.uri { leg.dialog.remoteTarget = target }
        leg.dialog.routeSet = ((try? response.headers.recordRoutes) ?? []).reversed()
        leg.phase = .confirmed
        if let answer = try? sdp(response), let offer = leg.localSDP {
            leg.remoteOffer = answer
            leg.media = plan(offer: answer, answer: offer, codecs: codecs)
            leg.remoteHold = Self.isHold(answer)
        } else if leg.earlyMedia, let answer = leg.remoteOffer, let offer = leg.localSDP {
            // The 2xx repeats no SDP: the early media's answer stands, now both ways.
            leg.media = plan(offer: answer, answer: offer, codecs: codecs)
            leg.remoteHold = Self.isHold(answer)
        }
    }

    /// The ACK for a 2xx to an INVITE (§13.2.2.4): a new transaction-less request within
    /// the dialog with the INVITE's CSeq number.
    mutating func sendACK(_ callID: String, for response: SIPResponse, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = calls[callID] else { return }
        let routing = leg.dialog.routing()
        guard let hop = routing.hop else { return }
        let sequence = (try? response.headers.cseq.sequence) ?? leg.dialog.localSequence
        var ack = context.makeRequest(.ack, uri: routing.uri, to: leg.dialog.remoteHeader, from: leg.dialog.localHeader,
                              callID: callID, sequence: sequence, transport: hop.transport, routes: routing.routes)
        ack.headers.add("Contact", context.contact(hop.transport))
        // The credentials of our INVITE (§13.2.2.4); an inbound call's INVITE carries the caller's.
        for field in leg.invite.headers.fields where leg.direction == .outbound
            && (field.key == .proxyAuthorization || field.key == .authorization) {
            ack.headers.fields.append(field)
        }
        out.append(.ack(ack, to: hop))
    }

    /// A 2xx to an INVITE that matched no transaction: a retransmission — ACK it again.
    mutating func strayResponse(_ response: SIPResponse, _ context: inout AgentContext, _ out: inout [Output]) {
        guard (200..<300).contains(response.statusCode), (try? response.headers.cseq.method) == .invite,
              let callID = response.headers.callID, let leg = calls[callID], leg.phase == .confirmed,
              leg.dialog.remoteTag == (try? response.headers.to.tag) else { return }
        sendACK(callID, for: response, &context, &out)
    }
}
