import CallStore
import Foundation
import NIOCore
import SoftphoneConfig
import SoftphoneCore
import TeamsSync
import TerminalUI
import SIP
import SIPAuth
import SIPNetwork
import SIPUserAgent
import SDP

/// A runtime for a real configuration: the SIP line on `[sip]`, Teams through Microsoft
/// Graph when `[teams]` is configured.
public enum ConfiguredRuntime {
    public static func make(_ configuration: Configuration, options: AppOptions, context: RuntimeContext) throws -> Runtime {
        let inbox = context.inbox
        AppLog.reportProblems(of: options.log, to: inbox)
        let store = try CallStore(path: options.callStorePath)
        var names: [String: String] = [:]
        for colleague in configuration.colleagues {
            let id = colleague.teamsID ?? colleague.sip ?? colleague.name
            if let teamsID = colleague.teamsID { names[teamsID] = colleague.name }
            inbox.post(.colleague(id: id, name: colleague.name, presence: Presence(.unknown)))
        }
        return Runtime(settings: configuration.coreSettings,
                       identity: ScreenModel.Identity(name: configuration.user.name,
                                                      extensionNumber: configuration.user.extension),
                       line: lineConnector(configuration, inbox, loop: context.loop, trace: options.sipTracer), teams: teamsConnector(configuration, names, inbox, environment: options.environment),
                       store: store, sources: [], inbox: inbox,
                       teamsConfigured: configuration.teams != nil)
    }

    /// The SIP line, or — when its address cannot be bound — a line that says why.
    static func lineConnector(_ configuration: Configuration, _ inbox: Inbox, loop: EventLoop, trace: SIPTracer? = nil) -> LineConnector {
        let settings = lineSettings(configuration)
        do {
            return try blocking { try await SIPLineConnector.start(settings, inbox: inbox, loop: loop, trace: trace) }
        } catch {
            return UnavailableLine(reportingTo: inbox,
                                   reason: "the SIP line cannot listen on \(configuration.sip.listen): \(error)")
        }
    }

    static func lineSettings(_ configuration: Configuration) -> SIPLineSettings {
        let sip = configuration.sip
        let user = sip.username ?? configuration.user.extension ?? "softphone"
        let credentials = sip.password.map { DigestCredentials(username: sip.authUser ?? user, password: $0.value) }
        var colleagues: [String: (id: String, name: String)] = [:]
        var watched: [SIPURI] = []
        for colleague in configuration.colleagues {
            guard let text = colleague.sip, let uri = SIPURI(text) else { continue }
            watched.append(uri)
            colleagues[uri.description] = (id: colleague.teamsID ?? text, name: colleague.name)
        }
        let agent = LineAgentConfiguration(
            user: user, displayName: configuration.user.name,
            local: SIPHop(transport: .udp, host: sip.listen.host, port: sip.listen.port),
            registrar: sip.registrar.flatMap { SIPURI($0) }, credentials: credentials,
            registerExpires: UInt32(sip.registerExpires),
            product: "softphone", presence: sip.presence && sip.registrar != nil, watched: watched,
            codecs: configuration.audio.codecs.compactMap { Codec(named: $0.rawValue) },
            domain: sip.domain, outboundProxy: sip.outboundProxy.flatMap { SIPURI($0) },
            srtp: SRTPPolicy(rawValue: sip.effectiveSRTP.rawValue) ?? .off, maxCalls: sip.maxCalls,
            acceptFrom: AcceptFrom(rawValue: sip.acceptFrom.rawValue) ?? .registrar,
            keepAliveInterval: .seconds(sip.keepAliveSeconds))
        return SIPLineSettings(agent: agent, listenHost: sip.listen.host, listenPort: sip.listen.port,
                               audioFile: sip.audioFile, colleagues: colleagues, queues: configuration.queueDirectory,
                               sound: configuration.audio, tlsCAFile: sip.tlsCAFile)
    }

    static func teamsConnector(_ configuration: Configuration, _ names: [String: String], _ inbox: Inbox,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> TeamsConnector {
        guard let teams = configuration.teams, teams.sync != .off else {
            return UnavailableTeams(reportingTo: inbox)
        }
        let budget = teams.maxRequestsPer30s
        // One gate per tenant: every GraphClient for this tenant shares it.
        let gate = TenantGate(budget: budget) { asked, until in inbox.post(.teamsAskedToWait(asked, until: until)) }
        let client: GraphClient
        switch teams.auth {
        case .app:
            guard let secret = teams.clientSecret else { return UnavailableTeams(reportingTo: inbox) }
            let graph = GraphConfiguration(graphURL: teams.graphURL, tokenURL: teams.tokenURL, clientID: teams.clientID,
                                           clientSecret: secret.value, userID: teams.userID, maxRetries: 1)
            client = GraphClient(configuration: graph, gate: gate)
        case .device:
            // Delegated: no secret; the refresh token from `softphone teams login`.
            let graph = GraphConfiguration(graphURL: teams.graphURL, tokenURL: teams.tokenURL, clientID: teams.clientID,
                                           clientSecret: "", userID: teams.userID, maxRetries: 1)
            let tokens = DelegatedTokenSource(store: TokenStore(environment: environment), clientID: teams.clientID,
                                              tokenURL: teams.tokenURL, scope: DelegatedScopes.scope(graphURL: teams.graphURL),
                                              note: { inbox.post(.note(.teams, $0)) })
            client = GraphClient(configuration: graph, tokens: tokens, gate: gate)
        }
        let options = TeamsSyncEngine.Options(pollInterval: .milliseconds(teams.pollIntervalMs),
                                              colleagues: Array(names.keys).sorted(), maxRequestsPer30s: budget)
        let webhook = teams.notifications == .webhook
            ? TeamsSyncService.WebhookSetup(host: teams.webhookListen.host, port: teams.webhookListen.port,
                                               publicURL: teams.webhookURL)
            : nil
        return GraphTeamsConnector(client: client, options: options, webhook: webhook, names: names, inbox: inbox,
                                   resolution: .init(delegated: teams.auth == .device))
    }
}
