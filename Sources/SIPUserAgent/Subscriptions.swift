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

extension LineAgent {
    /// Login: subscribe to every watched colleague.
    mutating func startSubscriptions(_ now: SIPInstant, _ out: inout [LineOutput]) {
        guard configuration.presence else { return }
        for uri in configuration.watched where subscriptions[uri.description]?.wanted != true {
            subscribe(uri, now, &out)
        }
    }

    /// Logout: end every subscription (SUBSCRIBE with Expires: 0); an established one is kept
    /// until the notifier's answer, so its last NOTIFY finds its dialog.
    mutating func stopSubscriptions(_ now: SIPInstant, _ out: inout [LineOutput]) {
        for (key, subscription) in subscriptions {
            out.append(.cancelTimer(.subscription(uri: key)))
            guard subscription.established else {
                forgetSubscription(key)
                continue
            }
            subscriptions[key]?.wanted = false
            sendSubscribe(key, expires: 0, now, &out)
        }
    }

    /// A new subscription (a new dialog) to `uri`.
    mutating func subscribe(_ uri: SIPURI, _ now: SIPInstant, _ out: inout [LineOutput]) {
        guard let hop = presenceServer ?? SIPHop(uri: uri) else { return }
        var local = NameAddress(displayName: configuration.displayName, uri: configuration.addressOfRecord)
        local.parameters = SIPParameters()
        let dialog = Dialog(callID: token(20) + "@" + configuration.local.host, localTag: token(10), remoteTag: nil,
                            localAddress: local, remoteAddress: NameAddress(uri: uri), remoteTarget: uri,
                            localSequence: random32(), transport: hop.transport)
        if let old = subscriptions[uri.description] { subscriptionsByCallID[old.dialog.callID] = nil }
        subscriptions[uri.description] = Subscription(uri: uri, dialog: dialog)
        subscriptionsByCallID[dialog.callID] = uri.description
        sendSubscribe(uri.description, expires: configuration.presenceExpires, now, &out)
    }

    /// Sends a SUBSCRIBE in the subscription's dialog (the first one creates it).
    mutating func sendSubscribe(_ key: String, expires: UInt32, _ now: SIPInstant, _ out: inout [LineOutput]) {
        guard var subscription = subscriptions[key] else { return }
        let hop: SIPHop?
        let uri: SIPURI
        var routes: [String] = []
        if subscription.established {
            let routing = subscription.dialog.routing()
            (uri, routes, hop) = (routing.uri, routing.routes, routing.hop)
        } else {
            (uri, hop) = (subscription.uri, presenceServer ?? SIPHop(uri: subscription.uri))
        }
        guard let hop else { return }
        subscription.dialog.localSequence += 1
        var request = makeRequest(.subscribe, uri: uri, to: subscription.dialog.remoteHeader,
                                  from: subscription.dialog.localHeader, callID: subscription.dialog.callID,
                                  sequence: subscription.dialog.localSequence, transport: hop.transport, routes: routes)
        request.headers.add("Contact", contact(hop.transport))
        request.headers.add("Event", "presence")
        request.headers.add("Accept", PIDFDocument.contentType)
        request.headers.add("Expires", String(expires))
        addCredentials(&request)
        subscriptions[key] = subscription
        let sent = sendRequest(request, to: hop, owner: .subscription(key), now, &out)
        subscriptions[key]?.current = sent
    }

    mutating func subscriptionResponse(_ response: SIPResponse, key: TransactionKey, uri: String, _ now: SIPInstant,
                                       _ out: inout [LineOutput]) {
        guard var subscription = subscriptions[uri], key == subscription.current, response.statusCode >= 200 else {
            return
        }
        subscription.current = nil
        guard subscription.wanted else {
            // The removal was answered; the notifier's final NOTIFY may still come (it
            // finds its dialog): forget the subscription then, or after 32 s.
            subscriptions[uri] = subscription
            out.append(.startTimer(.subscription(uri: uri), after: .seconds(32)))
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
            subscriptions[uri] = subscription
            let granted = ((try? response.headers.expires) ?? nil) ?? configuration.presenceExpires
            out.append(.startTimer(.subscription(uri: uri), after: Registration.refreshDelay(max(granted, 2))))
        case 481 where subscription.established:
            // The notifier forgot the dialog: subscribe anew.
            forgetSubscription(uri)
            subscribe(subscription.uri, now, &out)
        default:
            subscriptions[uri] = subscription
            subscriptionFailed(key: key, uri: uri, reason: "\(response.statusCode) \(response.reasonPhrase)", now, &out)
        }
    }

