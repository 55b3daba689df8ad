import PIDF
import SIP
import Testing
@testable import SIPUserAgent

/// The subscriptions machine alone: login/logout, responses, NOTIFYs and timers in;
/// SUBSCRIBEs, NOTIFY answers, timers and watched documents out.
@Suite("Subscriptions machine")
struct SubscriptionsMachineTests {
    static let bob = SIPURI("sip:bob@pbx.example.com")!
    var context = AgentContext(configuration: Net.configuration(credentials: false, presence: true, watched: [bob]),
                               random: SIPRandom(seed: 5), nonces: SIPRandom(seed: 6), authenticator: nil)
    var machine = Subscriptions()
    let uri = bob.description

    mutating func step(_ input: Subscriptions.Input) -> [Subscriptions.Output] { machine.handle(input, &context) }

    static func sent(_ outputs: [Subscriptions.Output]) -> [SIPRequest] {
        outputs.compactMap { if case .send(let request, _) = $0 { request } else { nil } }
    }

    static func key(_ request: SIPRequest) throws -> TransactionKey { try TransactionKey.client(sending: request) }

    /// Logs in and has the notifier accept: the established SUBSCRIBE.
    mutating func established() throws -> SIPRequest {
        let subscribe = try #require(Self.sent(step(.start)).first)
        _ = step(.response(reply(to: subscribe, 200, headers: [("Expires", "600"), ("Contact", "<sip:pbx.example.com>")]),
                           try Self.key(subscribe), uri: uri))
        return subscribe
    }

    @Test("Login subscribes per watched URI; 2xx starts the refresh; the refresh stays in the dialog")
    mutating func subscribes() throws {
        let subscribe = try #require(Self.sent(step(.start)).first)
        #expect(subscribe.method == .subscribe && subscribe.headers.first(.event) == "presence")
        #expect(subscribe.headers.first(.accept) == PIDFDocument.contentType)
        #expect(machine.uri(ofCallID: subscribe.headers.callID) == uri)
        let ok = reply(to: subscribe, 200, headers: [("Expires", "600"), ("Contact", "<sip:pbx.example.com>")])
        #expect(step(.response(ok, try Self.key(subscribe), uri: uri)).contains(.startTimer(.refresh(uri: uri),
                                                                                              after: .seconds(540))))
        let refresh = try #require(Self.sent(step(.timerFired(.refresh(uri: uri)))).first)
        #expect(refresh.headers.callID == subscribe.headers.callID && refresh.toTag == "remote-tag")
        #expect(refresh.cseqNumber == subscribe.cseqNumber.map { $0 + 1 })
    }

    @Test("A NOTIFY is answered 200 and its document reported; an older one is answered but not reported")
    mutating func notifies() throws {
        let subscribe = try established()
        let document = PIDFDocument(entity: uri, tuples: [.init(id: "t", basic: .open)])
        let fresh = notify(for: subscribe, sequence: 2, pidf: document.xml, fromTag: "remote-tag")
        #expect(machine.uri(for: fresh) == uri)
        let out = step(.notify(fresh, uri: uri))
        #expect(out.first.map { if case .respond(let r) = $0 { r.statusCode == 200 } else { false } } == true)
        #expect(out.contains(.report(.watched(uri: uri, document))))
        let stale = step(.notify(notify(for: subscribe, sequence: 1, pidf: document.xml, fromTag: "remote-tag"), uri: uri))
        #expect(stale.count == 1, "only the 200: \(stale)")
    }

    @Test("terminated;reason=deactivated subscribes anew at once; rejected waits five minutes")
    mutating func terminated() throws {
        let subscribe = try established()
        let again = Self.sent(step(.notify(notify(for: subscribe, sequence: 2, state: "terminated;reason=deactivated",
                                                  fromTag: "remote-tag"), uri: uri)))
        let second = try #require(again.first)
        #expect(second.headers.callID != subscribe.headers.callID, "a new dialog")
        _ = step(.response(reply(to: second, 200, toTag: "tag-2"), try Self.key(second), uri: uri))
        let rejected = step(.notify(notify(for: second, sequence: 5, state: "terminated;reason=rejected", fromTag: "tag-2"),
                                    uri: uri))
        #expect(rejected.contains(.startTimer(.refresh(uri: uri), after: .seconds(300))))
        #expect(Self.sent(rejected).isEmpty)
    }

    @Test("Logout unsubscribes with Expires 0 and stays pending until answered")
    mutating func logout() throws {
        _ = try established()
        let out = step(.stop)
        let removal = try #require(Self.sent(out).first)
        #expect(removal.headers.first(.expires) == "0")
        #expect(machine.isPending)
        _ = step(.response(reply(to: removal, 200), try Self.key(removal), uri: uri))
        #expect(!machine.isPending)
    }

    @Test("A failure notes once and retries in five minutes; the retry is a new SUBSCRIBE")
    mutating func failure() throws {
        let subscribe = try #require(Self.sent(step(.start)).first)
        let out = step(.response(reply(to: subscribe, 404), try Self.key(subscribe), uri: uri))
        #expect(out.contains(.startTimer(.refresh(uri: uri), after: .seconds(300))))
        #expect(out.contains { if case .report(.note) = $0 { true } else { false } })
        let retry = try #require(Self.sent(step(.timerFired(.refresh(uri: uri)))).first)
        #expect(retry.toTag == nil)
        #expect(!step(.response(reply(to: retry, 404), try Self.key(retry), uri: uri))
                    .contains { if case .report = $0 { true } else { false } }, "said once")
    }
}
