import SDP
import SIP
import SIPAuth
import SoftphoneSIPMapping
import SoftphoneCore
import Testing
@testable import SIPUserAgent

// MARK: - The world around the agent

/// The addresses of the test network.
enum Net {
    /// Where the line listens.
    static let local = SIPHop(transport: .udp, host: "198.51.100.5", port: 5060)
    /// The registrar and outbound proxy.
    static let registrarURI = SIPURI("sip:pbx.example.com")!
    static let registrar = SIPHop(transport: .udp, host: "pbx.example.com", port: 5060)
    /// A caller's phone and the proxy in front of it.
    static let caller = SIPHop(transport: .udp, host: "192.0.2.10", port: 5060)
    static let proxy = SIPHop(transport: .udp, host: "proxy.example.com", port: 5060)
    static let realm = "pbx.example.com"
    static let user = "alice"
    static let password = "s3cret"
    static let queues = QueueDirectory([
        Queue(name: "Support", number: "800", presenceBasedRouting: true),
        Queue(name: "Sales", number: "801", presenceBasedRouting: false),
    ])

    static func configuration(registrar: Bool = true, credentials: Bool = true, expires: UInt32 = 600,
                              retry: Duration = .seconds(30), maximumRetry: Duration = .seconds(300),
                              presence: Bool = false, watched: [SIPURI] = []) -> LineAgentConfiguration {
        LineAgentConfiguration(
            user: user, displayName: "Alice Agent", local: local, registrar: registrar ? registrarURI : nil,
            credentials: credentials ? DigestCredentials(username: user, password: password) : nil,
            registerExpires: expires, retryDelay: retry, maximumRetryDelay: maximumRetry,
            mediaHost: "198.51.100.5", product: "softphone-test", presence: presence, watched: watched)
    }
}

// MARK: - What one step of the agent did

/// A request the agent put on the wire, read back from its bytes.
struct SentRequest {
    var request: SIPRequest
    var hop: SIPHop
    var transaction: TransactionKey?
}

/// A response the agent put on the wire, read back from its bytes.
struct SentResponse {
    var response: SIPResponse
    var origin: SIPHop
}

/// The outputs of one or more inputs, sorted by kind (messages are the parsed wire form).
struct Step {
    var outputs: [LineOutput] = []
    var sent: [SentRequest] = []
    var replies: [SentResponse] = []
    /// The agent's own reports, and the same mapped to core actions (and watched presence).
    var events: [LineEvent] = []
    var actions: [Action] = []
    var media: [MediaCommand] = []
    /// Watched colleagues' presence, as reported.
    var watched: [(uri: String, presence: Presence)] = []
    var started: [(timer: LineTimer, after: Duration)] = []
    var cancelled: [LineTimer] = []
    /// The URIs whose servers the agent asked to locate (RFC 3263).
    var located: [SIPURI] = []

    var requests: [SIPRequest] { sent.map(\.request) }
    var responses: [SIPResponse] { replies.map(\.response) }
    func requests(_ method: SIPMethod) -> [SIPRequest] { requests.filter { $0.method == method } }
    func sent(_ method: SIPMethod) -> [SentRequest] { sent.filter { $0.request.method == method } }
    func responses(_ status: Int) -> [SIPResponse] { responses.filter { $0.statusCode == status } }
    var statuses: [Int] { responses.map(\.statusCode) }
    var notes: [String] {
        actions.compactMap { if case .note(_, let text) = $0 { text } else { nil } }
    }
    /// The core actions other than notes.
    var reports: [Action] {
        actions.filter { if case .note = $0 { false } else { true } }
    }
    func startedTimer(_ timer: LineTimer) -> Duration? { started.last { $0.timer == timer }?.after }

    mutating func append(_ other: Step) {
        outputs += other.outputs
        sent += other.sent
        replies += other.replies
        events += other.events
        actions += other.actions
        media += other.media
        watched += other.watched
        started += other.started
        cancelled += other.cancelled
        located += other.located
    }
}

// MARK: - The harness

/// Runs a `LineAgent` on virtual time: feeds inputs, keeps the timers it starts by deadline,
/// fires them in order when time advances, and proves every message it sends parses. Core
/// commands reach the agent and its events reach the tests through the app's `LineMapping`,
/// so the assertions speak the core's vocabulary.
struct LineHarness {
    var agent: LineAgent
    var mapping: LineMapping
    private(set) var now: SIPInstant = .zero
    /// Running timers: deadline and start order (ties fire in the order they were started).
    private(set) var timers: [LineTimer: (deadline: SIPInstant, order: Int)] = [:]
    private var order = 0
    /// Everything since the start.
    private(set) var history = Step()
    /// When false, unparseable output is counted instead of recorded as an issue (fuzzing).
    var recordIssues = true
    private(set) var unparseable: [String] = []
    /// Where requests and responses come from unless a test says otherwise.
    var requestSource = Net.caller
    var responseSource = Net.registrar