    /// No subscription: say why once, and try a new one in five minutes (one minute after a timeout).
    mutating func subscriptionFailed(key: TransactionKey, uri: String, reason: String, _ now: SIPInstant,
                                     _ out: inout [LineOutput]) {
        guard var subscription = subscriptions[uri] else { return }
        guard subscription.wanted else {
            forgetSubscription(uri)  // the removal failed: forget it anyway
            return
        }
        if subscription.current == key { subscription.current = nil }
        subscription.established = false
        if !subscription.told {
            subscription.told = true
            note("no presence for \(uri): \(reason)", &out)
        }
        subscriptions[uri] = subscription
        let wait: Duration = reason.hasPrefix("no answer") || reason.hasPrefix("cannot reach") ? .seconds(60) : .seconds(300)
        out.append(.startTimer(.subscription(uri: uri), after: wait))
    }

    /// Refresh an established subscription, or start again after a failure.
    mutating func subscriptionTimer(_ uri: String, _ now: SIPInstant, _ out: inout [LineOutput]) {
        guard let subscription = subscriptions[uri] else { return }
        guard subscription.wanted else {
            forgetSubscription(uri)  // removed: no final NOTIFY came
            return
        }
        guard subscription.current == nil else { return }
        if subscription.established {
            sendSubscribe(uri, expires: configuration.presenceExpires, now, &out)
        } else {
            let told = subscription.told
            subscribe(subscription.uri, now, &out)
            subscriptions[uri]?.told = told
        }
    }

    /// The subscription a NOTIFY belongs to: same Call-ID, our tag in To.
    func subscriptionURI(for request: SIPRequest) -> String? {
        guard let callID = request.headers.callID, let toTag = try? request.headers.to.tag,
              let uri = subscriptionsByCallID[callID], subscriptions[uri]?.dialog.localTag == toTag else { return nil }
        return uri
    }

    /// A NOTIFY (RFC 6665 §4.1.3): 200, the presence it carries to the Team tab, and a new
    /// subscription when the notifier ended this one for a reason that allows it.
    mutating func subscriptionNotified(_ request: SIPRequest, key: TransactionKey, uri: String, _ now: SIPInstant,
                                       _ out: inout [LineOutput]) {
        guard var subscription = subscriptions[uri] else { return }
        let sequence = (try? request.headers.cseq.sequence) ?? 0
        if let last = subscription.dialog.remoteSequence, sequence <= last {
            // An older NOTIFY arriving late (UDP): its state is out of date.
            reply(makeResponse(request, status: 200, tag: nil), on: key, now, &out)
            return
        }
        reply(makeResponse(request, status: 200, tag: nil), on: key, now, &out)
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
                if !subscription.told { note("presence of \(uri) unreadable: \(error)", &out) }
                subscription.told = true
            }
        }
        subscriptions[uri] = subscription
        let state = request.headers.first(HeaderName("Subscription-State"))?.lowercased() ?? "active"
        guard state.hasPrefix("terminated") else { return }
        out.append(.cancelTimer(.subscription(uri: uri)))
        forgetSubscription(uri)
        guard subscription.wanted else { return }
        let parameters = Self.parameters(of: state)
        let reason = parameters["reason"] ?? ""
        let retryAfter = parameters["retry-after"].flatMap { UInt32($0) }
        switch reason {
        case "rejected", "noresource", "invariant":
            // The notifier will not serve this subscription: try again in five minutes.
            var failed = Subscription(uri: subscription.uri, dialog: subscription.dialog)
            failed.told = true
            subscriptions[uri] = failed
            note("no presence for \(uri): the server ended the subscription (\(state))", &out)
            out.append(.startTimer(.subscription(uri: uri), after: .seconds(Int64(max(300, retryAfter ?? 0)))))
        case "probation", "giveup":
            // Try again, but not before the server says, and never in a tight loop.
            var later = Subscription(uri: subscription.uri, dialog: subscription.dialog)
            later.told = subscription.told
            subscriptions[uri] = later
            out.append(.startTimer(.subscription(uri: uri), after: .seconds(Int64(max(5, retryAfter ?? 60)))))
        default:
            // deactivated, timeout, or no reason: subscribe again at once (RFC 6665 §4.1.3).
            if let retryAfter, retryAfter > 0 {
                subscriptions[uri] = Subscription(uri: subscription.uri, dialog: subscription.dialog)
                out.append(.startTimer(.subscription(uri: uri), after: .seconds(Int64(retryAfter))))
            } else {
                subscribe(subscription.uri, now, &out)
            }
        }
    }

    /// Forgets a subscription and its Call-ID index entry.
    mutating func forgetSubscription(_ uri: String) {
        if let callID = subscriptions.removeValue(forKey: uri)?.dialog.callID { subscriptionsByCallID[callID] = nil }
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
}
