import SIP
import SoftphoneCore
import SoftphoneSIPMapping
import Testing
@testable import SIPUserAgent

/// The open internet (SPEC section 8): `accept_from`, `max_calls`, stateless refusals and
/// their summary in the Log.
enum Flood {
    /// The address the registrar (configured by host name, `pbx.example.com`) answers from.
    static let registrarAddress = SIPHop(transport: .udp, host: "203.0.113.9", port: 5060)
    /// A scanner on the internet.
    static let stranger = SIPHop(transport: .udp, host: "198.51.100.7", port: 5070)

    static func configuration(acceptFrom: AcceptFrom = .registrar, maxCalls: Int = 4,
                              registrar: Bool = true) -> LineAgentConfiguration {
        var configuration = Net.configuration(registrar: registrar)
        configuration.acceptFrom = acceptFrom
        configuration.maxCalls = maxCalls
        return configuration
    }

    /// A line registered at the registrar, whose 2xx came from `registrarAddress`.
    static func registeredLine(acceptFrom: AcceptFrom = .registrar, maxCalls: Int = 4) -> LineHarness {
        var line = LineHarness(configuration(acceptFrom: acceptFrom, maxCalls: maxCalls))
        let registrar = Registrar()
        let first = line.command(.register).requests(.register)[0]
        let second = line.receive(registrar.challenge(first, nonce: "nonce-1"), from: registrarAddress)
            .requests(.register)[0]
        let done = line.receive(registrar.ok(second, expires: 600), from: registrarAddress)
        #expect(done.lineStates == [.registered])
        return line
    }

    /// The n-th INVITE of a scanner: a new Call-ID, tag and branch each time.
    static func scannerInvite(_ n: Int) -> SIPRequest {
        var caller = Caller(callID: "scan-\(n)@198.51.100.7", fromTag: "scan-tag-\(n)")
        caller.branch = "z9hG4bKscan-\(n)"
        caller.viaHost = "198.51.100.7"
        caller.recordRoute = []
        return caller.invite()
    }
}

struct PolicyCase: Sendable, CustomTestStringConvertible {
    var registered: Bool
    var acceptFrom: AcceptFrom
    var fromRegistrar: Bool
    var calls: Int
    var expected: InboundRefusalReason?
    var testDescription: String {
        "\(registered ? "registered" : "not registered"), accept_from \(acceptFrom.rawValue), "
            + "\(fromRegistrar ? "registrar" : "stranger"), \(calls) of 2 calls → \(expected?.rawValue ?? "taken")"
    }
}

@Suite("Inbound policy")
struct InboundPolicyTests {
    static let table: [PolicyCase] = {
        var cases: [PolicyCase] = []
        for registered in [false, true] {
            for acceptFrom in AcceptFrom.allCases {
                for fromRegistrar in [false, true] {
                    for calls in [0, 1, 2] {
                        var expected: InboundRefusalReason?
                        if registered && acceptFrom == .registrar && !fromRegistrar {
                            expected = .notFromRegistrar
                        } else if calls >= 2 {
                            expected = .tooManyCalls
                        }
                        cases.append(PolicyCase(registered: registered, acceptFrom: acceptFrom,
                                                fromRegistrar: fromRegistrar, calls: calls, expected: expected))
                    }
                }
            }
        }
        return cases
    }()

    @Test("The policy table: registered × accept_from × source × calls in progress (max_calls 2)",
          arguments: table)
    func policyTable(_ c: PolicyCase) {
        let source = c.fromRegistrar ? "203.0.113.9" : "198.51.100.7"
        let refusal = InboundPolicy.refusal(source: source, registered: c.registered, acceptFrom: c.acceptFrom,
                                            trusted: ["203.0.113.9"], callsInProgress: c.calls, maxCalls: 2)
        #expect(refusal == c.expected)
    }

    @Test("Address literals and host comparison")
    func literals() {
        #expect(InboundPolicy.isAddressLiteral("203.0.113.9"))
        #expect(InboundPolicy.isAddressLiteral("2001:db8::1"))
        #expect(!InboundPolicy.isAddressLiteral("pbx.example.com"))
        #expect(!InboundPolicy.isAddressLiteral("1.2.3.999"))
        #expect(!InboundPolicy.isAddressLiteral("10.0.0"))
        #expect(InboundPolicy.sameHost("[2001:DB8::1]", "2001:db8::1"))
        #expect(!InboundPolicy.sameHost("203.0.113.9", "203.0.113.90"))
    }

