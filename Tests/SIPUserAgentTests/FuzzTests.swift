import SDP
import SIP
import SoftphoneCore
import Testing
@testable import SIPUserAgent

/// A line in some state, and valid messages its peers might send it now.
struct FuzzScenario {
    var name: String
    var line: LineHarness
    var callIDs: [CallID]
    var corpus: [[UInt8]]
}

@Suite("Robustness")
struct FuzzTests {
    /// Builds the states the mutants are fed to, each with its corpus of valid messages.
    static func scenarios() -> [FuzzScenario] {
        let registrar = Registrar()
        var result: [FuzzScenario] = []

        func inboundCorpus(_ caller: Caller) -> [[UInt8]] {
            var c = caller
            var messages: [SIPRequest] = [
                c.invite(), c.invite(sdp: nil), c.cancel(),
                c.invite(extra: ["Diversion: <sip:800@pbx.example.com>;reason=no-answer", "X-Queue: Support",
                                 "History-Info: <sip:801@pbx.example.com?Reason=SIP%3Bcause%3D302>;index=1"]),
                c.ack(sequence: 1), c.ack(sequence: 1, sdp: remoteSDP(version: 2)),
                c.inDialog("BYE"), c.inDialog("INVITE", sdp: remoteSDP(direction: "sendonly", version: 3)),
                c.inDialog("INVITE"), c.inDialog("OPTIONS"), c.inDialog("INFO", body: "Signal=5\r\n"),
                c.inDialog("REFER", extra: ["Refer-To: <sip:x@example.com>"]),
                c.inDialog("NOTIFY", extra: ["Event: refer", "Content-Type: message/sipfrag"], body: "SIP/2.0 200 OK\r\n"),
                c.inDialog("NOTIFY", extra: ["Event: refer", "Content-Type: message/sipfrag"], body: "SIP/2.0 503 Nope\r\n"),
                Caller(callID: "second@192.0.2.10", fromTag: "t2").invite(),
            ]
            messages.append(c.ackForFailure(reply(to: c.invite(), 486)))
            return messages.map(\.bytes)
        }

        /// Plausible answers to the requests the line sent last.
        func responseCorpus(_ line: LineHarness) -> [[UInt8]] {
            var out: [[UInt8]] = []
            for request in line.history.requests.suffix(4) where request.method != .ack {
                let sdp = remoteSDP(host: "203.0.113.7", port: 50000)
                let contact = [("Contact", "<sip:bob@203.0.113.7:5070>"), ("Record-Route", "<sip:p1.example.com;lr>")]
                out.append(reply(to: request, 100).bytes)
                out.append(reply(to: request, 180, headers: contact).bytes)
                out.append(reply(to: request, 200, headers: contact + [("Expires", "60")], sdp: sdp).bytes)
                out.append(reply(to: request, 202).bytes)
                out.append(registrar.challenge(request, nonce: "fz").bytes)
                out.append(reply(to: request, 407, headers: [("Proxy-Authenticate",
                                                              registrar.verifier.challenge(nonce: "p").headerValue)]).bytes)
                out.append(reply(to: request, 423, headers: [("Min-Expires", "900")]).bytes)
                out.append(reply(to: request, 486).bytes)
                out.append(reply(to: request, 491).bytes)
                out.append(reply(to: request, 487).bytes)
            }
            return out
        }

        func add(_ name: String, _ line: LineHarness, _ ids: [CallID], _ caller: Caller? = nil) {
            var line = line
            line.recordIssues = false
            let corpus = (caller.map(inboundCorpus) ?? []) + responseCorpus(line)
            result.append(FuzzScenario(name: name, line: line, callIDs: ids, corpus: corpus))
        }

        // Registration.
        var idle = LineHarness()
        add("idle", idle, [], Caller())
        idle.command(.register)
        add("registering", idle, [])
        let register = idle.history.requests(.register)[0]
        idle.receive(registrar.challenge(register, nonce: "n1"))
        let second = idle.history.requests(.register).last!
        idle.receive(registrar.ok(second, expires: 120))
        add("registered", idle, [], Caller())

        // Inbound, in every phase.
        var caller = Caller()
        var offered = LineHarness()
        offered.offer(caller)
        add("offered", offered, [caller.coreID], caller)
        var ringing = offered
        caller.localTag = ringing.command(.ring(caller.coreID)).responses(180).first?.toTag
        add("ringing", ringing, [caller.coreID], caller)
        ringing.feed(.mediaOpened(caller.coreID, port: 30000))
        var answered = ringing
        answered.command(.answer(caller.coreID))
        add("answered", answered, [caller.coreID], caller)
        var confirmed = answered
        confirmed.receive(caller.ack(sequence: 1))
        add("confirmed", confirmed, [caller.coreID], caller)
        var holding = confirmed
        holding.command(.hold(caller.coreID))
        add("holding", holding, [caller.coreID], caller)
        var transferring = confirmed
        transferring.command(.transfer(caller.coreID, target: "4930555"))
        add("transferring", transferring, [caller.coreID], caller)

        // Outbound.
        let out: CallID = "out-1"
        var dialling = LineHarness()
        dialling.command(.dial(out, target: "4930555"))
        dialling.feed(.mediaOpened(out, port: 31000))
        add("dialling", dialling, [out])
        let invite = dialling.history.requests(.invite)[0]
        var early = dialling
        early.receive(reply(to: invite, 180, toTag: "callee-tag"))
        add("outbound ringing", early, [out])
        var up = early
        up.receive(reply(to: invite, 200, toTag: "callee-tag", headers: [("Contact", "<sip:bob@203.0.113.7:5070>")],
                         sdp: remoteSDP(host: "203.0.113.7", port: 50000)))
        var callee = Caller(callID: invite.headers.callID ?? "", fromTag: "callee-tag")
        callee.localTag = invite.fromTag
        callee.toUser = "alice"
        add("outbound confirmed", up, [out], callee)
        return result
    }

