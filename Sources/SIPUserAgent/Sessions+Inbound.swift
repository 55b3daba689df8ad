import SDP
import SIP

/// Inbound calls: the INVITE, the core's decision, CANCEL, answering.
extension Sessions {
    /// A new INVITE outside any dialog: check it, make a leg, ask the core.
    mutating func incomingInvite(_ request: SIPRequest, key: TransactionKey, origin: SIPHop,
                                 _ context: inout AgentContext, _ out: inout [Output]) {
        guard let callID = request.headers.callID,
              let from = try? request.headers.from, let to = try? request.headers.to,
              let cseq = try? request.headers.cseq else { return }
        let tag = context.token(10)
        let unsupported = request.headers.values(.require).filter { !AgentContext.understood.contains(trimmed($0[...]).lowercased()) }
        if !unsupported.isEmpty {
            var response = context.makeResponse(request, status: 420, tag: tag)
            response.headers.add("Unsupported", unsupported.joined(separator: ", "))
            reply(response, on: key, &context, &out)
            return
        }
        let timer: SessionTimer?
        switch negotiateTimer(request) {
        case .success(let settled): timer = settled
        case .failure(let refusal):
            reply(refusal.response(to: request, tag: tag, context), on: key, &context, &out)
            return
        }
        if calls[callID] != nil {
            // Same Call-ID, another From tag or CSeq: a merged request (§8.2.2.2).
            reply(context.makeResponse(request, status: 482, reason: "Loop Detected", tag: tag), on: key, &context, &out)
            return
        }
        var offer: SessionDescription?
        if !request.body.isEmpty {
            do {
                let parsed = try sdp(request)
                if let refusal = Self.refusal(of: parsed, over: origin, context) { throw refusal }
                offer = parsed
            } catch {
                note("call from \(CallerInfo.party(request).display) refused with 488: \(error)", &out)
                reply(context.makeResponse(request, status: 488, tag: tag), on: key, &context, &out)
                return
            }
        }
        let remoteTarget = ((try? request.headers.contacts) ?? []).first?.uri ?? from.uri
        var local = to
        local.parameters.remove("tag")
        var remote = from
        remote.parameters.remove("tag")
        let dialog = Dialog(callID: callID, localTag: tag, remoteTag: from.tag, localAddress: local,
                            remoteAddress: remote, remoteTarget: remoteTarget,
                            routeSet: (try? request.headers.recordRoutes) ?? [], localSequence: context.random32(),
                            remoteSequence: cseq.sequence, transport: origin.transport)
        var leg = CallLeg(coreID: LineCallID(callID), direction: .inbound, phase: .offered, dialog: dialog, invite: request,
                          inviteKey: key, origin: origin, remoteOffer: offer)
        let tags = optionTags(request.headers, .supported).union(optionTags(request.headers, .require))
        leg.sessionTimer = timer
        leg.peerSupportsTimer = tags.contains("timer")
        leg.peerAllowsUpdate = allows(request.headers, .update)
        leg.reliableProvisionals = tags.contains("100rel")
        store(leg)
        let call = LineIncomingCall(id: leg.coreID, caller: CallerInfo.party(request), hints: CallerInfo.hints(request))
        out.append(.report(.incomingCall(call)))
    }

