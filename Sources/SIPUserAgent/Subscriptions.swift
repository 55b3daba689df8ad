import PIDF
import SIP

/// A subscription to one colleague's presence (RFC 3856 over RFC 6665).
struct Subscription: Sendable {
    let uri: SIPURI
    var dialog: Dialog
    /// The SUBSCRIBE whose answer counts.
    var current: TransactionKey?
    /// The notifier answered (2xx) or notified: the dialog is up.
    var established = false
    /// The agent wants it (logged in); false while it is being removed.
    var wanted = true
    /// We reported this failure already.
    var told = false
}

/// The subscriptions to watched colleagues' presence as a machine of its own (libre's
/// `sipsub`/`sipevent`): login and logout, responses and failures of its SUBSCRIBEs, NOTIFYs
/// in their dialogs and its timers come in; SUBSCRIBEs (initial, refresh, re-subscribe,
/// unsubscribe), answers to NOTIFYs, timers and the watched documents go out. No clock.
struct Subscriptions: Sendable {
    /// The machine's timers, one per watched URI: refresh, retry, or forget after removal.
    enum Timer: Hashable, Sendable { case refresh(uri: String) }

    /// What reaches the machine.
    enum Input: Sendable {
        /// Login: subscribe to every watched colleague.
        case start
        /// Logout: end every subscription.
        case stop
        case response(SIPResponse, TransactionKey, uri: String)
        case failed(TransactionKey, uri: String, reason: String)
        /// A NOTIFY in the dialog of the subscription to `uri` (see `uri(for:)`).
        case notify(SIPRequest, uri: String)
        case timerFired(Timer)
        /// The current SUBSCRIBE of `uri` again, with credentials for a challenge.
        case resend(SIPRequest, uri: String, hop: SIPHop)
    }

    typealias Output = MachineOutput<Timer>

    /// Colleagues' presence subscriptions by their URI.
    private(set) var entries: [String: Subscription] = [:]
    /// The watched URI of each subscription dialog, by Call-ID (NOTIFYs are matched by it).
    private var byCallID: [String: String] = [:]

    /// Whether a removal is still unanswered (logout waits for it).
    var isPending: Bool { entries.values.contains { !$0.wanted && $0.current != nil } }

    /// Whether a response or failure of this transaction is the one that counts for `uri`.
    func owns(_ key: TransactionKey, uri: String) -> Bool { key == entries[uri]?.current }

    /// The watched URI of the subscription that sent a request with this Call-ID.
    func uri(ofCallID callID: String?) -> String? { callID.flatMap { byCallID[$0] } }

    /// The subscription a NOTIFY belongs to: same Call-ID, our tag in To.
    func uri(for request: SIPRequest) -> String? {
        guard let callID = request.headers.callID, let toTag = try? request.headers.to.tag,
              let uri = byCallID[callID], entries[uri]?.dialog.localTag == toTag else { return nil }
        return uri
    }

    mutating func handle(_ input: Input, _ context: inout AgentContext) -> [Output] {
        var out: [Output] = []
        switch input {
        case .start: start(&context, &out)
        case .stop: stop(&context, &out)
        case .response(let response, let key, let uri): received(response, key: key, uri: uri, &context, &out)
        case .failed(let key, let uri, let reason): failed(key: key, uri: uri, reason: reason, &out)
        case .notify(let request, let uri): notified(request, uri: uri, &context, &out)
        case .timerFired(.refresh(let uri)): timerFired(uri, &context, &out)
        case .resend(let request, let uri, let hop): resend(request, uri: uri, hop: hop, &context, &out)
        }
        return out
    }

    /// Login: subscribe to every watched colleague.
    private mutating func start(_ context: inout AgentContext, _ out: inout [Output]) {
        guard context.configuration.presence else { return }
        for uri in context.configuration.watched where entries[uri.description]?.wanted != true {
            subscribe(uri, &context, &out)
        }
    }

    /// Logout: end every subscription (SUBSCRIBE with Expires: 0); an established one is kept
    /// until the notifier's answer, so its last NOTIFY finds its dialog.
    private mutating func stop(_ context: inout AgentContext, _ out: inout [Output]) {
        for (key, subscription) in entries {
            out.append(.cancelTimer(.refresh(uri: key)))
            guard subscription.established else {
                forget(key)
                continue
            }
            entries[key]?.wanted = false
            sendSubscribe(key, expires: 0, &context, &out)
        }
    }

