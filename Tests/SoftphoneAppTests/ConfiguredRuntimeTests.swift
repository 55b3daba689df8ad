import Foundation
import Testing
@testable import SoftphoneApp
import SoftphoneConfig
import SoftphoneCore

@Suite("Configured runtime")
struct ConfiguredRuntimeTests {
    @Test("With a real configuration: colleagues listed, line and Teams say they are not in this build, calls recorded to the file")
    func configured() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("softphone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let toml = """
            [user]
            name = "Ada Agent"
            extension = "1001"
            [teams]
            token_url = "http://127.0.0.1:9/token"
            client_id = "id"
            user_id = "ada"
            [[colleagues]]
            name = "Bob Builder"
            teams_id = "bob"
            [[colleagues]]
            name = "Carol"
            sip = "sip:1003@127.0.0.1"
            """
        let configuration = try Configuration.parse(toml, environment: ["SOFTPHONE_TEAMS_SECRET": "s"])
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
        #expect(log.contains("the Teams connection is not part of this build yet"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/softphone/calls.sqlite"))
        #expect(runtime.identity.name == "Ada Agent")
    }
}
