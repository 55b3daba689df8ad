import SIP
import SIPAuth
import Timekeeping

/// The registration of the line's contact with the registrar (RFC 3261 §10).
struct Registration: Sendable {
    enum Phase: Sendable, Equatable {
        case idle
        case registering
        case registered
        case unregistering
        case failed
    }

    /// One Call-ID for every REGISTER of this agent (§10.2).
    var callID: String
    var sequence: UInt32 = 0
    var phase: Phase = .idle
    /// Whether the core wants the line registered (logged in).
    var wanted = false
    /// The REGISTER whose answer counts; answers to older ones are ignored.
    var current: TransactionKey?
    /// The lifetime to ask for (raised by 423 Interval Too Brief).
    var expires: UInt32 = 600
    /// The next wait after a failure.
    var retryDelay: Duration = .zero
}

extension LineAgent {
    mutating func register(_ now: SIPInstant, _ out: inout [LineOutput]) {
        registration.wanted = true
        startSubscriptions(now, &out)
        guard configuration.registrar != nil else {
            out.append(.report(.registration(.listening)))
            return
        }
        registration.expires = configuration.registerExpires
        registration.retryDelay = configuration.retryDelay
        out.append(.report(.registration(.registering)))
        sendRegister(expires: registration.expires, now, &out)
    }

    mutating func unregister(_ now: SIPInstant, _ out: inout [LineOutput]) {
        registration.wanted = false
        stopSubscriptions(now, &out)
        out.append(.cancelTimer(.registrationRefresh))
        out.append(.cancelTimer(.registrationRetry))
        switch registration.phase {
        case .registered, .registering:
            registration.phase = .unregistering
            sendRegister(expires: 0, now, &out)
        case .idle, .failed, .unregistering:
            registration.current = nil
            registration.phase = .idle
            out.append(.report(.registration(.unregistered)))
        }
    }

    /// Sends a REGISTER for our contact with `expires` (0 removes the binding).
    mutating func sendRegister(expires: UInt32, authorization: (name: String, value: String)? = nil,
                               _ now: SIPInstant, _ out: inout [LineOutput]) {
        guard let registrar = configuration.registrar, let hop = configuration.outboundProxy else { return }
        if expires > 0 { registration.phase = .registering }
        registration.sequence += 1
        var uri = registrar
        uri.parameters = SIPParameters()
        uri.user = nil
        var request = makeRequest(.register, uri: uri, to: NameAddress(uri: configuration.addressOfRecord).description,
                                  from: tagged(configuration.addressOfRecord), callID: registration.callID,
                                  sequence: registration.sequence, transport: hop.transport)
        request.headers.add("Contact", contact(hop.transport) + ";expires=\(expires)")
        request.headers.add("Expires", String(expires))
        if let authorization {
            request.headers.add(authorization.name, authorization.value)
        } else if var authenticator, let value = authenticator.authorization(method: "REGISTER", uri: uri.description) {
            request.headers.add("Authorization", value)
            self.authenticator = authenticator
        }
        registration.current = sendRequest(request, to: hop, owner: .registration, now, &out)
    }

    mutating func registrationResponse(_ response: SIPResponse, key: TransactionKey, _ now: SIPInstant,
                                       _ out: inout [LineOutput]) {
        guard key == registration.current, response.statusCode >= 200 else { return }
        registration.current = nil
        let removing = registration.phase == .unregistering
        switch response.statusCode {
        case 200..<300:
            authenticator?.succeeded()
            if removing || !registration.wanted {
                registration.phase = .idle
                out.append(.report(.registration(.unregistered)))
                if registration.wanted { register(now, &out) }
                return
            }
            let granted = grantedExpiry(response) ?? registration.expires
            registration.phase = .registered
            registration.retryDelay = configuration.retryDelay
            out.append(.report(.registration(.registered)))
            out.append(.startTimer(.registrationRefresh, after: Self.refreshDelay(granted)))
        case 423 where !removing:
            let minimum = response.headers.first(HeaderName("Min-Expires")).flatMap { UInt32($0.trimmed) }
            if let minimum, minimum > registration.expires {
                registration.expires = minimum
                sendRegister(expires: minimum, now, &out)
            } else {
                registrationFailed(key: key, reason: "423 Interval Too Brief without a usable Min-Expires", now, &out)
            }
        default:
            var reason = "\(response.statusCode) \(response.reasonPhrase)"
            if response.statusCode == 401 || response.statusCode == 407 || response.statusCode == 403 {
                reason += configuration.credentials == nil ? " (no password configured)" : " (wrong user name or password?)"
            }
            if removing {
                registration.phase = .idle
                note("de-registration answered \(reason)", &out)
                out.append(.report(.registration(.unregistered)))
            } else {
                registrationFailed(key: key, reason: reason, now, &out)
            }
        }
    }

    /// The registrar did not answer, refused, or could not be reached: say why, try again later.
    mutating func registrationFailed(key: TransactionKey, reason: String, _ now: SIPInstant, _ out: inout [LineOutput]) {
        guard key == registration.current || registration.current == nil else { return }
        registration.current = nil
        if registration.phase == .unregistering || !registration.wanted {
            registration.phase = .idle
            out.append(.report(.registration(.unregistered)))
            return
        }
        registration.phase = .failed
        out.append(.report(.registration(.failed(reason: reason))))
        let delay = registration.retryDelay
        note("registration failed: \(reason); trying again in \(Self.seconds(delay))", &out)
        out.append(.startTimer(.registrationRetry, after: delay))
        registration.retryDelay = min(delay * 2, configuration.maximumRetryDelay)
    }

    mutating func registrationTimer(_ now: SIPInstant, _ out: inout [LineOutput]) {
        guard registration.wanted, registration.current == nil else { return }
        sendRegister(expires: registration.expires, now, &out)
    }

    /// The lifetime the registrar granted our contact: its `expires` parameter, else Expires.
    func grantedExpiry(_ response: SIPResponse) -> UInt32? {
        let ours = (try? response.headers.contacts) ?? []
        let local = configuration.local
        if let mine = ours.first(where: { $0.uri.user == configuration.user && $0.uri.host == local.host
                                             && Int($0.uri.port ?? 5060) == local.port }),
           let expires = mine.expires {
            return expires
        }
        return (try? response.headers.expires) ?? nil
    }

    /// Refresh well before expiry: halfway for short lifetimes, a minute early for long ones.
    static func refreshDelay(_ expires: UInt32) -> Duration {
        let early = min(60, Int(expires) / 2)
        return .seconds(max(1, Int(expires) - early))
    }

    static func seconds(_ duration: Duration) -> String {
        "\(duration.wholeSeconds) s"
    }
}