    /// A new subscription (a new dialog) to `uri`.
    private mutating func subscribe(_ uri: SIPURI, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let hop = context.presenceServer ?? SIPHop(uri: uri) else { return }
        var local = NameAddress(displayName: context.configuration.displayName, uri: context.configuration.addressOfRecord)
        local.parameters = SIPParameters()
        let dialog = Dialog(callID: context.token(20) + "@" + context.configuration.local.host, localTag: context.token(10), remoteTag: nil,
                            localAddress: local, remoteAddress: NameAddress(uri: uri), remoteTarget: uri,
                            localSequence: context.random32(), transport: hop.transport)
        if let old = entries[uri.description] { byCallID[old.dialog.callID] = nil }
        entries[uri.description] = Subscription(uri: uri, dialog: dialog)
        byCallID[dialog.callID] = uri.description
        sendSubscribe(uri.description, expires: context.configuration.presenceExpires, &context, &out)
    }

    /// Sends a SUBSCRIBE in the subscription's dialog (the first one creates it).
    private mutating func sendSubscribe(_ key: String, expires: UInt32, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var subscription = entries[key] else { return }
        let hop: SIPHop?
        let uri: SIPURI
        var routes: [String] = []
        if subscription.established {
            let routing = subscription.dialog.routing()
            (uri, routes, hop) = (routing.uri, routing.routes, routing.hop)
        } else {
            (uri, hop) = (subscription.uri, context.presenceServer ?? SIPHop(uri: subscription.uri))
            if context.presenceServer != nil { routes = context.outboundRoutes(to: uri) }
        }
        guard let hop else { return }
        subscription.dialog.localSequence += 1
        var request = context.makeRequest(.subscribe, uri: uri, to: subscription.dialog.remoteHeader,
                                  from: subscription.dialog.localHeader, callID: subscription.dialog.callID,
                                  sequence: subscription.dialog.localSequence, transport: hop.transport, routes: routes)
        request.headers.add("Contact", context.contact(hop.transport))
        request.headers.add("Event", "presence")
        request.headers.add("Accept", PIDFDocument.contentType)
        request.headers.add("Expires", String(expires))
        context.addCredentials(&request)
        subscription.current = try? TransactionKey.client(sending: request)
        entries[key] = subscription
        out.append(.send(request, to: hop))
    }

    private mutating func received(_ response: SIPResponse, key: TransactionKey, uri: String,
                                   _ context: inout AgentContext, _ out: inout [Output]) {
        guard var subscription = entries[uri], key == subscription.current, response.statusCode >= 200 else {
            return
        }
        subscription.current = nil
        guard subscription.wanted else {
            // The removal was answered; the notifier's final NOTIFY may still come (it
            // finds its dialog): forget the subscription then, or after 32 s.
            entries[uri] = subscription
            out.append(.startTimer(.refresh(uri: uri), after: .seconds(32)))
            return
        }
        switch response.statusCode {
        case 200..<300:
            if !subscription.established {
                subscription.established = true
                if let tag = try? response.headers.to.tag { subscription.dialog.remoteTag = tag }
                if let target = ((try? response.headers.contacts) ?? []).first?.uri {
                    subscription.dialog.remoteTarget = target
                }
                subscription.dialog.routeSet = ((try? response.headers.recordRoutes) ?? []).reversed()
            }
            subscription.told = false
            entries[uri] = subscription
            let granted = ((try? response.headers.expires) ?? nil) ?? context.configuration.presenceExpires
            out.append(.startTimer(.refresh(uri: uri), after: Registration.refreshDelay(max(granted, 2))))
        case 481 where subscription.established:
            // The notifier forgot the dialog: subscribe anew.
            forget(uri)
            subscribe(subscription.uri, &context, &out)
        default:
            entries[uri] = subscription
            failed(key: key, uri: uri, reason: "\(response.statusCode) \(response.reasonPhrase)", &out)
        }
    }

    /// No subscription: say why once, and try a new one in five minutes (one minute after a timeout).
    private mutating func failed(key: TransactionKey, uri: String, reason: String, _ out: inout [Output]) {
        guard var subscription = entries[uri] else { return }
        guard subscription.wanted else {
            forget(uri)  // the removal failed: forget it anyway
            return
        }
        if subscription.current == key { subscription.current = nil }
        subscription.established = false
        if !subscription.told {
            subscription.told = true
            out.append(.report(.note("no presence for \(uri): \(reason)")))
        }
        entries[uri] = subscription
        let wait: Duration = reason.hasPrefix("no answer") || reason.hasPrefix("cannot reach") ? .seconds(60) : .seconds(300)
        out.append(.startTimer(.refresh(uri: uri), after: wait))
    }

