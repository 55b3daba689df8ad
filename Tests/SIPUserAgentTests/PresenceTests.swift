import PIDF
import SoftphoneSIPMapping
import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// A NOTIFY from the presence server in a subscription's dialog.
func notify(for subscribe: SIPRequest, sequence: UInt32, state: String = "active;expires=600",
            pidf: String? = nil, fromTag: String = "notifier-tag") -> SIPRequest {
    var lines = [
        "NOTIFY sip:alice@198.51.100.5:5060 SIP/2.0",
        "Via: SIP/2.0/UDP pbx.example.com:5060;branch=z9hG4bK-notify-\(fromTag)-\(sequence)",
        "Max-Forwards: 70",
        "From: <\(subscribe.uri)>;tag=\(fromTag)",
        "To: \(subscribe.headers.first(.from) ?? "")",
        "Call-ID: \(subscribe.headers.callID ?? "")",
        "CSeq: \(sequence) NOTIFY",
        "Contact: <sip:pbx.example.com:5060>",
        "Event: presence",
        "Subscription-State: \(state)",
    ]
    if pidf != nil { lines.append("Content-Type: application/pidf+xml") }
    return request(lines, body: pidf ?? "")
}

/// A PIDF body for a presence in the softphone's model.
func pidf(_ presence: Presence, entity: String = "sip:bob@pbx.example.com") -> String {
    PIDFPresence.document(for: presence, entity: entity).xml
}

@Suite("SIP presence: PUBLISH (RFC 3903)")
struct PublicationTests {
    func line() -> LineHarness { LineHarness(Net.configuration(presence: true)) }

