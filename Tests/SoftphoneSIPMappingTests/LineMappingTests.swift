import PIDF
import SoftphoneSIPMapping
import SIPUserAgent
import SoftphoneCore
import Testing

@Suite("Line mapping: core commands ↔ agent requests, agent events → core actions")
struct LineMappingTests {
    let mapping = LineMapping(
        queues: QueueDirectory([Queue(name: "Support", number: "800", presenceBasedRouting: true)]),
        entity: "sip:alice@pbx.example.com", contact: "sip:alice@198.51.100.5:5060")

    @Test("Every call command keeps its call id and arguments")
    func commands() {
        let id: CallID = "c-1", line: LineCallID = "c-1"
        #expect(mapping.request(for: .register) == .register)
        #expect(mapping.request(for: .unregister) == .unregister)
        #expect(mapping.request(for: .ring(id)) == .ring(line))
        #expect(mapping.request(for: .respond(id, status: 302, contact: "900")) == .respond(line, status: 302, contact: "900"))
        #expect(mapping.request(for: .answer(id)) == .answer(line))
        #expect(mapping.request(for: .hangUp(id)) == .hangUp(line))
        #expect(mapping.request(for: .hold(id)) == .hold(line))
        #expect(mapping.request(for: .resume(id)) == .resume(line))
        #expect(mapping.request(for: .transfer(id, target: "42")) == .transfer(line, target: "42"))
        #expect(mapping.request(for: .dial(id, target: "42")) == .dial(line, target: "42"))
        #expect(mapping.request(for: .cancelDial(id)) == .cancelDial(line))
    }

    @Test("Publishing: Logout removes, Appear offline shows Offline, the rest as shown")
    func publishing() throws {
        #expect(mapping.request(for: .publish(Presence(.logout))) == .publish(nil))
        guard case .publish(let offline?) = mapping.request(for: .publish(Presence(.appearOffline, outOfOffice: true)))
        else { Issue.record("no document"); return }
        #expect(PIDFPresence.presence(of: offline) == Presence(.offline, outOfOffice: true))
        #expect(offline.entity == "sip:alice@pbx.example.com")
        #expect(offline.tuples.first?.contact == "sip:alice@198.51.100.5:5060")
        guard case .publish(let busy?) = mapping.request(for: .publish(Presence(.doNotDisturb))) else {
            Issue.record("no document"); return
        }
        #expect(PIDFPresence.presence(of: try PIDFDocument(parsing: Array(busy.xml.utf8))) == Presence(.doNotDisturb))
    }

    @Test("Events become core actions; the queue is recognised from the INVITE's hints")
    func events() {
        let hints = LineCallHints(toUser: "alice", redirectingUsers: ["800"], xQueue: nil)
        let call = LineIncomingCall(id: "in-1", caller: LineCaller(number: "+4930111222", name: "Ada"), hints: hints)
        let support = Queue(name: "Support", number: "800", presenceBasedRouting: true)
        #expect(mapping.action(for: .incomingCall(call)) == .incomingCall(IncomingCall(
            id: "in-1", from: Party(number: "+4930111222", name: "Ada"), kind: .queue(support))))
        #expect(mapping.action(for: .registration(.registered)) == .lineStateChanged(.registered))
        #expect(mapping.action(for: .registration(.failed(reason: "403"))) == .lineStateChanged(.failed(reason: "403")))
        #expect(mapping.action(for: .registration(.listening)) == .lineStateChanged(.listening))
        #expect(mapping.action(for: .callerCancelled("a")) == .callerCancelled("a"))
        #expect(mapping.action(for: .remoteHangUp("a")) == .remoteHangUp("a"))
        #expect(mapping.action(for: .remoteAnswered("a")) == .remoteAnswered("a"))
        #expect(mapping.action(for: .outboundFailed("a", status: 486, reason: "Busy Here"))
                == .outboundFailed("a", status: 486, reason: "Busy Here"))
        #expect(mapping.action(for: .remoteHold("a", true)) == .remoteHold("a", true))
        #expect(mapping.action(for: .note("hello")) == .note(.line, "hello"))
    }

    @Test("A watched colleague's document becomes a presence; one that says nothing is Unknown")
    func watched() {
        let document = PIDFPresence.document(for: Presence(.busy), entity: "sip:bob@pbx.example.com")
        #expect(mapping.report(for: .watched(uri: "sip:bob@pbx.example.com", document))
                == .watched(uri: "sip:bob@pbx.example.com", Presence(.busy)))
        #expect(mapping.report(for: .watched(uri: "sip:bob@x", PIDFDocument(entity: "sip:bob@x")))
                == .watched(uri: "sip:bob@x", Presence(.unknown)))
        #expect(mapping.action(for: .watched(uri: "sip:bob@x", document)) == nil)
    }
}