    static let interesting: [UInt8] = Array(":;,<>\"@= \t\r\n0123456789%/.-_*#+?&aZ".utf8) + [0, 0x7F, 0x80, 0xC3, 0xFF]
    static let junkValues = ["", "<", ">", "sip:", "<sip:>", ";tag=", "\"", "*", "0", "-1", "4294967296",
                             "99999999999999999999", "<sip:a@b>;tag=", "SIP/2.0/UDP", "z9hG4bK",
                             String(repeating: "a", count: 300), "<sips:x@y>", "<tel:+1>", "a, b, c",
                             "1 INVITE", "2 BYE", "1 FOO", "Digest", "sip:x@[::1", "<sip:x@host;lr>, <sip:y@z>"]
    static let junkSDPLines = ["m=audio 0 RTP/AVP 0", "c=IN IP4 0.0.0.0", "m=audio 99999 RTP/AVP 0", "a=rtpmap:0 PCMU/0",
                               "m=audio 4000 RTP/AVP", "a=inactive", "a=sendonly", "a=recvonly",
                               "o=- 18446744073709551616 1 IN IP4 x", "c=IN IP6 ::1", "m=audio 4000/2 RTP/AVP 0 8",
                               "m=audio 4000 RTP/SAVP 0", "a=rtpmap:96 PCMA/8000", "m=audio 4000 RTP/AVP 96",
                               "a=rtpmap:abc", "m=video 5000 RTP/AVP 31", "c=", "v=1", "b=AS:-1", "a=ptime:0",
                               "m=audio 65535 RTP/AVP 255 0", "t=x y", ""]

