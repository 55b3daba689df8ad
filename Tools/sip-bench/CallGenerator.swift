import BenchSupport
import Foundation
import NIOCore
import NIOPosix
import SIP
import SIPNetwork
import Synchronization

/// Callers over loopback UDP, written with the project's SIP codec and transport: INVITEs
/// with SDP, CANCEL, ACK (for non-2xx and 2xx), BYE; an INVITE without an answer is sent
/// again after 500 ms (Timer A), latency still counted from the first send.
actor CallGenerator {
    private let transport: SIPTransport
    private let sink: Channel
    private let sinkCount: SinkCounter
    private let target: SIPHop
    private var calls: [String: Call] = [:]
    private var counter = 0
    private var waiters: [String: CheckedContinuation<Double, Error>] = [:]
    private var answered = 0
    private var answeredWaiter: CheckedContinuation<Void, Never>?
    private var answeredGoal = 0

    struct Call {
        var invite: SIPRequest
        var sentAt: ContinuousClock.Instant
        var expecting: Int
        var toTag: String?
        var contact: SIPURI?
        var retransmit: Scheduled<Void>?
    }

    private init(transport: SIPTransport, sink: Channel, sinkCount: SinkCounter, target: SIPHop) {
        self.transport = transport
        self.sink = sink
        self.sinkCount = sinkCount
        self.target = target
    }

    static func start(target port: Int) async throws -> CallGenerator {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let relay = Relay()
        let transport = try await SIPTransport.start(host: "127.0.0.1", port: 0, on: loop,
                                                     receiver: { relay.deliver($0) })
        let counter = SinkCounter()
        let sink = try await DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let generator = CallGenerator(transport: transport, sink: sink, sinkCount: counter,
                                      target: SIPHop(transport: .udp, host: "127.0.0.1", port: port))
        relay.generator.withLock { $0 = generator }
        return generator
    }

    /// `calls` calls by `concurrency` callers; the milliseconds from INVITE to the `expecting`
    /// response. With `rate` (calls per second in all) each caller pauses a random think time
    /// between calls (exponential, mean `concurrency / rate`); without, callers call back to back.
    func latencyRun(calls total: Int, concurrency: Int, expecting: Int, rate: Double?) async throws -> [Double] {
        var samples: [Double] = []
        samples.reserveCapacity(total)
        try await withThrowingTaskGroup(of: [Double].self) { group in
            for slot in 0..<concurrency {
                let share = total / concurrency + (slot < total % concurrency ? 1 : 0)
                group.addTask {
                    var mine: [Double] = []
                    var random = SystemRandomNumberGenerator()
                    for _ in 0..<share {
                        if let rate {
                            let mean = Double(concurrency) / rate
                            let pause = -mean * log(1 - Double.random(in: 0..<1, using: &random))
                            try await Task.sleep(for: .milliseconds(Int(pause * 1000)))
                        }
                        mine.append(try await self.placeAndMeasure(expecting: expecting))
                    }
                    return mine
                }
            }
            for try await part in group { samples += part }
        }
        return samples
    }

    /// Places `count` calls and waits until every one is answered (200) and acknowledged.
    func answeredCalls(_ count: Int) async throws {
        answered = 0
        answeredGoal = count
        for _ in 0..<count { _ = send(newInvite(expecting: 200)) }
        await withCheckedContinuation { continuation in
            if answered >= count { continuation.resume() } else { answeredWaiter = continuation }
        }
    }

    func rtpPacketsReceived() -> Int { sinkCount.count.withLock { $0 } }

    func hangUpAll() {
        for (callID, call) in calls where call.toTag != nil { bye(callID, call) }
        calls.removeAll()
    }

    func stop() async {
        await transport.close()
        try? await sink.close()
    }

    // MARK: Calls

    private func placeAndMeasure(expecting: Int) async throws -> Double {
        let invite = newInvite(expecting: expecting)
        return try await withCheckedThrowingContinuation { continuation in
            waiters[invite.headers.callID ?? ""] = continuation
            _ = send(invite)
        }
    }

    private func newInvite(expecting: Int) -> SIPRequest {
        counter += 1
        let n = counter, local = transport.local
        let sinkPort = sink.localAddress?.port ?? 9
        let sdp = "v=0\r\no=- \(n) 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio \(sinkPort) RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"
        var headers = SIPHeaders()
        headers.add("Via", "SIP/2.0/UDP 127.0.0.1:\(local.port);branch=z9hG4bK-bench-\(n);rport")
        headers.add("Max-Forwards", "70")
        headers.add("From", "\"Caller \(n)\" <sip:+49301\(n)@127.0.0.1>;tag=from-\(n)")
        headers.add("To", "<sip:1001@127.0.0.1>")
        headers.add("Call-ID", "bench-\(n)@127.0.0.1")
        headers.add("CSeq", "1 INVITE")
        headers.add("Contact", "<sip:caller\(n)@127.0.0.1:\(local.port)>")
        headers.add("Content-Type", "application/sdp")
        let invite = SIPRequest(method: .invite, uri: SIPURI(user: "1001", host: "127.0.0.1", port: UInt16(target.port)),
                                headers: headers, body: Array(sdp.utf8))
        calls["bench-\(n)@127.0.0.1"] = Call(invite: invite, sentAt: .now, expecting: expecting)
        return invite
    }

    private func send(_ invite: SIPRequest) -> SIPRequest {
        transport.send(.request(invite), to: target)
        scheduleRetransmit(invite.headers.callID ?? "", after: .milliseconds(500))
        return invite
    }

    private func scheduleRetransmit(_ callID: String, after delay: TimeAmount) {
        let task = transport.eventLoop.scheduleTask(in: delay) {
            _ = Task { await self.retransmit(callID, delay: delay) }
        }
        calls[callID]?.retransmit = task
    }

    private func retransmit(_ callID: String, delay: TimeAmount) {
        guard let call = calls[callID], call.toTag == nil, delay < .seconds(8) else { return }
        transport.send(.request(call.invite), to: target)
        scheduleRetransmit(callID, after: delay * 2)
    }

    fileprivate func received(_ incoming: IncomingMessage) {
        guard case .response(let response) = incoming.message, let callID = response.headers.callID,
              var call = calls[callID], let cseq = try? response.headers.cseq else { return }
        let status = response.statusCode
        if ProcessInfo.processInfo.environment["SIP_BENCH_DEBUG"] != nil { benchLog("sip-bench", "\(callID) \(status) \(cseq)") }
        if status > 100 { call.retransmit?.cancel() }
        switch (cseq.method, status) {
        case (.invite, 180) where call.expecting == 180:
            call.toTag = try? response.headers.to.tag
            calls[callID] = call
            finish(callID, call)
            cancel(call)
        case (.invite, 300...):
            ack(response, call)
            calls[callID] = nil
            if call.expecting == status { finish(callID, call) }
        case (.invite, 200..<300):
            call.toTag = try? response.headers.to.tag
            call.contact = ((try? response.headers.contacts) ?? []).first?.uri
            calls[callID] = call
            ackSuccess(callID, call)
            if call.expecting == 200, waiters[callID] == nil {
                answered += 1
                if answered >= answeredGoal, let waiter = answeredWaiter {
                    answeredWaiter = nil
                    waiter.resume()
                }
            }
        default:
            calls[callID] = call
        }
    }

    private func finish(_ callID: String, _ call: Call) {
        guard let waiter = waiters.removeValue(forKey: callID) else { return }
        waiter.resume(returning: milliseconds(call.sentAt, .now))
    }

    private func cancel(_ call: Call) {
        var headers = SIPHeaders()
        for name: HeaderName in [.via, .maxForwards, .from, .to, .callID] {
            if let value = call.invite.headers.first(name) { headers.add(name.canonicalSpelling, value) }
        }
        headers.add("CSeq", "1 CANCEL")
        transport.send(.request(SIPRequest(method: .cancel, uri: call.invite.uri, headers: headers)), to: target)
    }

    /// The ACK of a non-2xx final response: the INVITE's branch, the response's To.
    private func ack(_ response: SIPResponse, _ call: Call) {
        var headers = SIPHeaders()
        for name: HeaderName in [.via, .maxForwards, .from, .callID] {
            if let value = call.invite.headers.first(name) { headers.add(name.canonicalSpelling, value) }
        }
        headers.add("To", response.headers.first(.to) ?? "")
        headers.add("CSeq", "1 ACK")
        transport.send(.request(SIPRequest(method: .ack, uri: call.invite.uri, headers: headers)), to: target)
    }

    private func ackSuccess(_ callID: String, _ call: Call) {
        transport.send(.request(inDialog(.ack, callID, call, sequence: 1)), to: target)
    }

    private func bye(_ callID: String, _ call: Call) {
        transport.send(.request(inDialog(.bye, callID, call, sequence: 2)), to: target)
    }

    private func inDialog(_ method: SIPMethod, _ callID: String, _ call: Call, sequence: Int) -> SIPRequest {
        counter += 1
        var headers = SIPHeaders()
        headers.add("Via", "SIP/2.0/UDP 127.0.0.1:\(transport.local.port);branch=z9hG4bK-bench-d\(counter);rport")
        headers.add("Max-Forwards", "70")
        headers.add("From", call.invite.headers.first(.from) ?? "")
        headers.add("To", "<sip:1001@127.0.0.1>;tag=\(call.toTag ?? "")")
        headers.add("Call-ID", callID)
        headers.add("CSeq", "\(sequence) \(method.rawValue)")
        return SIPRequest(method: method, uri: call.contact ?? call.invite.uri, headers: headers)
    }
}

/// Delivers the transport's messages to the generator once it exists.
private final class Relay: Sendable {
    let generator = Mutex<CallGenerator?>(nil)
    func deliver(_ incoming: IncomingMessage) {
        guard let generator = generator.withLock({ $0 }) else { return }
        Task { await generator.received(incoming) }
    }
}

/// Counts the RTP datagrams the line sends to the callers.
final class SinkCounter: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let count = Mutex(0)
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { count.withLock { $0 += 1 } }
}
