import PIDF
import SIP
import Testing
@testable import SIPUserAgent

/// The publication machine alone: documents in, PUBLISHes and timers out.
@Suite("Publication machine")
struct PublicationMachineTests {
    var context = AgentContext(configuration: Net.configuration(credentials: false, presence: true),
                               random: SIPRandom(seed: 3), nonces: SIPRandom(seed: 4), authenticator: nil)
    var machine = Publication()
    let available = PIDFDocument(entity: "sip:alice@pbx.example.com", tuples: [.init(id: "t", basic: .open)])
    let closed = PIDFDocument(entity: "sip:alice@pbx.example.com", tuples: [.init(id: "t", basic: .closed)])

    mutating func step(_ input: Publication.Input) -> [Publication.Output] { machine.handle(input, &context) }

    static func sent(_ outputs: [Publication.Output]) -> [SIPRequest] {
        outputs.compactMap { if case .send(let request, _) = $0 { request } else { nil } }
    }

    static func key(_ request: SIPRequest) throws -> TransactionKey { try TransactionKey.client(sending: request) }

    @Test("Initial PUBLISH with the document; 2xx keeps the ETag, refreshes without a body, modifies with SIP-If-Match")
    mutating func lifecycle() throws {
        let initial = try #require(Self.sent(step(.publish(available))).first)
        #expect(initial.method == .publish && initial.headers.first(.event) == "presence")
        #expect(initial.headers.first(HeaderName("SIP-If-Match")) == nil)
        #expect(try PIDFDocument(parsing: initial.body) == available)
        let ok = reply(to: initial, 200, headers: [("SIP-ETag", "etag-1"), ("Expires", "600")])
        #expect(step(.response(ok, try Self.key(initial))).contains(.startTimer(.refresh, after: .seconds(540))))
        #expect(!machine.isPending)
        let refresh = try #require(Self.sent(step(.timerFired)).first)
        #expect(refresh.body.isEmpty && refresh.headers.first(HeaderName("SIP-If-Match")) == "etag-1")
        _ = step(.response(reply(to: refresh, 200, headers: [("SIP-ETag", "etag-2")]), try Self.key(refresh)))
        let modify = try #require(Self.sent(step(.publish(closed))).first)
        #expect(modify.headers.first(HeaderName("SIP-If-Match")) == "etag-2")
        #expect(try PIDFDocument(parsing: modify.body) == closed)
    }

    @Test("One PUBLISH at a time: the latest document goes out when the first is answered")
    mutating func latestWins() throws {
        let first = try #require(Self.sent(step(.publish(available))).first)
        #expect(Self.sent(step(.publish(closed))).isEmpty)
        let next = Self.sent(step(.response(reply(to: first, 200, headers: [("SIP-ETag", "e")]), try Self.key(first))))
        #expect(try next.first.map { try PIDFDocument(parsing: $0.body) } == closed)
    }

    @Test("Removal sends Expires 0 with the ETag and is pending until answered")
    mutating func removal() throws {
        let first = try #require(Self.sent(step(.publish(available))).first)
        _ = step(.response(reply(to: first, 200, headers: [("SIP-ETag", "e")]), try Self.key(first)))
        let removal = try #require(Self.sent(step(.publish(nil))).first)
        #expect(removal.headers.first(.expires) == "0" && removal.body.isEmpty)
        #expect(machine.isPending)
        #expect(step(.response(reply(to: removal, 200), try Self.key(removal))).contains(.cancelTimer(.refresh)))
        #expect(!machine.isPending)
    }

    @Test("412 starts a new publication; 423 takes Min-Expires; other failures note once and retry in a minute")
    mutating func failures() throws {
        let first = try #require(Self.sent(step(.publish(available))).first)
        let fresh = try #require(Self.sent(step(.response(reply(to: first, 412), try Self.key(first)))).first)
        #expect(fresh.headers.first(HeaderName("SIP-If-Match")) == nil && !fresh.body.isEmpty)
        let longer = try #require(Self.sent(step(.response(reply(to: fresh, 423, headers: [("Min-Expires", "3600")]),
                                                            try Self.key(fresh)))).first)
        #expect(longer.headers.first(.expires) == "3600")
        let refused = step(.response(reply(to: longer, 403), try Self.key(longer)))
        #expect(refused.contains(.startTimer(.refresh, after: .seconds(60))))
        #expect(refused.contains { if case .report(.note) = $0 { true } else { false } })
        let again = try #require(Self.sent(step(.timerFired)).first)
        #expect(!step(.failed(try Self.key(again), reason: "no answer")).contains { if case .report = $0 { true } else { false } },
                "the failure was reported once")
    }

    @Test("Without SIP presence nothing is published")
    func off() {
        var context = AgentContext(configuration: Net.configuration(), random: SIPRandom(seed: 3),
                                   nonces: SIPRandom(seed: 4), authenticator: nil)
        var machine = Publication()
        #expect(machine.handle(.publish(available), &context).isEmpty)
    }
}