    init(_ configuration: LineAgentConfiguration = Net.configuration(), seed: UInt64 = 7) {
        agent = LineAgent(configuration: configuration, seed: seed)
        mapping = LineMapping(queues: Net.queues, configuration: configuration)
    }

    // MARK: Inputs

    @discardableResult
    mutating func feed(_ input: LineInput) -> Step {
        let outputs = agent.handle(input, at: now)
        var step = Step(outputs: outputs)
        for output in outputs {
            switch output {
            case .send(let message, let hop, let transaction):
                if let parsed = reparse(message), let request = parsed.request {
                    step.sent.append(SentRequest(request: request, hop: hop, transaction: transaction))
                } else if case .response = message {
                    problem("the agent sent a response as a request: \(message)")
                }
            case .respond(let response, let origin):
                if let parsed = reparse(.response(response)), let response = parsed.response {
                    step.replies.append(SentResponse(response: response, origin: origin))
                }
            case .startTimer(let timer, let after):
                if after < .zero { problem("timer \(timer) started with a negative delay \(after)") }
                timers[timer] = (now.advanced(by: after), order)
                order += 1
                step.started.append((timer, after))
            case .cancelTimer(let timer):
                timers[timer] = nil
                step.cancelled.append(timer)
            case .report(let event):
                step.events.append(event)
                switch mapping.report(for: event) {
                case .action(let action): step.actions.append(action)
                case .watched(let uri, let presence): step.watched.append((uri, presence))
                }
            case .media(let command):
                step.media.append(command)
            case .keepAlive:
                break  // read from `outputs`
            case .locate(let uri):
                step.located.append(uri)
            }
        }
        history.append(step)
        return step
    }

    @discardableResult
    mutating func receive(_ message: SIPMessage, from hop: SIPHop) -> Step {
        feed(.received(message, from: hop))
    }

    @discardableResult
    mutating func receive(_ request: SIPRequest, from hop: SIPHop? = nil) -> Step {
        feed(.received(.request(request), from: hop ?? requestSource))
    }

    @discardableResult
    mutating func receive(_ response: SIPResponse, from hop: SIPHop? = nil) -> Step {
        feed(.received(.response(response), from: hop ?? responseSource))
    }

    @discardableResult
    mutating func command(_ command: LineCommand) -> Step {
        feed(.command(mapping.request(for: command)))
    }

    // MARK: Time

    /// Moves virtual time forward, firing every timer due on the way in deadline order.
    @discardableResult
    mutating func advance(by duration: Duration) -> Step {
        advance(to: now.advanced(by: duration))
    }

    @discardableResult
    mutating func advance(to target: SIPInstant) -> Step {
        var step = Step()
        while let (timer, entry) = timers.min(by: { ($0.value.deadline, $0.value.order) < ($1.value.deadline, $1.value.order) }),
              entry.deadline <= target {
            timers[timer] = nil
            now = entry.deadline
            step.append(feed(.timerFired(timer)))
        }
        now = target
        return step
    }

    /// When a running timer is due, relative to now.
    func remaining(_ timer: LineTimer) -> Duration? {
        timers[timer].map { now.duration(to: $0.deadline) }
    }

    func isRunning(_ timer: LineTimer) -> Bool { timers[timer] != nil }

    /// Running transaction timers of one kind (e.g. all Timer G).
    func runningTransactionTimers(_ kind: TransactionTimer) -> [TransactionKey] {
        timers.keys.compactMap { if case .transaction(let key, let t) = $0, t == kind { key } else { nil } }
    }

    // MARK: Wire check

    /// The message as a peer would read it: serialised and parsed again.
    private mutating func reparse(_ message: SIPMessage) -> SIPMessage? {
        let bytes = message.bytes
        do {
            return try SIPParser.parse(bytes)
        } catch {
            problem("sent message does not parse (\(error)):\n\(String(decoding: bytes, as: UTF8.self))")
            return nil
        }
    }

    private mutating func problem(_ text: String) {
        if recordIssues { Issue.record(Comment(rawValue: text)) } else { unparseable.append(text) }
    }
}

// MARK: - Building what peers send

