extension Reducer {
    /// Inbound and outbound calls, their timers, and wrap-up.
    static func reduceCalls(_ state: inout SoftphoneState, _ action: CallAction, _ step: inout Step) {
        let now = step.now
        switch action {
        case .incomingCall(let call):
            incoming(&state, call, &step)

        case .accept(let id):
            guard let i = state.index(of: id), state.calls[i].phase == .ringing else { return }
            step.effects.append(.cancelTimer(.noAnswer(id)))
            connect(&state, i, &step)
            step.effects.append(.line(.answer(id)))
            step.log(&state, .call, "answered \(state.calls[i].remote.display)")

        case .decline(let id):
            guard let call = state.call(id), call.phase == .ringing else { return }
            step.effects.append(.cancelTimer(.noAnswer(id)))
            step.effects.append(.line(.respond(id, status: SignallingPolicy.declineStatus, contact: nil)))
            finish(&state, call, .declined, reason: "declined by you", &step)

        case .callerCancelled(let id):
            guard let call = state.call(id), call.phase == .ringing else { return }
            step.effects.append(.cancelTimer(.noAnswer(id)))
            let seconds = (now - call.startedAt).wholeSeconds
            finish(&state, call, .missed, reason: "caller hung up after \(seconds) s", &step)

        case .timerFired(.noAnswer(let id)):
            guard let call = state.call(id), call.phase == .ringing else { return }
            let diversion = SignallingPolicy.noAnswer(call.kind, answering: state.settings.answering)
            step.effects.append(.line(.respond(id, status: diversion.sipStatus, contact: diversion.target)))
            finish(&state, call, .missed, reason: diversion.reason, diversion: diversion.record, &step)

        case .hangUp(let id):
            guard let call = state.call(id) else { return }
            switch call.phase {
            case .active, .held:
                step.effects.append(.line(.hangUp(id)))
                finish(&state, call, .answered, reason: "ended by you", &step)
            case .dialing:
                step.effects.append(.line(.cancelDial(id)))
                finish(&state, call, .unanswered, reason: "cancelled by you", &step)
            case .ringing:
                return
            }

        case .remoteHangUp(let id):
            guard let call = state.call(id), call.isConnected else { return }
            finish(&state, call, .answered, reason: "ended by the other party", &step)

        case .hold(let id):
            guard let i = state.index(of: id), state.calls[i].phase == .active else { return }
            state.calls[i].phase = .held
            step.effects.append(.line(.hold(id)))

        case .resume(let id):
            guard let i = state.index(of: id), state.calls[i].phase == .held else { return }
            connect(&state, i, &step)
            step.effects.append(.line(.resume(id)))

        case .transfer(let id, let target):
            guard let call = state.call(id), call.isConnected else { return }
            step.effects.append(.line(.transfer(id, target: target)))
            finish(&state, call, .answered, reason: "transferred to \(target)", &step)

        case .dial(let id, let target):
            guard state.call(id) == nil else { return }
            let decision = SignallingPolicy.outbound(state.policyContext)
            guard decision.isAllowed else {
                if case .refused(let rule, let reason) = decision {
                    step.log(&state, .call, "\(reason) (\(rule.rawValue))")
                }
                return
            }
            holdActiveCalls(&state, &step)
            state.calls.append(CallInProgress(id: id, direction: .outbound, remote: Party(number: target),
                                              kind: .direct, phase: .dialing, startedAt: now))
            step.effects.append(.line(.dial(id, target: target)))
            step.log(&state, .call, "calling \(target)")

        case .remoteAnswered(let id):
            guard let i = state.index(of: id), state.calls[i].phase == .dialing else { return }
            connect(&state, i, &step)
            step.log(&state, .call, "\(state.calls[i].remote.display) answered")

        case .outboundFailed(let id, let status, let reason):
            guard let call = state.call(id), call.phase == .dialing else { return }
            finish(&state, call, .unanswered, reason: "\(status) \(reason)", &step)

        case .remoteHold(let id, let held):
            guard let i = state.index(of: id), state.calls[i].isConnected, state.calls[i].remoteHold != held else { return }
            state.calls[i].remoteHold = held
            step.log(&state, .call, "\(state.calls[i].remote.display) \(held ? "put the call on hold" : "resumed the call")")

        case .mediaStats(let id, let stats):
            guard let i = state.index(of: id) else { return }
            state.calls[i].media = stats

        case .sendDTMF(let id, let digit):
            guard let i = state.index(of: id), state.calls[i].phase == .active else {
                step.log(&state, .call, "DTMF \(digit) not sent: it needs an active call")
                return
            }
            guard let upper = CallInProgress.dtmfDigit(digit) else {
                step.log(&state, .call, "DTMF \(digit) not sent: not a DTMF digit")
                return
            }
            state.calls[i].digitsSent = CallInProgress.appending(upper, to: state.calls[i].digitsSent)
            step.effects.append(.line(.sendDTMF(id, upper)))

        case .toggleMute(let id):
            guard let i = state.index(of: id), state.calls[i].isConnected else { return }
            state.calls[i].muted.toggle()
            step.effects.append(.line(.mute(id, state.calls[i].muted)))
            step.log(&state, .call, "microphone \(state.calls[i].muted ? "muted" : "unmuted") "
                     + "(\(state.calls[i].remote.display))")

        case .dtmfReceived(let id, let digit):
            guard let i = state.index(of: id), let upper = CallInProgress.dtmfDigit(digit) else { return }
            state.calls[i].digitsReceived = CallInProgress.appending(upper, to: state.calls[i].digitsReceived)

        case .remoteRinging(let id):
            guard let i = state.index(of: id), state.calls[i].phase == .dialing else { return }
            state.calls[i].remoteRinging = true

        case .mediaEncrypted(let id, let encrypted):
            guard let i = state.index(of: id), state.calls[i].encrypted != encrypted else { return }
            state.calls[i].encrypted = encrypted

        case .earlyMedia(let id):
            guard let i = state.index(of: id), state.calls[i].phase == .dialing, !state.calls[i].earlyMedia else { return }
            state.calls[i].earlyMedia = true
            step.log(&state, .call, "early media from \(state.calls[i].remote.display)")

        case .timerFired(.wrapUpEnd):
            guard let wrapUp = state.wrapUp, step.now >= wrapUp.until else { return }
            state.wrapUp = nil
            step.log(&state, .presence, "wrap-up over")

        case .prolongWrapUp:
            guard var wrapUp = state.wrapUp else { return }
            wrapUp.until = wrapUp.until + .seconds(state.settings.wrapUpSeconds)
            state.wrapUp = wrapUp
            step.effects.append(.startTimer(.wrapUpEnd, at: wrapUp.until))
            step.log(&state, .presence, "wrap-up prolonged by \(state.settings.wrapUpSeconds) s")
        }
    }

