import Foundation
import Testing
@testable import SoftphoneApp
import SoftphoneConfig
import SoftphoneCore

@Suite("Configured runtime")
struct ConfiguredRuntimeTests {
    @Test("With a configuration without Teams: colleagues listed, Teams off, the line says it is not in this build, the call log is a file")
    func configured() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("softphone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let toml = """
            [user]
            name = "Ada Agent"
            extension = "1001"
            [[colleagues]]
            name = "Bob Builder"
            teams_id = "bob"
            [[colleagues]]
            name = "Carol"
            sip = "sip:1003@127.0.0.1"
            """
        let configuration = try Configuration.parse(toml, environment: [:])
        let options = AppOptions(demo: false, ascii: false, configuration: configuration,
                                 environment: ["XDG_DATA_HOME": directory.path])
        let runtime = try ConfiguredRuntime.make(configuration, options: options, inbox: Inbox())
        runtime.start(at: start)
        runtime.advance(to: start + .seconds(1))

        #expect(runtime.roster.colleagues.keys.sorted() == ["bob", "sip:1003@127.0.0.1"])
        #expect(runtime.state.loggedIn)
        #expect(!runtime.state.teamsConnected)
        #expect(runtime.state.line == .unregistered)
        let log = runtime.state.log.events.map(\.text)
        #expect(log.contains("the SIP line is not part of this build yet: no calls can arrive"))
        #expect(!runtime.teamsConfigured)
        #expect(runtime.state.settings.sync == .off)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/softphone/calls.sqlite"))
        #expect(runtime.identity.name == "Ada Agent")
    }
}