/// Parses a message written as lines (LF or CRLF) and an optional body, with Content-Length set.
func message(_ lines: [String], body: String = "") -> SIPMessage {
    let bodyBytes = Array(body.utf8)
    var text = lines.joined(separator: "\r\n") + "\r\n"
    text += "Content-Length: \(bodyBytes.count)\r\n\r\n"
    do {
        return try SIPParser.parse(Array(text.utf8) + bodyBytes)
    } catch {
        fatalError("test message does not parse: \(error)\n\(text)")
    }
}

func request(_ lines: [String], body: String = "") -> SIPRequest {
    message(lines, body: body).request!
}

/// An SDP body as a caller writes it.
func remoteSDP(host: String = "192.0.2.10", port: Int = 40000, formats: [Int] = [0, 8, 101],
               direction: String? = "sendrecv", version: Int = 1, connection: String? = nil) -> String {
    var lines = ["v=0", "o=caller 4711 \(version) IN IP4 \(host)", "s=call", "c=IN IP4 \(connection ?? host)",
                 "t=0 0", "m=audio \(port) RTP/AVP " + formats.map(String.init).joined(separator: " ")]
    for format in formats {
        switch format {
        case 0: lines.append("a=rtpmap:0 PCMU/8000")
        case 8: lines.append("a=rtpmap:8 PCMA/8000")
        case 18: lines.append("a=rtpmap:18 G729/8000")
        case 101: lines += ["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16"]
        default: break
        }
    }
    if let direction { lines.append("a=" + direction) }
    return lines.joined(separator: "\r\n") + "\r\n"
}

/// A caller on the other side of an inbound call (through a record-routing proxy).
struct Caller {
    var callID = "inbound-1@192.0.2.10"
    var fromTag = "caller-tag-1"
    var displayName = "Ada Lovelace"
    var number = "+4930111222"
    var toUser = "alice"
    var branch = "z9hG4bKinvite-1"
    var sequence: UInt32 = 1
    var recordRoute: [String] = ["<sip:proxy.example.com;lr>"]
    var contact = "<sip:ada@192.0.2.10:5060>"
    var viaHost = "192.0.2.10"
    /// Our tag, once a response told us.
    var localTag: String?
    private var branches = 0

    init(callID: String = "inbound-1@192.0.2.10", fromTag: String = "caller-tag-1") {
        self.callID = callID
        self.fromTag = fromTag
    }

    var coreID: CallID { CallID(callID) }

    var from: String { "\"\(displayName)\" <sip:\(number)@pbx.example.com>;tag=\(fromTag)" }
    var to: String {
        "<sip:\(toUser)@pbx.example.com>" + (localTag.map { ";tag=\($0)" } ?? "")
    }

    /// The initial INVITE (retransmissions are the same value).
    func invite(sdp: String? = remoteSDP(), extra: [String] = [], uriUser: String? = nil) -> SIPRequest {
        var lines = ["INVITE sip:\(uriUser ?? toUser)@198.51.100.5:5060 SIP/2.0",
                     "Via: SIP/2.0/UDP \(viaHost):5060;branch=\(branch);rport",
                     "Max-Forwards: 69"]
        lines += recordRoute.map { "Record-Route: " + $0 }
        lines += ["From: " + from, "To: <sip:\(toUser)@pbx.example.com>", "Call-ID: " + callID,
                  "CSeq: 1 INVITE", "Contact: " + contact, "User-Agent: caller-phone"]
        lines += extra
        if sdp != nil { lines.append("Content-Type: application/sdp") }
        return request(lines, body: sdp ?? "")
    }

    /// The ACK for a non-2xx final response: same branch as the INVITE (§17.1.1.3).
    func ackForFailure(_ response: SIPResponse) -> SIPRequest {
        let toTag = (try? response.headers.to.tag) ?? nil
        return request(["ACK sip:\(toUser)@198.51.100.5:5060 SIP/2.0",
                        "Via: SIP/2.0/UDP \(viaHost):5060;branch=\(branch);rport", "Max-Forwards: 70",
                        "From: " + from, "To: <sip:\(toUser)@pbx.example.com>" + (toTag.map { ";tag=\($0)" } ?? ""),
                        "Call-ID: " + callID, "CSeq: 1 ACK"])
    }

    /// The CANCEL of the INVITE: same branch, same CSeq number (§9.1).
    func cancel() -> SIPRequest {
        request(["CANCEL sip:\(toUser)@198.51.100.5:5060 SIP/2.0",
                 "Via: SIP/2.0/UDP \(viaHost):5060;branch=\(branch);rport", "Max-Forwards: 70",
                 "From: " + from, "To: <sip:\(toUser)@pbx.example.com>", "Call-ID: " + callID, "CSeq: 1 CANCEL"])
    }