    @Test("Registered at a registrar given by host name: a stranger's INVITE gets 403 statelessly — no 100, no transaction, no call, no event")
    func strangerRefused() throws {
        var line = Flood.registeredLine()
        let transactions = line.agent.transactionCount
        let step = line.receive(Flood.scannerInvite(1), from: Flood.stranger)
        #expect(step.statuses == [403])
        let refusal = try #require(step.replies.first)
        #expect(refusal.origin == Flood.stranger)
        #expect(refusal.response.toTag?.isEmpty == false)
        #expect(step.events.isEmpty && step.actions.isEmpty && step.media.isEmpty && step.requests.isEmpty)
        #expect(line.agent.callCount == 0)
        #expect(line.agent.transactionCount == transactions, "no server transaction for a refused INVITE")
        #expect(step.started.map(\.timer) == [.refusalSummary], "only the summary window's timer")

        // A retransmission gets the same answer (same To tag) the same way; the ACK is dropped.
        let again = line.receive(Flood.scannerInvite(1), from: Flood.stranger)
        #expect(again.statuses == [403])
        #expect(again.responses.first?.toTag == refusal.response.toTag)
        #expect(again.started.isEmpty, "the window is already open")
        var caller = Caller(callID: "scan-1@198.51.100.7", fromTag: "scan-tag-1")
        caller.branch = "z9hG4bKscan-1"
        caller.viaHost = "198.51.100.7"
        let ack = line.receive(caller.ackForFailure(refusal.response), from: Flood.stranger)
        #expect(ack.outputs.isEmpty)
        #expect(line.agent.callCount == 0)
        #expect(line.agent.transactionCount == transactions)
    }

    @Test("Registered: the registrar's INVITE (from the address its 2xx came from) is offered as before")
    func registrarTaken() {
        var line = Flood.registeredLine()
        var caller = Caller()
        caller.viaHost = "203.0.113.9"
        let step = line.receive(caller.invite(), from: Flood.registrarAddress)
        #expect(step.statuses == [100])
        #expect(step.reports.count == 1)
        #expect(line.agent.callCount == 1)
    }

    @Test("A registrar given as an IP address is trusted by its literal")
    func literalRegistrar() {
        var configuration = Flood.configuration()
        configuration.registrar = SIPURI("sip:192.0.2.10")
        var line = LineHarness(configuration)
        let register = line.command(.register).requests(.register)[0]
        line.receive(Registrar().ok(register, expires: 600), from: Flood.registrarAddress)
        let step = line.receive(Caller().invite(), from: Net.caller)   // 192.0.2.10
        #expect(step.statuses == [100])
        #expect(line.agent.callCount == 1)
    }

    @Test("Located servers are trusted: an INVITE from one the REGISTER 200 did not come from is offered; a stranger still gets 403")
    func locatedServersTrusted() throws {
        var configuration = Flood.configuration()
        configuration.locatesServers = true
        var line = LineHarness(configuration)
        line.command(.register)
        let register = try #require(line.feed(.targets([FailoverTests.first, FailoverTests.second])).requests(.register).first)
        #expect(line.receive(Registrar().ok(register, expires: 600), from: FailoverTests.first).lineStates == [.registered])
        var caller = Caller()
        caller.viaHost = FailoverTests.second.host
        let step = line.receive(caller.invite(), from: FailoverTests.second)
        #expect(step.statuses == [100])
        #expect(line.agent.callCount == 1)
        #expect(line.receive(Flood.scannerInvite(1), from: Flood.stranger).statuses == [403])
        #expect(line.agent.callCount == 1)
    }

    @Test("Not registered (never logged in, or listen-only), or accept_from = any: a stranger's INVITE is offered")
    func strangerTakenWhenNotRegistered() {
        var idle = LineHarness(Flood.configuration())
        #expect(idle.receive(Flood.scannerInvite(1), from: Flood.stranger).statuses == [100])

        var listening = LineHarness(Flood.configuration(registrar: false))
        #expect(listening.command(.register).lineStates == [.listening])
        #expect(listening.receive(Flood.scannerInvite(1), from: Flood.stranger).statuses == [100])

        var open = Flood.registeredLine(acceptFrom: .any)
        #expect(open.receive(Flood.scannerInvite(1), from: Flood.stranger).statuses == [100])
        #expect(open.agent.callCount == 1)
    }

