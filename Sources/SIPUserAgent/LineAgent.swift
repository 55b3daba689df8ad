import SDP
import SIP
import SIPAuth

/// The phone line's SIP user agent (RFC 3261), as a pure state machine.
///
/// It is thin where it can be: registration (`Registration`), publication (`Publication`) and
/// presence subscriptions (`Subscriptions`) are machines of their own; the agent owns the
/// transaction table, routes each transaction and message to the machine that owns it, answers
/// digest challenges, and gathers the machines' outputs. The calls are the `Sessions` machine.
/// See docs/design-sip-user-agent.md.
///
/// Inputs are messages from the transport, `LineRequest`s, timers and media results;
/// outputs are messages to send, timers, `LineEvent` reports and media commands.
/// Time comes in with every input (a `SIPInstant` on a monotonic clock) and nothing here
/// reads a clock, opens a socket or draws a random number it was not seeded with — so the
/// whole line runs in unit tests on virtual time, exactly as the core reducer does.
///
/// Every inbound INVITE becomes `LineEvent.incomingCall`; the app's policy answers with
/// `ring` (180 and the popup) or `respond` (302/480/486/603 without ringing).
public struct LineAgent: Sendable {
    /// What the machines share: configuration, randomness, digest state, message writing.
    var shared: AgentContext
    public var configuration: LineAgentConfiguration { shared.configuration }
    var transactions = TransactionTable()
    var clients: [TransactionKey: ClientContext] = [:]
    var servers: [TransactionKey: ServerContext] = [:]
    /// The registration machine (REGISTER, refresh, retry, de-register).
    var registration: Registration
    /// The calls machine: every call's dialog, INVITE in and out, BYE, hold, transfer.
    var sessions: Sessions
    /// Calls by SIP Call-ID (for tests).
    var calls: [String: CallLeg] { sessions.calls }
    /// The publication machine: the agent's presence as published (RFC 3903).
    var publication = Publication()
    /// Colleagues' presence subscriptions by their URI (RFC 3856).
    var subscriptions = Subscriptions()
    /// While a transport failure is handled: what the transport said.
    var sendFailure: String?
    /// Whether the line is logged in to a registrar: registering, registered, or between
    /// attempts after a failure. The inbound policy's `accept_from = "registrar"` applies
    /// all that time — a refresh that failed must not open the line to strangers.
    var loggedInToRegistrar = false
    /// The addresses the registrar's (or outbound proxy's) 2xx to our REGISTERs came from,
    /// newest last, at most `trustedLimit`: INVITEs from these are the registrar's.
    var learnedRegistrarHosts: [String] = []
    static let trustedLimit = 8
    /// INVITEs refused by the inbound policy, counted for the Log's summary.
    var refusals = RefusalTally()
    /// Keys the To tags of stateless answers (derived from the seed, never sent).
    let statelessSalt: UInt64
    /// The registrar's and outbound proxy's hosts that are IP addresses: trusted as the registrar's.
    let registrarLiterals: [String]

    /// A request we sent in a client transaction, and what to do with its responses.
    struct ClientContext: Sendable {
        var request: SIPRequest
        var hop: SIPHop
        var owner: Owner
        /// How many times this request has been resent with credentials.
        var authAttempts: Int
    }

    /// Who a client transaction belongs to.
    enum Owner: Hashable, Sendable {
        case registration
        /// A request within (or creating) a call: INVITE, re-INVITE, CANCEL, BYE, REFER.
        case call(String)
        /// A PUBLISH of the agent's presence.
        case publication
        /// A SUBSCRIBE to the colleague with this URI.
        case subscription(String)
        /// Fire and forget (a response we do not act on).
        case none
    }

    /// A request we received in a server transaction.
    struct ServerContext: Sendable {
        var origin: SIPHop
    }