    @Test("The shown presence is published as PIDF to the registrar; the ETag is kept and the publication refreshed")
    func publishes() throws {
        var line = line()
        let sent = try #require(line.command(.publish(Presence(.available))).sent(.publish).first)
        #expect(sent.hop == Net.registrar)
        let publish = sent.request
        #expect(publish.uri.description == "sip:alice@pbx.example.com")
        #expect(publish.headers.first(.event) == "presence")
        #expect(publish.headers.first(.contentType) == "application/pidf+xml")
        #expect(publish.headers.first(.expires) == "600")
        #expect(publish.headers.first(HeaderName("SIP-If-Match")) == nil)
        let document = try PIDFDocument(parsing: publish.body)
        #expect(document.entity == "sip:alice@pbx.example.com")
        #expect(PIDFPresence.presence(of: document) == Presence(.available))

        let ok = line.receive(reply(to: publish, 200, headers: [("SIP-ETag", "etag-1"), ("Expires", "300")]))
        #expect(ok.startedTimer(.publication) == .seconds(240))

        // A change modifies the publication (If-Match and a new body).
        let modify = try #require(line.command(.publish(Presence(.doNotDisturb))).requests(.publish).first)
        #expect(modify.headers.first(HeaderName("SIP-If-Match")) == "etag-1")
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: modify.body)) == Presence(.doNotDisturb))
        line.receive(reply(to: modify, 200, headers: [("SIP-ETag", "etag-2"), ("Expires", "300")]))

        // The refresh carries no body, only If-Match.
        let refresh = try #require(line.advance(by: .seconds(240)).requests(.publish).first)
        #expect(refresh.body.isEmpty)
        #expect(refresh.headers.first(HeaderName("SIP-If-Match")) == "etag-2")
        #expect(refresh.headers.first(.expires) == "600")
    }

    @Test("Appear offline is published as Offline: watchers cannot tell")
    func appearOffline() throws {
        var line = line()
        let publish = try #require(line.command(.publish(Presence(.appearOffline))).requests(.publish).first)
        let document = try PIDFDocument(parsing: publish.body)
        #expect(PIDFPresence.presence(of: document) == Presence(.offline))
        #expect(!publish.sdpText.contains("Appear"))
    }

    @Test("Changes while a PUBLISH is out wait for its answer; only the latest is sent")
    func oneAtATime() throws {
        var line = line()
        let first = try #require(line.command(.publish(Presence(.available))).requests(.publish).first)
        #expect(line.command(.publish(Presence(.busy))).requests(.publish).isEmpty)
        #expect(line.command(.publish(Presence(.beRightBack))).requests(.publish).isEmpty)
        let next = try #require(line.receive(reply(to: first, 200, headers: [("SIP-ETag", "e1")])).requests(.publish).first)
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: next.body)) == Presence(.beRightBack))
    }

    @Test("Logout removes the publication (Expires: 0 with If-Match); nothing is sent when none exists")
    func logoutRemoves() throws {
        var line = line()
        #expect(line.command(.publish(Presence(.logout))).requests(.publish).isEmpty)
        let publish = try #require(line.command(.publish(Presence(.available))).requests(.publish).first)
        line.receive(reply(to: publish, 200, headers: [("SIP-ETag", "e1")]))
        let removal = try #require(line.command(.publish(Presence(.logout))).requests(.publish).first)
        #expect(removal.headers.first(.expires) == "0")
        #expect(removal.headers.first(HeaderName("SIP-If-Match")) == "e1")
        #expect(removal.body.isEmpty)
        let done = line.receive(reply(to: removal, 200))
        #expect(done.cancelled.contains(.publication))
        #expect(line.advance(by: .seconds(3600)).requests(.publish).isEmpty)
    }

    @Test("412 (the server forgot the ETag) starts a new publication with the body")
    func conditionalRequestFailed() throws {
        var line = line()
        let publish = try #require(line.command(.publish(Presence(.available))).requests(.publish).first)
        line.receive(reply(to: publish, 200, headers: [("SIP-ETag", "e1"), ("Expires", "120")]))
        let refresh = try #require(line.advance(by: .seconds(60)).requests(.publish).first)
        let again = try #require(line.receive(reply(to: refresh, 412)).requests(.publish).first)
        #expect(again.headers.first(HeaderName("SIP-If-Match")) == nil)
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: again.body)) == Presence(.available))
    }

    @Test("A 407 is answered with credentials; a refusal is said once and retried after a minute")
    func authenticationAndFailure() throws {
        var line = line()
        let publish = try #require(line.command(.publish(Presence(.busy))).requests(.publish).first)
        let challenge = reply(to: publish, 407, headers: [
            ("Proxy-Authenticate", Registrar().verifier.challenge(nonce: "n1").headerValue)])
        let authed = try #require(line.receive(challenge).requests(.publish).first)
        #expect(authed.headers.first(.proxyAuthorization) != nil)
        #expect(authed.cseqNumber == publish.cseqNumber! + 1)
        let refused = line.receive(reply(to: authed, 489, reason: "Bad Event"))
        #expect(refused.notes.contains { $0.contains("presence not published: 489 Bad Event") })
        #expect(refused.startedTimer(.publication) == .seconds(60))
        let retry = try #require(line.advance(by: .seconds(60)).requests(.publish).first)
        #expect(line.receive(reply(to: retry, 489, reason: "Bad Event")).notes.isEmpty, "said once")
    }

    @Test("REGISTER and PUBLISH challenged at the same time are both answered (not taken for a wrong password)")
    func concurrentChallenges() throws {
        var line = line()
        let register = try #require(line.command(.register).requests(.register).first)
        let publish = try #require(line.command(.publish(Presence(.available))).requests(.publish).first)
        let registrar = Registrar()
        let again = try #require(line.receive(registrar.challenge(register, nonce: "n1")).requests(.register).first)
        let challenge = reply(to: publish, 407, headers: [
            ("Proxy-Authenticate", registrar.verifier.challenge(nonce: "n2").headerValue)])
        let authed = try #require(line.receive(challenge).requests(.publish).first)
        #expect(authed.headers.first(.proxyAuthorization) != nil)
        #expect(registrar.verify(again) == .valid)
    }

    @Test("423 takes a usable Min-Expires once; an absurd or missing one is a failure, never an overflow")
    func intervalTooBrief() throws {
        var line = line()
        let publish = try #require(line.command(.publish(Presence(.busy))).requests(.publish).first)
        let raised = try #require(line.receive(reply(to: publish, 423, headers: [("Min-Expires", "1200")]))
            .requests(.publish).first)
        #expect(raised.headers.first(.expires) == "1200")
        let giveUp = line.receive(reply(to: raised, 423, headers: [("Min-Expires", "4294967295")]))
        #expect(giveUp.requests(.publish).isEmpty)
        #expect(giveUp.notes.contains { $0.contains("423") })
        #expect(giveUp.startedTimer(.publication) == .seconds(60))
        // Many more 423s without Min-Expires: each waits a minute; nothing traps.
        for _ in 0..<40 {
            guard let retry = line.advance(by: .seconds(60)).requests(.publish).first else { break }
            line.receive(reply(to: retry, 423))
        }
    }

    @Test("On quit the line is busy until logout's removal of the publication is answered")
    func pendingWorkUntilRemoved() throws {
        var line = line()
        let publish = try #require(line.command(.publish(Presence(.available))).requests(.publish).first)
        #expect(line.agent.hasPendingWork)
        line.receive(reply(to: publish, 200, headers: [("SIP-ETag", "e1")]))
        #expect(!line.agent.hasPendingWork)
        let removal = try #require(line.command(.publish(Presence(.logout))).requests(.publish).first)
        #expect(line.agent.hasPendingWork)
        line.receive(reply(to: removal, 200))
        #expect(!line.agent.hasPendingWork)
    }

    @Test("Without SIP presence (or without a registrar) nothing is published or subscribed")
    func disabled() {
        var off = LineHarness(Net.configuration(presence: false, watched: [SIPURI("sip:bob@pbx.example.com")!]))
        #expect(off.command(.publish(Presence(.busy))).requests(.publish).isEmpty)
        #expect(off.command(.register).requests(.subscribe).isEmpty)
        var noRegistrar = LineHarness(Net.configuration(registrar: false, presence: true))
        #expect(noRegistrar.command(.publish(Presence(.busy))).requests(.publish).isEmpty)
    }
}