    /// An inbound call: ask the policy, then ring, divert or refuse (R1–R10).
    static func incoming(_ state: inout SoftphoneState, _ call: IncomingCall, _ step: inout Step) {
        guard state.call(call.id) == nil else { return }  // a retransmission
        let now = step.now
        let decision = SignallingPolicy.decide(call.kind, state.policyContext)
        let who = "\(call.from.display) (\(call.kind.label))"
        switch decision {
        case .refuse(let status, let rule, let reason):
            step.effects.append(.line(.respond(call.id, status: status, contact: nil)))
            step.log(&state, .call, "\(who): \(reason) (\(rule.rawValue)), answered \(status), not recorded")

        case .divert(let diversion):
            step.effects.append(.line(.respond(call.id, status: diversion.sipStatus, contact: diversion.target)))
            step.effects.append(.recordCall(CallRecord(
                id: call.id, direction: .inbound, remote: call.from, queue: call.kind.queue?.name,
                ringStartedAt: now, answeredAt: nil, endedAt: now, outcome: .diverted,
                diversion: diversion.record, reason: diversion.reason)))
            let target = diversion.target.map { " to \($0)" } ?? ""
            step.log(&state, .call, "\(who): \(diversion.reason) (\(diversion.specRule.rawValue)), "
                + "\(diversion.rule.kind.rawValue) \(diversion.sipStatus)\(target)")

        case .signal(let rule, let reason):
            state.calls.append(CallInProgress(id: call.id, direction: .inbound, remote: call.from,
                                              kind: call.kind, phase: .ringing, startedAt: now))
            step.effects.append(.line(.ring(call.id)))
            let noAnswer = now + .seconds(state.settings.answering.noAnswerSeconds)
            step.effects.append(.startTimer(.noAnswer(call.id), at: noAnswer))
            step.log(&state, .call, "\(who): \(reason) (\(rule.rawValue))")
        }
    }