    /// - Parameters:
    ///   - seed: Seeds tags, branches, Call-IDs and nonces.
    ///   - keys: Where SRTP master keys come from (the system's secure generator, unless a test says).
    public init(configuration: LineAgentConfiguration, seed: UInt64, keys: SRTPKeySource = .system) {
        var random = SIPRandom(seed: seed)
        sessions = Sessions(sessionID: random.next() >> 20)
        shared = AgentContext(configuration: configuration, random: random,
                              nonces: SIPRandom(seed: seed ^ 0x9E37_79B9_7F4A_7C15),
                              authenticator: configuration.credentials.map { DigestAuthenticator(credentials: $0) },
                              keys: keys)
        registration = Registration(callID: "")
        statelessSalt = seed &* 0xD6E8_FEB8_6659_FD93 ^ 0xA076_1D64_78BD_642F
        registrarLiterals = Self.addressLiterals(configuration)
        registration.callID = token(16) + "@" + configuration.local.host
    }

    /// The calls the agent knows, for tests and the Log tab.
    public var callCount: Int { calls.count }
    /// The live transactions, for tests and benchmarks.
    public var transactionCount: Int { transactions.count }

    /// Whether a registration, publication or subscription change is still on its way
    /// (on quit, the driver waits for logout's de-registration and removals to be answered).
    public var hasPendingWork: Bool {
        registration.isPending || publication.isPending
            || subscriptions.isPending
    }

    /// Handles one input at `now`; returns what to do, in order.
    public mutating func handle(_ input: LineInput, at now: SIPInstant) -> [LineOutput] {
        var out: [LineOutput] = []
        switch input {
        case .received(let message, let from):
            receive(message, from: from, now, &out)
        case .command(let command):
            perform(command, now, &out)
        case .place(let id, let target, let caller, let headers):
            runSessions(.place(id, to: target, caller: caller, headers: headers), now, &out)
        case .timerFired(let timer):
            fire(timer, now, &out)
        case .mediaOpened(let id, let port):
            runSessions(.mediaOpened(id, port: port), now, &out)
        case .mediaFailed(let id, let reason):
            runSessions(.mediaFailed(id, reason: reason), now, &out)
        case .sendFailed(let key, let reason):
            // The transaction's owner says what failed (once), with the transport's reason.
            sendFailure = reason
            process(key, transactions.transportError(for: key, at: now), now, &out)
            sendFailure = nil
        case .targets(let hops, let failure):
            runRegistration(.targets(hops, failure: failure), now, &out)
        }
        return out
    }

    // MARK: Dispatch

    mutating func receive(_ message: SIPMessage, from: SIPHop, _ now: SIPInstant, _ out: inout [LineOutput]) {
        switch transactions.receive(message, at: now) {
        case .delivered(let key, let actions):
            if case .response(let response) = message, (200..<300).contains(response.statusCode),
               clients[key]?.owner == .registration {
                learnRegistrar(from.host)
            }
            process(key, actions, now, &out)
        case .newRequest(let request):
            if request.method == .invite, let answers = sessions.retransmittedInvite(request, from: from) {
                carry(answers, now, &out)
                return
            }
            if answerStatelessly(request, from: from, now, &out) { return }
            do {
                let (key, actions) = try transactions.startServer(request, timers: configuration.timers, at: now)
                servers[key] = ServerContext(origin: from)
                process(key, actions, now, &out)
            } catch {
                note("cannot handle \(request.method) from \(from): \(error)", &out)
            }
        case .unmatchedACK(let ack):
            runSessions(.ack(ack), now, &out)
        case .unmatchedResponse(let response):
            runSessions(.strayResponse(response), now, &out)
        case .unroutable:
            break  // no Via or branch: nothing can be matched or answered
        }
    }

    mutating func perform(_ command: LineRequest, _ now: SIPInstant, _ out: inout [LineOutput]) {
        switch command {
        case .register: register(now, &out)
        case .unregister: unregister(now, &out)
        case .ring, .respond, .answer, .hangUp, .hold, .resume, .transfer, .dial, .cancelDial, .sendDTMF, .mute:
            runSessions(.command(command), now, &out)
        case .publish(let document): runPublication(.publish(document), now, &out)
        }
    }

