import PIDF
import SIP

/// The agent's presence publication (RFC 3903) as a machine of its own: the document to
/// publish (or nil to remove it), responses and failures of its PUBLISHes and its timer come
/// in; PUBLISHes (initial, modify, refresh with SIP-If-Match, remove), the timer and notes
/// go out. It keeps the entity tag the server holds, one request in flight, and the
/// document still to send (the latest wish wins). No clock; 412 and 423 are handled here.
struct Publication: Sendable {
    /// The machine's one timer: refresh the publication, or try again after a failure.
    enum Timer: Hashable, Sendable { case refresh }

    /// What reaches the machine.
    enum Input: Sendable {
        /// Publish this document; nil removes the publication.
        case publish(PIDFDocument?)
        case response(SIPResponse, TransactionKey)
        case failed(TransactionKey, reason: String)
        case timerFired
        /// The current PUBLISH again, with credentials for a challenge.
        case resend(SIPRequest)
    }

    typealias Output = MachineOutput<Timer>

    private(set) var callID = ""
    private(set) var sequence: UInt32 = 0
    /// The server's SIP-ETag for our current publication; nil when it holds none.
    private(set) var entityTag: String?
    /// The PUBLISH whose answer counts.
    private(set) var current: TransactionKey?
    /// The document the agent shows now (what the server should hold); nil before the first.
    private(set) var wanted: PIDFDocument?
    /// What the server holds (or is being sent).
    private(set) var sent: PIDFDocument?
    /// The lifetime asked for (raised by 423).
    private(set) var expires: UInt32 = 0
    /// The presence server refused us; we said so once.
    private var told = false

    /// Whether a PUBLISH is out, or a removal is still owed (logout waits for it).
    var isPending: Bool { current != nil || (wanted == nil && entityTag != nil) }

    func owns(_ key: TransactionKey) -> Bool { key == current }

    mutating func handle(_ input: Input, _ context: inout AgentContext) -> [Output] {
        var out: [Output] = []
        guard context.presenceServer != nil else { return out }
        switch input {
        case .publish(let document):
            wanted = document
            if current == nil { send(&context, &out) }
        case .response(let response, let key): received(response, key: key, &context, &out)
        case .failed(let key, let reason): failed(key: key, reason: reason, &out)
        case .timerFired: timerFired(&context, &out)
        case .resend(let request): resend(request, &context, &out)
        }
        return out
    }

    /// Sends what `wanted` asks: a new or modified state with a PIDF body, or the removal.
    private mutating func send(_ context: inout AgentContext, _ out: inout [Output]) {
        guard let hop = context.presenceServer, current == nil else { return }
        if wanted == nil && entityTag == nil {
            sent = nil
            return  // nothing published, nothing to remove
        }
        if wanted == sent, entityTag != nil { return }
        if callID.isEmpty { callID = context.token(16) + "@" + context.configuration.local.host }
        if expires == 0 { expires = context.configuration.presenceExpires }
        var request = makePublish(hop, &context)
        if let wanted {
            request.headers.add("Expires", String(expires))
            request.headers.set("Content-Type", PIDFDocument.contentType)
            request.body = Array(wanted.xml.utf8)
        } else {
            request.headers.add("Expires", "0")
        }
        context.addCredentials(&request)
        sent = wanted
        emit(request, hop, &out)
    }

    /// A PUBLISH with the next CSeq, Event and the entity tag we hold.
    private mutating func makePublish(_ hop: SIPHop, _ context: inout AgentContext) -> SIPRequest {
        sequence += 1
        let aor = context.configuration.addressOfRecord
        var request = context.makeRequest(.publish, uri: aor, to: NameAddress(uri: aor).description,
                                          from: context.tagged(aor), callID: callID, sequence: sequence,
                                          transport: hop.transport, routes: context.outboundRoutes(to: aor))
        request.headers.add("Event", "presence")
        if let entityTag { request.headers.add("SIP-If-Match", entityTag) }
        return request
    }

    private mutating func emit(_ request: SIPRequest, _ hop: SIPHop, _ out: inout [Output]) {
        current = try? TransactionKey.client(sending: request)
        out.append(.send(request, to: hop))
    }

    /// Refreshes the publication (SIP-If-Match, no body) or tries again after a failure.
    private mutating func timerFired(_ context: inout AgentContext, _ out: inout [Output]) {
        guard let hop = context.presenceServer, current == nil else { return }
        guard entityTag != nil, wanted != nil, wanted == sent else {
            send(&context, &out)
            return
        }
        var refresh = makePublish(hop, &context)
        refresh.headers.add("Expires", String(expires))
        context.addCredentials(&refresh)
        emit(refresh, hop, &out)
    }

    private mutating func resend(_ request: SIPRequest, _ context: inout AgentContext, _ out: inout [Output]) {
        guard let hop = context.presenceServer else { return }
        var request = request
        sequence += 1
        request.headers.set("CSeq", CSeq(sequence, request.method).description)
        request.headers.set("Via", context.via(hop.transport))
        emit(request, hop, &out)
    }

    private mutating func received(_ response: SIPResponse, key: TransactionKey, _ context: inout AgentContext,
                                   _ out: inout [Output]) {
        guard key == current, response.statusCode >= 200 else { return }
        current = nil
        switch response.statusCode {
        case 200..<300:
            told = false
            if sent == nil {
                entityTag = nil
                out.append(.cancelTimer(.refresh))
            } else {
                entityTag = response.headers.first(HeaderName("SIP-ETag")) ?? entityTag
                let granted = ((try? response.headers.expires) ?? nil) ?? expires
                out.append(.startTimer(.refresh, after: Registration.refreshDelay(max(granted, 2))))
            }
            send(&context, &out)  // a change that came meanwhile
        case 412:
            // The server forgot our publication: start a new one.
            entityTag = nil
            sent = nil
            send(&context, &out)
        case 423:
            // Interval Too Brief: take a usable Min-Expires once, else give up for now.
            let minimum = response.headers.first(HeaderName("Min-Expires")).flatMap { UInt32($0.trimmed) }
            if let minimum, minimum > expires, minimum <= 86_400 {
                expires = minimum
                sent = nil
                send(&context, &out)
            } else {
                failed(key: key, reason: "423 Interval Too Brief without a usable Min-Expires", &out)
            }
        default:
            failed(key: key, reason: "\(response.statusCode) \(response.reasonPhrase)", &out)
        }
    }

    private mutating func failed(key: TransactionKey, reason: String, _ out: inout [Output]) {
        if key == current { current = nil }
        sent = nil
        if wanted == nil { entityTag = nil }
        if !told {
            told = true
            out.append(.report(.note("presence not published: \(reason); trying again in a minute")))
        }
        out.append(.startTimer(.refresh, after: .seconds(60)))
    }
}

extension AgentContext {
    /// Where PUBLISH and SUBSCRIBE go: the registrar, acting as presence server.
    var presenceServer: SIPHop? { configuration.presence ? serverHop : nil }
}

extension LineAgent {
    /// Where PUBLISH and SUBSCRIBE go: the registrar, acting as presence server.
    var presenceServer: SIPHop? { shared.presenceServer }

    /// One step of the publication machine; its PUBLISHes start client transactions owned by it.
    mutating func runPublication(_ input: Publication.Input, authAttempts: Int = 0, _ now: SIPInstant,
                                 _ out: inout [LineOutput]) {
        carry(publication.handle(input, &shared), owner: { _ in .publication }, timer: { _ in .publication },
              authAttempts: authAttempts, now, &out)
    }
}
