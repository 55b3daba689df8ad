import NIOCore
import NIOSSL
import SIP

/// A connection's far end and what runs on it: TCP and TLS connections to one address are
/// different connections.
struct StreamPeer: Hashable {
    var transport: SIPTransportKind
    var endpoint: SIPEndpoint
}

/// Counters of a transport, for the Log tab and the benchmarks.
public struct SIPTransportCounters: Sendable, Hashable {
    public var messagesReceived = 0
    public var messagesSent = 0
    /// Datagrams or stream messages that did not parse.
    public var malformed = 0
    /// Of those, how many got a `400` (or `505`) back.
    public var badRequestsAnswered = 0
    public var connectionsOpened = 0
    public var connectionsClosed = 0
    public var sendFailures = 0
}

/// What the transport keeps between events, confined to its event loop.
struct TransportState {
    var udp: Channel?
    var listener: Channel?
    var connections: [SIPConnectionID: Channel] = [:]
    var remoteOf: [SIPConnectionID: StreamPeer] = [:]
    var byRemote: [StreamPeer: SIPConnectionID] = [:]
    var connecting: [StreamPeer: EventLoopFuture<Channel>] = [:]
    /// Connections we opened, by the hop they were opened for (a host name, say).
    var dialled: [StreamPeer: Channel] = [:]
    /// The client context of TLS connections, made at the first one (or why it cannot be).
    var tlsContext: Result<NIOSSLContext, SIPTLSSetupError>?
    /// Host names resolved lately, and until when the answer is used.
    var resolved: [SIPEndpoint: (address: SocketAddress, until: NIODeadline)] = [:]
    var nextConnection: UInt64 = 1
    var counters = SIPTransportCounters()
    var closed = false

    mutating func makeConnectionID() -> SIPConnectionID {
        defer { nextConnection += 1 }
        return SIPConnectionID(nextConnection)
    }
}

/// The part of a transport its channel handlers talk to: the callbacks, the local address,
/// and the state on the event loop.
final class TransportCore: Sendable {
    let eventLoop: EventLoop
    let configuration: SIPTransportConfiguration
    let receiver: SIPTransport.Receiver
    let problem: SIPTransport.ProblemReporter
    let state: NIOLoopBoundBox<TransportState>
    /// The bound address (set once, before any message can arrive).
    let localBox: NIOLoopBoundBox<SIPEndpoint?>

    init(eventLoop: EventLoop, configuration: SIPTransportConfiguration,
         receiver: @escaping SIPTransport.Receiver, problem: @escaping SIPTransport.ProblemReporter) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.receiver = receiver
        self.problem = problem
        state = .makeBoxSendingValue(TransportState(), eventLoop: eventLoop)
        localBox = .makeEmptyBox(valueType: SIPEndpoint.self, eventLoop: eventLoop)
    }

    var local: SIPEndpoint { localBox.value ?? SIPEndpoint(host: "0.0.0.0", port: 0) }

    /// Whether a tracer is set (`--trace-sip`); without one, nothing is copied or formatted.
    var tracing: Bool { configuration.trace != nil }

    /// Hands a message that crossed the transport to the tracer, if there is one. Without
    /// one, the bytes and the note are never built (autoclosures).
    func trace(_ direction: SIPTraceEvent.Direction, _ transport: SIPTransportKind, local: SIPEndpoint? = nil,
               remote: SIPEndpoint, bytes: @autoclosure () -> [UInt8], note: @autoclosure () -> String? = nil) {
        guard let tracer = configuration.trace else { return }
        tracer(SIPTraceEvent(direction: direction, transport: transport, local: local ?? self.local, remote: remote,
                             bytes: bytes(), note: note()))
    }

    /// A message arrived: stamp the Via of requests, count it, pass it on.
    func deliver(_ message: SIPMessage, transport: SIPTransportKind, from remote: SIPEndpoint,
                 connection: SIPConnectionID?) {
        state.value.counters.messagesReceived += 1
        let stamped = ViaStamp.stamp(message, source: remote)
        receiver(IncomingMessage(message: stamped, transport: transport, remote: remote, local: local,
                                 connection: connection))
    }

    /// Bytes that did not parse: count them, answer `400` when the request can be answered,
    /// and say so (the connector throttles what reaches the Log tab); never crash, never
    /// pass garbage on.
    func malformed(_ error: SIPParseError, transport: SIPTransportKind, from remote: SIPEndpoint,
                   reply: (SIPResponse) -> Void) {
        state.value.counters.malformed += 1
        let stamped = ViaStamp.stamp(error, source: remote)
        if let response = stamped.badRequestResponse() {
            state.value.counters.badRequestsAnswered += 1
            reply(response)
        }
        problem("malformed SIP message from \(transport.viaToken) \(remote): \(error)")
    }
}