    mutating func fire(_ timer: LineTimer, _ now: SIPInstant, _ out: inout [LineOutput]) {
        switch timer {
        case .transaction(let key, let t):
            process(key, transactions.timerFired(t, for: key, at: now), now, &out)
        case .registrationRefresh:
            runRegistration(.timerFired(.refresh), now, &out)
        case .registrationRetry:
            runRegistration(.timerFired(.retry), now, &out)
        case .keepAlive:
            runRegistration(.timerFired(.keepAlive), now, &out)
        case .registrationFailover:
            runRegistration(.timerFired(.failover), now, &out)
        case .okRetransmit(let callID):
            runSessions(.timerFired(.okRetransmit(callID: callID)), now, &out)
        case .okTimeout(let callID):
            runSessions(.timerFired(.okTimeout(callID: callID)), now, &out)
        case .reinviteRetry(let callID):
            runSessions(.timerFired(.reinviteRetry(callID: callID)), now, &out)
        case .transferTimeout(let callID):
            runSessions(.timerFired(.transferTimeout(callID: callID)), now, &out)
        case .sessionRefresh(let callID):
            runSessions(.timerFired(.sessionRefresh(callID: callID)), now, &out)
        case .sessionExpiry(let callID):
            runSessions(.timerFired(.sessionExpiry(callID: callID)), now, &out)
        case .provisionalRetransmit(let callID):
            runSessions(.timerFired(.provisionalRetransmit(callID: callID)), now, &out)
        case .provisionalTimeout(let callID):
            runSessions(.timerFired(.provisionalTimeout(callID: callID)), now, &out)
        case .publication:
            runPublication(.timerFired, now, &out)
        case .subscription(let uri):
            runSubscriptions(.timerFired(.refresh(uri: uri)), now, &out)
        case .refusalSummary:
            for summary in refusals.close() { out.append(.report(.refused(summary))) }
        }
    }

    // MARK: Transactions

    /// Starts a client transaction for `request` to `hop`.
    mutating func sendRequest(_ request: SIPRequest, to hop: SIPHop, owner: Owner, authAttempts: Int = 0,
                              _ now: SIPInstant, _ out: inout [LineOutput]) -> TransactionKey? {
        do {
            let (key, actions) = try transactions.startClient(request, timers: configuration.timers, at: now)
            clients[key] = ClientContext(request: request, hop: hop, owner: owner, authAttempts: authAttempts)
            process(key, actions, now, &out)
            return key
        } catch {
            note("cannot send \(request.method): \(error)", &out)
            return nil
        }
    }

    /// Answers a request of a server transaction.
    mutating func reply(_ response: SIPResponse, on key: TransactionKey, _ now: SIPInstant, _ out: inout [LineOutput]) {
        process(key, transactions.send(response, on: key, at: now), now, &out)
    }

    /// Carries out what a transaction asked for.
    mutating func process(_ key: TransactionKey, _ actions: [TransactionAction], _ now: SIPInstant,
                          _ out: inout [LineOutput]) {
        for action in actions {
            switch action {
            case .send(let message):
                if key.role == .client, let context = clients[key] {
                    out.append(.send(message, to: context.hop, transaction: key))
                } else if let context = servers[key], case .response(let response) = message {
                    out.append(.respond(response, toRequestFrom: context.origin))
                }
            case .startTimer(let timer, let after):
                out.append(.startTimer(.transaction(key, timer), after: after))
            case .cancelTimer(let timer):
                out.append(.cancelTimer(.transaction(key, timer)))
            case .passToTU(.response(let response)):
                if let context = clients[key] { clientResponse(response, key: key, context, now, &out) }
            case .passToTU(.request(let request)):
                serverRequest(request, key: key, now, &out)
            case .timeout:
                if let context = clients[key] {
                    clientFailed(key, context, status: 408, reason: "no answer from \(context.hop)", now, &out)
                }
            case .transportError:
                if let context = clients[key] {
                    // A refused TLS handshake says it all in words, host included ("TLS: certificate
                    // for pbx.example.com not trusted (self-signed)"): the status bar shows it whole.
                    let reason = sendFailure.flatMap { $0.hasPrefix("TLS: ") ? $0 : nil }
                        ?? "cannot reach \(context.hop)\(sendFailure.map { ": \($0)" } ?? "")"
                    clientFailed(key, context, status: 503, reason: reason, now, &out)
                }
            case .terminated:
                clients[key] = nil
                servers[key] = nil
            }
        }
    }