    @Test("A refresh that fails does not open the line: while the registration is retried, a stranger still gets 403")
    func failedRefreshKeepsThePolicy() {
        var line = Flood.registeredLine()
        // The registrar stops answering: the refresh times out and the line reports failure.
        let step = line.advance(by: .seconds(700))
        #expect(step.lineStates.contains { if case .failed = $0 { true } else { false } })
        #expect(line.receive(Flood.scannerInvite(1), from: Flood.stranger).statuses == [403])
        #expect(line.agent.callCount == 0)
    }

    @Test("After logout the line takes INVITEs as an unregistered line does")
    func loggedOut() {
        var line = Flood.registeredLine()
        let remove = line.command(.unregister).requests(.register)[0]
        line.receive(Registrar().ok(remove, expires: 0), from: Flood.registrarAddress)
        #expect(line.receive(Flood.scannerInvite(1), from: Flood.stranger).statuses == [100])
    }

    @Test("max_calls = 1: a second INVITE gets 486 without ringing or state; once the first ends, calls are taken again")
    func maxCalls() throws {
        var line = LineHarness(Flood.configuration(maxCalls: 1))
        let first = Caller()
        #expect(line.offer(first).statuses == [100])
        let second = Caller(callID: "inbound-2@192.0.2.10", fromTag: "caller-tag-2")
        var secondInvite = second
        secondInvite.branch = "z9hG4bKinvite-2"
        let step = line.receive(secondInvite.invite())
        #expect(step.statuses == [486])
        #expect(step.events.isEmpty && step.media.isEmpty)
        #expect(line.agent.callCount == 1)
        #expect(step.started.map(\.timer) == [.refusalSummary])

        line.command(.respond(first.coreID, status: 480, contact: nil))
        #expect(line.agent.callCount == 0)
        var third = Caller(callID: "inbound-3@192.0.2.10", fromTag: "caller-tag-3")
        third.branch = "z9hG4bKinvite-3"
        #expect(line.receive(third.invite()).statuses == [100])
    }

