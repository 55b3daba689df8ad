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
        let outputs = registration.handle(input, &shared)
        for case .report(.registration(let state)) in outputs {
            switch state {
            case .registering, .registered, .failed: loggedInToRegistrar = true
            case .listening, .unregistered: loggedInToRegistrar = false
            }
        }
        carry(outputs, owner: { _ in .registration }, timer: Self.lineTimer, authAttempts: authAttempts, now, &out)
    }

    static func lineTimer(_ timer: Registration.Timer) -> LineTimer {
        switch timer {
        case .refresh: .registrationRefresh
        case .retry: .registrationRetry
        case .keepAlive: .keepAlive
        case .failover: .registrationFailover
        }
    }
}