    /// A final or provisional response for a request we sent.
    mutating func clientResponse(_ response: SIPResponse, key: TransactionKey, _ context: ClientContext,
                                 _ now: SIPInstant, _ out: inout [LineOutput]) {
        // A REGISTER, PUBLISH or SUBSCRIBE superseded by a newer one (logout while it was out)
        // must not be answered with credentials: that would undo what the newer one does.
        switch context.owner {
        case .registration where !registration.owns(key): return
        case .publication where !publication.owns(key): return
        case .subscription(let uri) where !subscriptions.owns(key, uri: uri): return
        default: break
        }
        // Once the agent hung up, a challenge is the INVITE's final answer, not a reason to ring again.
        var hungUp = false
        if case .call(let callID) = context.owner { hungUp = sessions.isCancelPending(callID) }
        if !hungUp, response.statusCode == 401 || response.statusCode == 407,
           let retry = authenticated(response, key: key, context), context.owner != .none {
            resend(retry, key: key, context, now, &out)
            return
        }
        switch context.owner {
        case .registration: runRegistration(.response(response, key), now, &out)
        case .call(let callID): runSessions(.response(response, key: key, callID: callID), now, &out)
        case .publication: runPublication(.response(response, key), now, &out)
        case .subscription(let uri): runSubscriptions(.response(response, key, uri: uri), now, &out)
        case .none: break
        }
    }

    /// A request we sent failed without a response (timeout, transport).
    mutating func clientFailed(_ key: TransactionKey, _ context: ClientContext, status: Int, reason: String,
                               _ now: SIPInstant, _ out: inout [LineOutput]) {
        switch context.owner {
        case .registration: runRegistration(.failed(key, reason: reason), now, &out)
        case .call(let callID):
            runSessions(.failed(key: key, callID: callID, status: status, reason: reason), now, &out)
        case .publication: runPublication(.failed(key, reason: reason), now, &out)
        case .subscription(let uri): runSubscriptions(.failed(key, uri: uri, reason: reason), now, &out)
        case .none: break
        }
    }

    /// A new request from the other side (a server transaction has just started).
    mutating func serverRequest(_ request: SIPRequest, key: TransactionKey, _ now: SIPInstant,
                                _ out: inout [LineOutput]) {
        if request.method == .cancel {
            // Whether the INVITE it cancels is still unanswered (nil: no such transaction).
            var proceeding: Bool?
            if let invite = transactions[key.cancelledInvite], case .serverInvite(let t) = invite {
                proceeding = t.state == .proceeding
            }
            runSessions(.cancel(request, key: key, inviteProceeding: proceeding), now, &out)
            return
        }
        if let toTag = try? request.headers.to.tag, !toTag.isEmpty {
            if request.method == .notify, let uri = subscriptions.uri(for: request) {
                runSubscriptions(.notify(request, uri: uri), replyingOn: key, now, &out)
                return
            }
            runSessions(.inDialog(request, key: key, origin: servers[key]?.origin), now, &out)
            return
        }
        switch request.method {
        case .invite:
            if let origin = servers[key]?.origin { runSessions(.invite(request, key: key, origin: origin), now, &out) }
        case .options: reply(makeResponse(request, status: 200, tag: token(10), capabilities: true), on: key, now, &out)
        case .bye, .refer, .notify, .info, .update, .prack:
            reply(makeResponse(request, status: 481, tag: token(10)), on: key, now, &out)
        case .other:
            reply(makeResponse(request, status: 501, tag: token(10), capabilities: true), on: key, now, &out)
        default:
            reply(makeResponse(request, status: 405, tag: token(10), capabilities: true), on: key, now, &out)
        }
    }

    // MARK: Helpers

    mutating func token(_ length: Int) -> String { shared.token(length) }

    func note(_ text: String, _ out: inout [LineOutput]) {
        out.append(.report(.note(text)))
    }
}