    /// The core signals the call: 180 Ringing, and an RTP port is readied for the answer.
    mutating func ring(_ id: LineCallID, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id), leg.phase == .offered, let key = leg.inviteKey else { return }
        leg.phase = .ringing
        var ringing = context.makeResponse(leg.invite, status: 180, tag: leg.dialog.localTag,
                                           contactFor: leg.dialog.transport)
        var timers: [ResponseRetransmission.Output] = []
        if leg.reliableProvisionals {
            // RFC 3262 §3: reliable, numbered from a random start below 2^31.
            let rseq = leg.lastRSeq.map { $0 &+ 1 } ?? context.random32()
            ringing.headers.add("Require", "100rel")
            ringing.headers.add("RSeq", String(rseq))
            ringing.headers.add("Allow", AgentContext.allowed)
            leg.lastRSeq = rseq
            let sequence = (try? leg.invite.headers.cseq.sequence) ?? 0
            let (pending, started) = ResponseRetransmission.start(ringing, rseq: rseq, sequence: sequence,
                                                                  timers: context.configuration.timers)
            leg.pendingProvisional = pending
            timers = started
        }
        store(leg)
        reply(ringing, on: key, &context, &out)
        carry(timers, provisional: true, callID: leg.sipCallID, &out)
        out.append(.media(.open(id)))
    }

    /// A final answer without (or after) ringing: 302 with the target, 480, 486, 603.
    mutating func respond(_ id: LineCallID, status: Int, contact: String?, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = leg(id), leg.direction == .inbound, let key = leg.inviteKey,
              [.offered, .ringing, .answering].contains(leg.phase) else { return }
        var response = context.makeResponse(leg.invite, status: status, tag: leg.dialog.localTag)
        if let contact, (300..<400).contains(status) {
            response.headers.add("Contact", Self.addressHeader(contact, domain: context.configuration.domain))
        }
        reply(response, on: key, &context, &out)
        forget(leg.sipCallID, &out)
    }

    /// The agent answers: 200 with our SDP once the RTP port is ready.
    mutating func answer(_ id: LineCallID, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id), leg.direction == .inbound, leg.phase == .ringing || leg.phase == .offered else { return }
        if leg.phase == .offered { out.append(.media(.open(id))) }
        leg.phase = .answering
        store(leg)
        if leg.mediaPort != nil { sendOK(leg.sipCallID, &context, &out) }
    }

    /// The RTP port is ready: an outbound call can be placed, an answered one completed.
    mutating func mediaOpened(_ id: LineCallID, port: UInt16, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = leg(id) else {
            out.append(.media(.close(id)))  // the call ended meanwhile
            return
        }
        leg.mediaPort = port
        store(leg)
        switch leg.phase {
        case .answering: sendOK(leg.sipCallID, &context, &out)
        case .preparing: sendInvite(leg.sipCallID, &context, &out)
        default: break
        }
    }

    /// No RTP port: the call cannot carry audio.
    mutating func mediaFailed(_ id: LineCallID, reason: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let leg = leg(id) else { return }
        note("no audio port for the call with \(leg.dialog.remoteAddress.uri): \(reason)", &out)
        switch leg.phase {
        case .answering, .ringing:
            if let key = leg.inviteKey {
                reply(context.makeResponse(leg.invite, status: 500, reason: "No Media Port", tag: leg.dialog.localTag),
                      on: key, &context, &out)
            }
            out.append(.report(callerEnded(leg)))
            forget(leg.sipCallID, &out)
        case .preparing:
            out.append(.report(.outboundFailed(id, status: 500, reason: "no audio port: \(reason)")))
            forget(leg.sipCallID, &out)
        default:
            break
        }
    }

    /// Sends the 2xx with our answer (or our offer, for an INVITE without SDP) and
    /// retransmits it until the ACK (§13.3.1.4).
    mutating func sendOK(_ callID: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var leg = calls[callID], let key = leg.inviteKey, let port = leg.mediaPort else { return }
        var ok = context.makeResponse(leg.invite, status: 200, tag: leg.dialog.localTag, contactFor: leg.dialog.transport,
                              capabilities: true)
        addSessionExpires(&ok, leg)
        if leg.pendingProvisional != nil {
            // Our 180 carried no SDP: the 2xx may go before its PRACK (RFC 3262 §3), which ends its retransmission.
            leg.pendingProvisional = nil
            carry(ResponseRetransmission.stopped, provisional: true, callID: callID, &out)
        }
        let description: SessionDescription
        let encryption = answerEncryption(&leg, &context)
        if let offer = leg.remoteOffer,
           let answer = try? OfferAnswer.answer(offer: offer, localAddress: context.configuration.mediaHost, localPort: port,
                                                sessionID: sessionID, version: 1, supported: context.configuration.codecs,
                                                hold: leg.localHold, encryption: encryption) {
            description = answer
            leg.media = plan(offer: offer, answer: answer, codecs: context.configuration.codecs)
            leg.remoteHold = Self.isHold(offer)
        } else {
            description = makeOffer(&leg, port: port, version: 1, &context)
            leg.okCarriesOffer = true
        }
        leg.localSDP = description
        AgentContext.withSDP(&ok, description.text)
        leg.phase = .answered
        // The ACK carries the INVITE's CSeq number (a PRACK may have raised the dialog's since).
        let (pending, timers) = ResponseRetransmission.start(ok, sequence: (try? leg.invite.headers.cseq.sequence)
                                                           ?? leg.dialog.remoteSequence,
                                                       timers: context.configuration.timers)
        leg.pendingOK = pending
        store(leg)
        reply(ok, on: key, &context, &out)
        if let media = leg.media {
            startMedia(&leg, media, &out)
            store(leg)
        }
        carry(timers, callID: callID, &out)
        armSessionTimer(callID, &out)
    }

    /// A CANCEL: 200 for it, 487 for the INVITE if still unanswered, and a missed call (R10).
    mutating func incomingCancel(_ request: SIPRequest, key: TransactionKey, inviteProceeding: Bool?,
                                 _ context: inout AgentContext, _ out: inout [Output]) {
        let inviteKey = key.cancelledInvite
        guard let proceeding = inviteProceeding else {
            reply(context.makeResponse(request, status: 481, tag: context.token(10)), on: key, &context, &out)
            return
        }
        reply(context.makeResponse(request, status: 200, tag: nil), on: key, &context, &out)
        guard proceeding, let callID = request.headers.callID, let leg = calls[callID] else { return }
        reply(context.makeResponse(leg.invite, status: 487, tag: leg.dialog.localTag), on: inviteKey, &context, &out)
        if leg.phase == .offered || leg.phase == .ringing || leg.phase == .answering {
            out.append(.report(callerEnded(leg)))
        }
        forget(callID, &out)
    }

    /// How the core hears that an inbound call ended before our 2xx: once the agent accepted
    /// (`answering`) the core holds the call as active and ends it on `remoteHangUp` only;
    /// before that it is a ringing call the caller gave up on.
    func callerEnded(_ leg: CallLeg) -> LineEvent {
        leg.phase == .answering ? .remoteHangUp(leg.coreID) : .callerCancelled(leg.coreID)
    }

    /// Where to send RTP and with what, from an offer (or answer) and our reply to it: the codec
    /// our own description settled on (the first of `codecs` when it lists several), on the
    /// payload type the other side's description gives it (RFC 3264 §5.1).
    func plan(offer remote: SessionDescription, answer local: SessionDescription, codecs: [Codec]) -> MediaPlan? {
        let ours = local.negotiatedAudio(supported: codecs)
        // Our answer names the one codec we chose; when ours is the offer (several codecs), the
        // peer answered, and the first format of its answer we support is what it sends.
        let weOffered = local.supportedCodecCount(codecs) > 1
        let preferred = weOffered ? codecs : ours.map { [$0.codec] + codecs } ?? codecs
        guard let negotiated = remote.negotiatedAudio(supported: preferred, theirOrder: weOffered),
              let destination = negotiated.remote else {
            return nil
        }
        let sending = (ours?.direction ?? .sendrecv).sends && negotiated.direction.receives
        // A description of ours that is encrypted with an answer that is not (or the other way
        // round) carries no audio: nothing is sent in the clear that was meant to be secret.
        let keys = Self.keys(local: ours, remote: negotiated)
        if keys == nil, ours?.crypto != nil, local.media.first(where: { $0.type == "audio" })?.isSecureProfile == true {
            return nil
        }
        return MediaPlan(remoteHost: destination.address, remotePort: destination.port,
                         payloadType: negotiated.payloadType, codec: negotiated.codec.name,
                         clockRate: negotiated.codec.clockRate,
                         telephoneEventPayloadType: negotiated.telephoneEventPayloadType,
                         telephoneEventClockRate: negotiated.telephoneEventClockRate == negotiated.codec.clockRate
                             ? nil : negotiated.telephoneEventClockRate,
                         sending: sending, srtp: keys)
    }

    /// Whether a description puts us on hold: its audio does not want to receive, or
    /// `c=0.0.0.0` (RFC 2543 style).
    static func isHold(_ description: SessionDescription) -> Bool {
        guard let audio = description.negotiatedAudio() else { return false }
        return !audio.direction.receives || audio.remote?.address == "0.0.0.0"
    }

    /// Parses the SDP body of a message.
    func sdp(_ message: some SDPCarrier) throws -> SessionDescription {
        try SessionDescription(parsing: String(decoding: message.body, as: UTF8.self))
    }

    /// A Contact/Refer-To value for a target that may be a number or a URI.
    static func addressHeader(_ target: String, domain: String) -> String {
        if let uri = TargetURI.uri(for: target, domain: domain) { return NameAddress(uri: uri).description }
        return "<\(target)>"
    }


    /// Carries out what a call's retransmission machine asks: its timers, and the response
    /// again — a 2xx to the INVITE's origin, a reliable provisional on the INVITE's transaction.
    func carry(_ outputs: [ResponseRetransmission.Output], provisional: Bool = false, callID: String,
               _ out: inout [Output]) {
        for output in outputs {
            switch output {
            case .resend(let response):
                if provisional {
                    if let key = calls[callID]?.inviteKey { out.append(.respond(response, on: key)) }
                } else if let origin = calls[callID]?.origin {
                    out.append(.resend(response, to: origin))
                }
            case .startTimer(let timer, let after):
                out.append(.startTimer(Self.timer(timer, provisional: provisional, callID), after: after))
            case .cancelTimer(let timer): out.append(.cancelTimer(Self.timer(timer, provisional: provisional, callID)))
            case .acknowledged, .timedOut: break  // the caller acts on these
            }
        }
    }

    static func timer(_ timer: ResponseRetransmission.Timer, provisional: Bool, _ callID: String) -> Timer {
        switch (timer, provisional) {
        case (.retransmit, false): .okRetransmit(callID: callID)
        case (.timeout, false): .okTimeout(callID: callID)
        case (.retransmit, true): .provisionalRetransmit(callID: callID)
        case (.timeout, true): .provisionalTimeout(callID: callID)
        }
    }
}
