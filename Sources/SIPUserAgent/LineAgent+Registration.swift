import SIP

extension LineAgent {
    /// Login: subscribe to watched colleagues, register.
    mutating func register(_ now: SIPInstant, _ out: inout [LineOutput]) {
        runSubscriptions(.start, now, &out)
        runRegistration(.register, now, &out)
    }

    /// Logout: end subscriptions, remove the binding.
    mutating func unregister(_ now: SIPInstant, _ out: inout [LineOutput]) {
        runSubscriptions(.stop, now, &out)
        runRegistration(.unregister, now, &out)
    }

    /// One step of the registration machine; its REGISTERs start client transactions owned by it.
    mutating func runRegistration(_ input: Registration.Input, authAttempts: Int = 0, _ now: SIPInstant,
                                  _ out: inout [LineOutput]) {
        for output in registration.handle(input, &shared) {
            switch output {
            case .send(let request, let hop):
                _ = sendRequest(request, to: hop, owner: .registration, authAttempts: authAttempts, now, &out)
            case .startTimer(let timer, let after):
                out.append(.startTimer(Self.lineTimer(timer), after: after))
            case .cancelTimer(let timer):
                out.append(.cancelTimer(Self.lineTimer(timer)))
            case .report(let event):
                out.append(.report(event))
            case .respond:
                break  // registration answers no requests
            }
        }
    }

    static func lineTimer(_ timer: Registration.Timer) -> LineTimer {
        switch timer {
        case .refresh: .registrationRefresh
        case .retry: .registrationRetry
        }
    }
}