    /// One random mutation of a message's bytes.
    static func mutate(_ bytes: inout [UInt8], _ rng: inout SeededGenerator) {
        func index(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }
        guard !bytes.isEmpty else { return }
        switch rng.next() % 11 {
        case 0:
            let i = index(bytes.count)
            bytes[i] ^= UInt8(1) << UInt8(rng.next() % 8)
        case 1:
            bytes[index(bytes.count)] = interesting[index(interesting.count)]
        case 2:
            let count = 1 + index(4)
            bytes.insert(contentsOf: (0..<count).map { _ in interesting[index(interesting.count)] }, at: index(bytes.count + 1))
        case 3:
            let start = index(bytes.count)
            let end = min(bytes.count, start + 1 + index(12))
            bytes.removeSubrange(start..<end)
        case 4, 5:
            // Work on the SDP body: replace, add or drop a line, keeping Content-Length right.
            let text = String(decoding: bytes, as: UTF8.self)
            guard let split = text.firstRange(of: "\r\n\r\n") else { return }
            var body = text[split.upperBound...].split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            guard body.count > 1 else { return }
            let i = index(body.count)
            let junk = junkSDPLines[index(junkSDPLines.count)]
            switch rng.next() % 3 {
            case 0: body[i] = junk
            case 1: body.insert(junk, at: i)
            default: body.remove(at: i)
            }
            let newBody = body.joined(separator: "\r\n")
            var head = text[..<split.lowerBound].split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            head.removeAll { $0.lowercased().hasPrefix("content-length") }
            head.append("Content-Length: \(newBody.utf8.count)")
            bytes = Array((head.joined(separator: "\r\n") + "\r\n\r\n" + newBody).utf8)
        default:
            // Work on header lines: drop, duplicate, or replace a value with junk.
            var text = String(decoding: bytes, as: UTF8.self)
            guard let split = text.firstRange(of: "\r\n\r\n") else { return }
            let body = String(text[split.upperBound...])
            var lines = text[..<split.lowerBound].split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count > 1 else { return }
            let i = 1 + index(lines.count - 1)
            switch rng.next() % 4 {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: index(lines.count) + 1)
            case 2:
                if let colon = lines[i].firstIndex(of: ":") {
                    lines[i] = String(lines[i][...colon]) + " " + junkValues[index(junkValues.count)]
                }
            default:
                if let colon = lines[i].firstIndex(of: ":") {
                    lines[i] += junkValues[index(junkValues.count)] + String(lines[i][lines[i].index(after: colon)...])
                }
            }
            // Keep Content-Length right most of the time, so the mutant reaches the agent.
            if rng.next() % 4 != 0 {
                lines.removeAll { $0.lowercased().hasPrefix("content-length") || $0.lowercased().hasPrefix("l:") }
                lines.append("Content-Length: \(body.utf8.count)")
            }
            text = lines.joined(separator: "\r\n") + "\r\n\r\n" + body
            bytes = Array(text.utf8)
        }
    }

    static let hops = [Net.caller, Net.proxy, Net.registrar,
                       SIPHop(transport: .tcp, host: "192.0.2.10", port: 5060, connection: SIPConnectionID(3))]

    /// A random command for one of the scenario's calls (or the line).
    static func command(_ ids: [CallID], _ rng: inout SeededGenerator) -> LineInput {
        let id = ids.isEmpty ? CallID("inbound-1@192.0.2.10") : ids[Int(rng.next() % UInt64(ids.count))]
        switch rng.next() % 14 {
        case 0: return .command(.ring(id))
        case 1: return .command(.answer(id))
        case 2: return .command(.respond(id, status: [302, 480, 486, 603][Int(rng.next() % 4)], contact: "202"))
        case 3: return .command(.hangUp(id))
        case 4: return .command(.hold(id))
        case 5: return .command(.resume(id))
        case 6: return .command(.transfer(id, target: "4930555"))
        case 7: return .command(.cancelDial(id))
        case 8: return .mediaOpened(id, port: 30000)
        case 9: return .mediaFailed(id, reason: "fuzz")
        case 10: return .command(LineRequest.register)
        case 11: return .command(LineRequest.unregister)
        case 12: return .command(.dial(CallID("fuzz-dial"), target: "4930777"))
        default: return .command(.answer(CallID("inbound-1@192.0.2.10")))
        }
    }

    @Test("Thousands of mutated messages in every state: no trap, every message sent parses, no transaction is stranded")
    func mutatedMessages() throws {
        let scenarios = Self.scenarios()
        #expect(scenarios.count >= 12)
        var rng = SeededGenerator(seed: 0x5EED_0005)
        let cases = 8000
        var parsed = 0
        var problems: [String] = []
        for n in 0..<cases {
            let scenario = scenarios[n % scenarios.count]
            var line = scenario.line
            var bytes = scenario.corpus[Int(rng.next() % UInt64(scenario.corpus.count))]
            for _ in 0...(rng.next() % 3) { Self.mutate(&bytes, &rng) }
            guard let message = try? SIPParser.parse(bytes) else { continue }
            parsed += 1
            let hop = Self.hops[Int(rng.next() % UInt64(Self.hops.count))]
            line.receive(message, from: hop)
            // Then life goes on: a command, the message again, a valid one, time.
            for _ in 0..<(rng.next() % 3) {
                switch rng.next() % 4 {
                case 0: line.feed(Self.command(scenario.callIDs, &rng))
                case 1: line.receive(message, from: hop)
                case 2:
                    let valid = scenario.corpus[Int(rng.next() % UInt64(scenario.corpus.count))]
                    if let m = try? SIPParser.parse(valid) { line.receive(m, from: hop) }
                default: line.advance(by: .milliseconds(Int64(rng.next() % 5000)))
                }
            }
            line.advance(by: .seconds(300))
            for text in line.unparseable where problems.count < 5 {
                problems.append("\(scenario.name), case \(n), input:\n\(String(decoding: bytes, as: UTF8.self))\n→ \(text)")
            }
            // A server INVITE transaction may only wait for the core when its call is still offered.
            for (key, transaction) in line.agent.transactions.transactions {
                guard case .serverInvite(let invite) = transaction, invite.state == .proceeding else { continue }
                let callID = invite.request.headers.callID ?? ""
                let leg = line.agent.calls[callID]
                if leg == nil || leg?.inviteKey != key, problems.count < 5 {
                    problems.append("\(scenario.name), case \(n): INVITE transaction \(key) left unanswered, input:\n"
                                    + String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        #expect(parsed >= cases / 5, "most mutants should still parse to reach the agent (\(parsed))")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
    }
}