@Suite("SIP presence: SUBSCRIBE and NOTIFY (RFC 3856, RFC 6665)")
struct SubscriptionTests {
    static let bob = SIPURI("sip:bob@pbx.example.com")!

    func subscribed() throws -> (LineHarness, SIPRequest) {
        var line = LineHarness(Net.configuration(presence: true, watched: [Self.bob]))
        let subscribe = try #require(line.command(.register).requests(.subscribe).first)
        return (line, subscribe)
    }

    @Test("Login subscribes to each colleague; the NOTIFY's presence reaches the Team tab")
    func subscribesAndReports() throws {
        var (line, subscribe) = try subscribed()
        #expect(subscribe.uri == Self.bob)
        #expect(subscribe.headers.first(.event) == "presence")
        #expect(subscribe.headers.first(.accept) == "application/pidf+xml")
        #expect(subscribe.headers.first(.expires) == "600")
        #expect(subscribe.toTag == nil)
        let ok = line.receive(reply(to: subscribe, 200, toTag: "notifier-tag", headers: [("Expires", "600")]))
        #expect(ok.startedTimer(.subscription(uri: Self.bob.description)) == .seconds(540))

        let busy = line.receive(notify(for: subscribe, sequence: 1, pidf: pidf(Presence(.busy))))
        #expect(busy.statuses == [200])
        #expect(busy.watched.map(\.presence) == [Presence(.busy)])
        #expect(busy.watched.map(\.uri) == [Self.bob.description])
        // A PJSIP-style document: open, "On the phone".
        let phone = """
            <?xml version="1.0" encoding="UTF-8"?>
            <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" \
            xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@pbx.example.com">
             <tuple id="t1"><status><basic>open</basic></status><note>On the phone</note></tuple>
             <dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities><dm:note>On the phone</dm:note></dm:person>
            </presence>
            """
        #expect(line.receive(notify(for: subscribe, sequence: 2, pidf: phone)).watched.map(\.presence)
                == [Presence(.inACall)])