    /// Refresh an established subscription, or start again after a failure.
    private mutating func timerFired(_ uri: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let subscription = entries[uri] else { return }
        guard subscription.wanted else {
            forget(uri)  // removed: no final NOTIFY came
            return
        }
        guard subscription.current == nil else { return }
        if subscription.established {
            sendSubscribe(uri, expires: context.configuration.presenceExpires, &context, &out)
        } else {
            let told = subscription.told
            subscribe(subscription.uri, &context, &out)
            entries[uri]?.told = told
        }
    }

    /// A NOTIFY (RFC 6665 §4.1.3): 200, the presence it carries to the Team tab, and a new
    /// subscription when the notifier ended this one for a reason that allows it.
    private mutating func notified(_ request: SIPRequest, uri: String, _ context: inout AgentContext, _ out: inout [Output]) {
        guard var subscription = entries[uri] else { return }
        let sequence = (try? request.headers.cseq.sequence) ?? 0
        if let last = subscription.dialog.remoteSequence, sequence <= last {
            // An older NOTIFY arriving late (UDP): its state is out of date.
            out.append(.respond(context.makeResponse(request, status: 200, tag: nil)))
            return
        }
        out.append(.respond(context.makeResponse(request, status: 200, tag: nil)))
        if !subscription.established {
            // The NOTIFY came before the 2xx: it establishes the dialog (RFC 6665 §4.1.2.4),
            // with its Record-Route as the route set (in the order the NOTIFY carries it).
            subscription.established = true
            if let tag = try? request.headers.from.tag { subscription.dialog.remoteTag = tag }
            subscription.dialog.routeSet = (try? request.headers.recordRoutes) ?? []
        }
        if let target = ((try? request.headers.contacts) ?? []).first?.uri { subscription.dialog.remoteTarget = target }
        subscription.dialog.remoteSequence = sequence
        if !request.body.isEmpty {
            do {
                let document = try PIDFDocument(parsing: request.body)
                out.append(.report(.watched(uri: uri, document)))
            } catch {
                if !subscription.told { out.append(.report(.note("presence of \(uri) unreadable: \(error)"))) }
                subscription.told = true
            }
        }
        entries[uri] = subscription
        let state = request.headers.first(HeaderName("Subscription-State"))?.lowercased() ?? "active"
        guard state.hasPrefix("terminated") else { return }
        out.append(.cancelTimer(.refresh(uri: uri)))
        forget(uri)
        guard subscription.wanted else { return }
        let parameters = Self.parameters(of: state)
        let reason = parameters["reason"] ?? ""
        let retryAfter = parameters["retry-after"].flatMap { UInt32($0) }
        switch reason {
        case "rejected", "noresource", "invariant":
            // The notifier will not serve this subscription: try again in five minutes.
            var failed = Subscription(uri: subscription.uri, dialog: subscription.dialog)
            failed.told = true
            entries[uri] = failed
            out.append(.report(.note("no presence for \(uri): the server ended the subscription (\(state))")))
            out.append(.startTimer(.refresh(uri: uri), after: .seconds(Int64(max(300, retryAfter ?? 0)))))
        case "probation", "giveup":
            // Try again, but not before the server says, and never in a tight loop.
            var later = Subscription(uri: subscription.uri, dialog: subscription.dialog)
            later.told = subscription.told
            entries[uri] = later
            out.append(.startTimer(.refresh(uri: uri), after: .seconds(Int64(max(5, retryAfter ?? 60)))))
        default:
            // deactivated, timeout, or no reason: subscribe again at once (RFC 6665 §4.1.3).
            if let retryAfter, retryAfter > 0 {
                entries[uri] = Subscription(uri: subscription.uri, dialog: subscription.dialog)
                out.append(.startTimer(.refresh(uri: uri), after: .seconds(Int64(retryAfter))))
            } else {
                subscribe(subscription.uri, &context, &out)
            }
        }
    }

    /// Forgets a subscription and its Call-ID index entry.
    private mutating func forget(_ uri: String) {
        if let callID = entries.removeValue(forKey: uri)?.dialog.callID { byCallID[callID] = nil }
    }

    /// `terminated;reason=timeout;retry-after=30` → ["reason": "timeout", "retry-after": "30"].
    static func parameters(of state: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in state.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
            if pair.count == 2 { out[pair[0]] = pair[1] }
        }
        return out
    }

    private mutating func resend(_ request: SIPRequest, uri: String, hop: SIPHop, _ context: inout AgentContext,
                                 _ out: inout [Output]) {
        guard var subscription = entries[uri] else { return }
        var request = request
        subscription.dialog.localSequence += 1
        request.headers.set("CSeq", CSeq(subscription.dialog.localSequence, request.method).description)
        request.headers.set("Via", context.via(hop.transport))
        subscription.current = try? TransactionKey.client(sending: request)
        entries[uri] = subscription
        out.append(.send(request, to: hop))
    }
}