    /// A request within the dialog (after our 180/200 told us the local tag): a fresh branch
    /// and the next CSeq, unless `sequence` is given (an ACK uses its INVITE's).
    mutating func inDialog(_ method: String, sequence: UInt32? = nil, sdp: String? = nil, extra: [String] = [],
                           body: String? = nil) -> SIPRequest {
        branches += 1
        let number: UInt32
        if let sequence {
            number = sequence
        } else {
            self.sequence += 1
            number = self.sequence
        }
        var lines = ["\(method) sip:\(toUser)@198.51.100.5:5060 SIP/2.0",
                     "Via: SIP/2.0/UDP \(viaHost):5060;branch=z9hG4bKdlg-\(method.lowercased())-\(branches);rport",
                     "Max-Forwards: 70", "From: " + from, "To: " + to, "Call-ID: " + callID,
                     "CSeq: \(number) \(method)", "Contact: " + contact]
        lines += extra
        if sdp != nil { lines.append("Content-Type: application/sdp") }
        return request(lines, body: sdp ?? body ?? "")
    }

    /// The ACK for a 2xx (a new transaction-less request with the INVITE's CSeq number).
    mutating func ack(sequence: UInt32, sdp: String? = nil) -> SIPRequest {
        inDialog("ACK", sequence: sequence, sdp: sdp)
    }
}

/// A response from the peer to a request the agent sent, read back through the parser.
func reply(to request: SIPRequest, _ status: Int, reason: String? = nil, toTag: String? = "remote-tag",
           headers: [(String, String)] = [], sdp: String? = nil) -> SIPResponse {
    var response = SIPResponse(replyingTo: request, status: status, reason: reason, toTag: status == 100 ? nil : toTag)
    for (name, value) in headers { response.headers.add(name, value) }
    if let sdp {
        response.headers.add("Content-Type", "application/sdp")
        response.body = Array(sdp.utf8)
    }
    do {
        return try SIPParser.parse(response.bytes).response!
    } catch {
        fatalError("test response does not parse: \(error)")
    }
}

// MARK: - Reading what the agent sent

extension SIPRequest {
    var cseqNumber: UInt32? { try? headers.cseq.sequence }
    var branch: String? { (try? headers.topVia)?.branch }
    var fromTag: String? { (try? headers.from.tag) ?? nil }
    var toTag: String? { (try? headers.to.tag) ?? nil }
    var routeValues: [String] { headers.values(.route) }
    var sdpText: String { String(decoding: body, as: UTF8.self) }
    var sdp: SessionDescription? { try? SessionDescription(parsing: sdpText) }
}

extension SIPResponse {
    var toTag: String? { (try? headers.to.tag) ?? nil }
    var cseqNumber: UInt32? { try? headers.cseq.sequence }
    var sdpText: String { String(decoding: body, as: UTF8.self) }
    var sdp: SessionDescription? { try? SessionDescription(parsing: sdpText) }
}

extension SessionDescription {
    var audioDirection: MediaDirection? { negotiatedAudio()?.direction }
}

extension Action {
    var lineState: LineState? { if case .presence(.lineStateChanged(let s)) = self { s } else { nil } }
}

extension Step {
    var lineStates: [LineState] { actions.compactMap(\.lineState) }
    var failureReason: String? {
        lineStates.compactMap { if case .failed(let reason) = $0 { reason } else { nil } }.last
    }
}

// MARK: - The core's call ids where the agent takes its own

extension MediaCommand {
    static func open(_ id: CallID) -> MediaCommand { .open(LineMapping.line(id)) }
    static func close(_ id: CallID) -> MediaCommand { .close(LineMapping.line(id)) }
    static func start(_ id: CallID, _ plan: MediaPlan) -> MediaCommand { .start(LineMapping.line(id), plan) }
}

extension LineInput {
    static func mediaOpened(_ id: CallID, port: UInt16) -> LineInput { .mediaOpened(LineMapping.line(id), port: port) }
    static func mediaFailed(_ id: CallID, reason: String) -> LineInput { .mediaFailed(LineMapping.line(id), reason: reason) }
    /// A core command, as the app maps it.
    static func command(_ command: LineCommand) -> LineInput {
        .command(LineMapping(queues: Net.queues, configuration: Net.configuration()).request(for: command))
    }
}

/// Milliseconds as a `Duration`, for short timer checks.
func ms(_ value: Int) -> Duration { .milliseconds(value) }
