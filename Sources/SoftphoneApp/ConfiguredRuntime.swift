import CallStore
import SoftphoneConfig
import SoftphoneCore
import TerminalUI

/// A runtime for a real configuration. The SIP line and the Teams connection come
/// with later issues; until then they say so in the Log tab instead of pretending.
enum ConfiguredRuntime {
    static func make(_ configuration: Configuration, options: AppOptions, inbox: Inbox) throws -> Runtime {
        let store = try CallStore(path: options.callStorePath)
        let colleagues = configuration.colleagues.map { colleague in
            AppEvent.colleague(id: colleague.teamsID ?? colleague.sip ?? colleague.name, name: colleague.name,
                               presence: Presence(.unknown))
        }
        for colleague in colleagues { inbox.post(colleague) }
        return Runtime(settings: configuration.coreSettings,
                       identity: ScreenModel.Identity(name: configuration.user.name,
                                                      extensionNumber: configuration.user.extension),
                       line: UnavailableLine(reportingTo: inbox), teams: UnavailableTeams(reportingTo: inbox),
                       store: store, sources: [], inbox: inbox,
                       teamsConfigured: configuration.teams != nil)
    }
}