    @Test("Refusals are summarised once per source when the 10 s window ends, never one Log line each")
    func summaryWindow() {
        var line = Flood.registeredLine()
        var quiet = Step()
        for n in 0..<3 { quiet.append(line.receive(Flood.scannerInvite(n), from: Flood.stranger)) }
        let other = SIPHop(transport: .udp, host: "198.51.100.8", port: 5060)
        quiet.append(line.receive(Flood.scannerInvite(9), from: other))
        quiet.append(line.advance(by: .seconds(9)))
        #expect(quiet.notes.isEmpty)

        let summary = line.advance(by: .seconds(1))
        #expect(summary.notes == ["ignored 3 INVITEs from 198.51.100.7 in 10 s (not the registrar)",
                                  "ignored 1 INVITE from 198.51.100.8 in 10 s (not the registrar)"])
        #expect(line.advance(by: .seconds(30)).notes.isEmpty, "nothing more without new refusals")

        // The next refusal opens a new window.
        let next = line.receive(Flood.scannerInvite(20), from: Flood.stranger)
        #expect(next.started.map(\.timer) == [.refusalSummary])
        #expect(line.advance(by: .seconds(10)).notes == ["ignored 1 INVITE from 198.51.100.7 in 10 s (not the registrar)"])
    }

    @Test("A flood of 2,000 INVITEs costs no per-request state and one summary line")
    func flood() {
        var line = Flood.registeredLine()
        let transactions = line.agent.transactionCount
        var statuses: [Int: Int] = [:]
        var events = 0
        for n in 0..<2_000 {
            let step = line.receive(Flood.scannerInvite(n), from: Flood.stranger)
            for status in step.statuses { statuses[status, default: 0] += 1 }
            events += step.events.count
        }
        #expect(statuses == [403: 2_000])
        #expect(events == 0)
        #expect(line.agent.callCount == 0)
        #expect(line.agent.transactionCount == transactions)
        #expect(line.advance(by: .seconds(10)).notes
            == ["ignored 2,000 INVITEs from 198.51.100.7 in 10 s (not the registrar)"])
    }

    @Test("Other requests outside a dialog, and requests for unknown dialogs, are answered without a transaction")
    func statelessOthers() {
        var line = Flood.registeredLine()
        let transactions = line.agent.transactionCount
        func outOfDialog(_ method: String, toTag: String? = nil) -> SIPRequest {
            request(["\(method) sip:alice@198.51.100.5:5060 SIP/2.0",
                     "Via: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bK-\(method.lowercased());rport",
                     "Max-Forwards: 70", "From: <sip:scan@198.51.100.7>;tag=s1",
                     "To: <sip:alice@pbx.example.com>" + (toTag.map { ";tag=\($0)" } ?? ""),
                     "Call-ID: scan-\(method)@198.51.100.7", "CSeq: 1 \(method)"])
        }
        let cases: [(SIPRequest, Int)] = [
            (outOfDialog("OPTIONS"), 200), (outOfDialog("REGISTER"), 405), (outOfDialog("MESSAGE"), 405),
            (outOfDialog("SUBSCRIBE"), 405), (outOfDialog("NOTIFY"), 481), (outOfDialog("BYE"), 481),
            (outOfDialog("BYE", toTag: "unknown"), 481), (outOfDialog("INVITE", toTag: "unknown"), 481),
            (outOfDialog("FOO"), 501),
        ]
        for (request, status) in cases {
            let step = line.receive(request, from: Flood.stranger)
            #expect(step.statuses == [status], "\(request.method)")
            #expect(step.actions.isEmpty && step.started.isEmpty, "\(request.method)")
        }
        #expect(line.agent.transactionCount == transactions)
        #expect(line.agent.callCount == 0)
    }

    @Test("The tally holds at most 1,000 sources one by one; the rest are counted together")
    func tallyCap() {
        var tally = RefusalTally()
        var opened = 0
        for n in 0..<12_500 {
            let source = "10.\(n / 65_536).\(n / 256 % 256).\(n % 256)"
            if tally.count(source: source, reason: .notFromRegistrar) { opened += 1 }
            if n == 0 { _ = tally.count(source: source, reason: .notFromRegistrar) }
        }
        #expect(opened == 1)
        #expect(tally.heldSources <= RefusalTally.trackedSources + RefusalTally.countedOtherSources)
        let summary = tally.close()
        #expect(summary.count == RefusalTally.listedSources + 1)
        #expect(summary.first == InboundRefusals(source: "10.0.0.0", count: 2, reason: .notFromRegistrar,
                                                  window: .seconds(10)))
        let rest = summary.last!
        #expect(rest.source == nil)
        #expect(rest.count == 12_501 - 2 - (RefusalTally.listedSources - 1))
        #expect(rest.moreSources)
        #expect(LineMapping.text(rest).hasPrefix("ignored 12,490 INVITEs from more than 10,990 other sources in 10 s"))
        #expect(tally.heldSources == 0 && !tally.isOpen)
    }
}

@Suite("Refusal summary text")
struct RefusalTextTests {
    @Test("Counts are grouped with commas")
    func grouping() {
        #expect(LineMapping.text(InboundRefusals(source: "198.51.100.7", count: 8_000, reason: .notFromRegistrar,
                                                 window: .seconds(10)))
            == "ignored 8,000 INVITEs from 198.51.100.7 in 10 s (not the registrar)")
        #expect(LineMapping.text(InboundRefusals(source: "192.0.2.10", count: 1, reason: .tooManyCalls,
                                                 window: .seconds(10)))
            == "ignored 1 INVITE from 192.0.2.10 in 10 s (max_calls reached)")
        #expect(LineMapping.text(InboundRefusals(source: nil, sources: 1_234, count: 1_234_567, reason: nil,
                                                 window: .seconds(10)))
            == "ignored 1,234,567 INVITEs from 1,234 other sources in 10 s")
        #expect(LineMapping.text(InboundRefusals(source: nil, sources: 1, count: 999, reason: nil, window: .seconds(10)))
            == "ignored 999 INVITEs from 1 other source in 10 s")
    }
}