        // The refresh goes in the dialog: the notifier's tag, a higher CSeq.
        let refresh = try #require(line.advance(by: .seconds(540)).requests(.subscribe).first)
        #expect(refresh.toTag == "notifier-tag")
        #expect(refresh.headers.callID == subscribe.headers.callID)
        #expect(refresh.cseqNumber! > subscribe.cseqNumber!)
    }

    @Test("A NOTIFY before the 2xx establishes the subscription; one without a body reports nothing")
    func notifyFirst() throws {
        var (line, subscribe) = try subscribed()
        let empty = line.receive(notify(for: subscribe, sequence: 1))
        #expect(empty.statuses == [200])
        #expect(empty.watched.isEmpty)
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag"))
        #expect(line.receive(notify(for: subscribe, sequence: 2, pidf: pidf(Presence(.away)))).watched.map(\.presence)
                == [Presence(.away)])
    }

    @Test("Terminated by timeout: subscribe again at once; rejected: say so and try again in five minutes")
    func terminated() throws {
        var (line, subscribe) = try subscribed()
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag"))
        let again = line.receive(notify(for: subscribe, sequence: 1, state: "terminated;reason=timeout"))
        let second = try #require(again.requests(.subscribe).first)
        #expect(second.headers.callID != subscribe.headers.callID, "a new subscription, a new dialog")
        line.receive(reply(to: second, 200, toTag: "tag-2"))
        let rejected = line.receive(notify(for: second, sequence: 1, state: "terminated;reason=rejected", fromTag: "tag-2"))
        #expect(rejected.requests(.subscribe).isEmpty)
        #expect(rejected.notes.contains { $0.contains("no presence for sip:bob@pbx.example.com") })
        #expect(rejected.startedTimer(.subscription(uri: Self.bob.description)) == .seconds(300))
        #expect(line.advance(by: .seconds(300)).requests(.subscribe).count == 1)
    }

    @Test("A refused SUBSCRIBE is said once and retried; 481 to a refresh starts a new subscription")
    func failures() throws {
        var (line, subscribe) = try subscribed()
        let refused = line.receive(reply(to: subscribe, 404))
        #expect(refused.notes.contains { $0.contains("404") })
        let retry = try #require(line.advance(by: .seconds(300)).requests(.subscribe).first)
        line.receive(reply(to: retry, 200, toTag: "t"))
        let refresh = try #require(line.advance(by: .seconds(540)).requests(.subscribe).first)
        let fresh = try #require(line.receive(reply(to: refresh, 481)).requests(.subscribe).first)
        #expect(fresh.toTag == nil)
    }

    @Test("Logout ends the subscriptions with Expires: 0; the final NOTIFY still finds its dialog")
    func logoutUnsubscribes() throws {
        var (line, subscribe) = try subscribed()
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag"))
        let removal = try #require(line.command(.unregister).requests(.subscribe).first)
        #expect(removal.headers.first(.expires) == "0")
        #expect(removal.toTag == "notifier-tag")
        let last = line.receive(notify(for: subscribe, sequence: 5, state: "terminated;reason=timeout"))
        #expect(last.statuses == [200])
        #expect(last.requests(.subscribe).isEmpty, "no new subscription after logout")
    }

    @Test("An unreadable PIDF body is answered 200 and said in the Log tab once, not reported as presence")
    func malformedBody() throws {
        var (line, subscribe) = try subscribed()
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag"))
        let bad = line.receive(notify(for: subscribe, sequence: 1, pidf: "<presence><tuple>"))
        #expect(bad.statuses == [200])
        #expect(bad.watched.isEmpty)
        #expect(bad.notes.contains { $0.contains("unreadable") })
        #expect(line.receive(notify(for: subscribe, sequence: 2, pidf: "<presence>")).notes.isEmpty)
    }

    @Test("A late NOTIFY with an older CSeq does not overwrite newer presence")
    func outOfOrderNotify() throws {
        var (line, subscribe) = try subscribed()
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag"))
        #expect(line.receive(notify(for: subscribe, sequence: 6, pidf: pidf(Presence(.available)))).watched.count == 1)
        let late = line.receive(notify(for: subscribe, sequence: 5, pidf: pidf(Presence(.busy))))
        #expect(late.statuses == [200])
        #expect(late.watched.isEmpty)
    }

    @Test("probation with retry-after waits as told; invariant is like rejected; no tight re-subscribe loop")
    func terminationReasons() throws {
        var (line, subscribe) = try subscribed()
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag"))
        let probation = line.receive(notify(for: subscribe, sequence: 1, state: "terminated;reason=probation;retry-after=90"))
        #expect(probation.requests(.subscribe).isEmpty)
        #expect(probation.startedTimer(.subscription(uri: Self.bob.description)) == .seconds(90))
        let second = try #require(line.advance(by: .seconds(90)).requests(.subscribe).first)
        line.receive(reply(to: second, 200, toTag: "t2"))
        let invariant = line.receive(notify(for: second, sequence: 1, state: "terminated;reason=invariant", fromTag: "t2"))
        #expect(invariant.requests(.subscribe).isEmpty)
        #expect(invariant.startedTimer(.subscription(uri: Self.bob.description)) == .seconds(300))
    }

    @Test("A NOTIFY before the 2xx brings the route set; refreshes follow it")
    func routeSetFromNotify() throws {
        var (line, subscribe) = try subscribed()
        var first = notify(for: subscribe, sequence: 1, pidf: pidf(Presence(.available)))
        first.headers.add("Record-Route", "<sip:proxy.example.com;lr>")
        line.receive(first)
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag", headers: [("Expires", "600")]))
        let refresh = try #require(line.advance(by: .seconds(540)).sent(.subscribe).first)
        #expect(refresh.request.routeValues == ["<sip:proxy.example.com;lr>"])
        #expect(refresh.hop.host == "proxy.example.com")
    }

    @Test("After logout's unsubscribe is answered, the notifier's final NOTIFY still finds its dialog")
    func finalNotifyAfterRemoval() throws {
        var (line, subscribe) = try subscribed()
        line.receive(reply(to: subscribe, 200, toTag: "notifier-tag"))
        let removal = try #require(line.command(.unregister).requests(.subscribe).first)
        line.receive(reply(to: removal, 200, toTag: "notifier-tag"))
        let last = line.receive(notify(for: subscribe, sequence: 9, state: "terminated;reason=timeout"))
        #expect(last.statuses == [200])
        #expect(line.agent.subscriptions.entries.isEmpty)
    }
}