    /// Makes call `i` the active one: other active calls go on hold, wrap-up ends.
    static func connect(_ state: inout SoftphoneState, _ i: Int, _ step: inout Step) {
        holdActiveCalls(&state, &step)
        state.calls[i].phase = .active
        if state.calls[i].answeredAt == nil { state.calls[i].answeredAt = step.now }
        endWrapUp(&state, &step, because: "a call")
    }

    static func holdActiveCalls(_ state: inout SoftphoneState, _ step: inout Step) {
        for j in state.calls.indices where state.calls[j].phase == .active {
            state.calls[j].phase = .held
            step.effects.append(.line(.hold(state.calls[j].id)))
        }
    }

    /// Removes a call, records it (R10), counts it if missed, and starts wrap-up
    /// after the last connected call (R11).
    static func finish(_ state: inout SoftphoneState, _ call: CallInProgress, _ outcome: CallOutcome,
                       reason: String, diversion: DiversionRecord? = nil, _ step: inout Step) {
        let now = step.now
        state.calls.removeAll { $0.id == call.id }
        step.effects.append(.recordCall(CallRecord(
            id: call.id, direction: call.direction, remote: call.remote, queue: call.kind.queue?.name,
            ringStartedAt: call.startedAt, answeredAt: call.answeredAt, endedAt: now, outcome: outcome,
            diversion: diversion, reason: reason)))
        if outcome == .missed { state.missedCount += 1 }
        step.log(&state, .call, "\(call.remote.display): \(outcome.rawValue), \(reason)")

        let wrapUpSeconds = state.settings.wrapUpSeconds
        if call.answeredAt != nil, wrapUpSeconds > 0, state.loggedIn, !state.calls.contains(where: \.isConnected) {
            let until = now + .seconds(wrapUpSeconds)
            state.wrapUp = WrapUp(startedAt: now, until: until)
            step.effects.append(.startTimer(.wrapUpEnd, at: until))
            step.log(&state, .presence, "wrap-up for \(wrapUpSeconds) s (R11)")
        }
    }

    /// Logout ends every call: ringing ones are refused (480, not a missed call: the
    /// agent left on purpose), connected ones hung up, dialled ones cancelled.
    static func endAllCalls(_ state: inout SoftphoneState, _ step: inout Step) {
        for call in state.calls {
            switch call.phase {
            case .ringing:
                step.effects.append(.cancelTimer(.noAnswer(call.id)))
                step.effects.append(.line(.respond(call.id, status: SignallingPolicy.loggedOutStatus, contact: nil)))
                finish(&state, call, .diverted, reason: "not signalled: you logged out while it rang", &step)
            case .active, .held:
                step.effects.append(.line(.hangUp(call.id)))
                finish(&state, call, .answered, reason: "ended by logging out", &step)
            case .dialing:
                step.effects.append(.line(.cancelDial(call.id)))
                finish(&state, call, .unanswered, reason: "cancelled by logging out", &step)
            }
        }
        endWrapUp(&state, &step, because: "logging out")
    }
}
