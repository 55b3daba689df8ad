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
        let line = UnavailableLine()
        let teams = UnavailableTeams()
        return Runtime(settings: configuration.coreSettings,
                       identity: ScreenModel.Identity(name: configuration.user.name,
                                                      extensionNumber: configuration.user.extension),
                       line: line, teams: teams, store: store,
                       sources: [line, teams, OneShot(colleagues)], inbox: inbox,
                       teamsConfigured: configuration.teams != nil)
    }
}

/// Events delivered once, at start.
final class OneShot: ScheduledSource {
    private var pending: [AppEvent]
    init(_ events: [AppEvent]) { pending = events }
    var nextDeadline: Instant? { pending.isEmpty ? nil : .epoch }
    func events(until now: Instant) -> [AppEvent] {
        defer { pending = [] }
        return pending
    }
}
