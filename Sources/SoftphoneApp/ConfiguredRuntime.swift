import CallStore
import SoftphoneConfig
import SoftphoneCore
import TeamsSync
import TerminalUI

/// A runtime for a real configuration: Teams through Microsoft Graph when `[teams]`
/// is configured. The SIP line comes with issue 5; until then it says so in the Log tab.
enum ConfiguredRuntime {
    static func make(_ configuration: Configuration, options: AppOptions, inbox: Inbox) throws -> Runtime {
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
                       line: UnavailableLine(reportingTo: inbox), teams: teamsConnector(configuration, names, inbox),
                       store: store, sources: [], inbox: inbox,
                       teamsConfigured: configuration.teams != nil)
    }

    static func teamsConnector(_ configuration: Configuration, _ names: [String: String], _ inbox: Inbox) -> TeamsConnector {
        guard let teams = configuration.teams, teams.sync != .off, let secret = teams.clientSecret else {
            return UnavailableTeams(reportingTo: inbox)
        }
        let graph = GraphConfiguration(graphURL: teams.graphURL, tokenURL: teams.tokenURL, clientID: teams.clientID,
                                       clientSecret: secret.value, userID: teams.userID, maxRetries: 1)
        let options = TeamsSyncEngine.Options(pollInterval: .milliseconds(teams.pollIntervalMs),
                                              colleagues: Array(names.keys).sorted())
        let webhook = teams.notifications == .webhook
            ? TeamsSyncService.WebhookSetup(host: teams.webhookListen.host, port: teams.webhookListen.port,
                                               publicURL: teams.webhookURL)
            : nil
        return GraphTeamsConnector(client: GraphClient(configuration: graph), options: options, webhook: webhook,
                                   names: names, inbox: inbox)
    }
}
