import Foundation
import Testing
@testable import SoftphoneApp
import SoftphoneConfig
import SoftphoneCore
import NIOPosix

@Suite("Configured runtime") @MainActor
struct ConfiguredRuntimeTests {
    @Test("With a configuration without Teams: colleagues listed, Teams off, the line listens, the call log is a file")
    func configured() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("softphone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let toml = """
            [user]
            name = "Ada Agent"
            extension = "1001"
            [sip]
            listen = "127.0.0.1:0"
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
        let runtime = try ConfiguredRuntime.make(configuration, options: options, context: .testing())
        runtime.start(at: start)
        try waitForInbox(runtime, until: { $0.state.line == .listening })

        #expect(runtime.roster.colleagues.keys.sorted() == ["bob", "sip:1003@127.0.0.1"])
        #expect(runtime.state.loggedIn)
        #expect(!runtime.state.teamsConnected)
        #expect(runtime.state.line == .listening)
        #expect(!runtime.teamsConfigured)
        #expect(runtime.state.settings.sync == .off)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/softphone/calls.sqlite"))
        #expect(runtime.identity.name == "Ada Agent")
        runtime.shutdown(at: start + .seconds(2))
    }

    @Test("auth = device without a sign-in: Teams shows ❎ and the Log says to run softphone teams login",
          arguments: ["ada@contoso.example", "6e9bd2a1-27ec-4e5a-9d84-0b7cfd3b1f2e"])
    func deviceSignInNeeded(userID: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("softphone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let toml = """
            [sip]
            listen = "127.0.0.1:0"
            [teams]
            graph_url = "http://127.0.0.1:9/v1.0"
            token_url = "http://127.0.0.1:9/contoso.example/oauth2/v2.0/token"
            client_id = "client-1"
            user_id = "\(userID)"
            [[colleagues]]
            name = "Bob Builder"
            teams_id = "bob@contoso.example"
            """
        let configuration = try Configuration.parse(toml, environment: [:])
        let options = AppOptions(demo: false, ascii: false, configuration: configuration,
                                 environment: ["XDG_DATA_HOME": directory.path, "XDG_STATE_HOME": directory.path])
        let runtime = try ConfiguredRuntime.make(configuration, options: options, context: .testing())
        #expect(runtime.teams is GraphTeamsConnector)
        runtime.start(at: start)
        try waitForInbox(runtime, until: { $0.state.log.events.contains { $0.text.contains("Teams: sign in with `softphone teams login`") } })
        #expect(!runtime.state.teamsConnected)
        #expect(runtime.roster.colleagues.keys.sorted() == ["bob@contoso.example"])
        runtime.shutdown(at: start + .seconds(2))
    }

    @Test("the token source follows teams.auth: app without a secret is the unavailable connector, device needs none")
    func connectorByAuth() {
        let inbox = Inbox()
        var teams = Configuration.Teams(tokenURL: "http://127.0.0.1:9/t/oauth2/v2.0/token", clientID: "c", userID: "u",
                                        auth: .app)
        let app = ConfiguredRuntime.teamsConnector(Configuration(teams: teams), [:], inbox, environment: [:])
        #expect(app is UnavailableTeams)
        teams.auth = .device
        let device = ConfiguredRuntime.teamsConnector(Configuration(teams: teams), [:], inbox, environment: ["HOME": "/nonexistent"])
        #expect(device is GraphTeamsConnector)
        (device as? GraphTeamsConnector)?.close(timeout: .milliseconds(100))
    }

    @Test("A line address already in use: the status bar shows the failure and the Log tab says why")
    func addressInUse() throws {
        let first = try Configuration.parse("[sip]\nlisten = \"127.0.0.1:0\"", environment: [:])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("softphone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let options = AppOptions(demo: false, ascii: false, configuration: first,
                                 environment: ["XDG_DATA_HOME": directory.path])
        let holder = try ConfiguredRuntime.make(first, options: options, context: .testing())
        let taken = try #require(holder.line as? SIPLineConnector).local.port
        let second = try Configuration.parse("[sip]\nlisten = \"127.0.0.1:\(taken)\"", environment: [:])
        let runtime = try ConfiguredRuntime.make(second, options: options, context: .testing())
        runtime.start(at: start)
        try waitForInbox(runtime, until: { $0.state.line == .failed(reason: "cannot listen") })
        let log = runtime.state.log.events.map(\.text)
        #expect(log.contains { $0.contains("the SIP line cannot listen on 127.0.0.1:\(taken)") })
        holder.shutdown(at: start + .seconds(1))
    }

    @Test("A colleague known to Teams and to SIP presence is one row: SIP reports use the Teams id")
    func oneRowPerPerson() throws {
        let toml = """
            [user]
            extension = "1001"
            [sip]
            listen = "127.0.0.1:0"
            registrar = "sip:127.0.0.1:5060"
            [[colleagues]]
            name = "Bob Builder"
            teams_id = "bob"
            sip = "sip:1002@127.0.0.1"
            [[colleagues]]
            name = "Carol"
            sip = "sip:1003@127.0.0.1"
            """
        let configuration = try Configuration.parse(toml, environment: ["SOFTPHONE_SIP_PASSWORD": "x"])
        let settings = ConfiguredRuntime.lineSettings(configuration)
        #expect(settings.agent.presence)
        #expect(settings.agent.watched.map(\.description) == ["sip:1002@127.0.0.1", "sip:1003@127.0.0.1"])
        #expect(settings.colleagues["sip:1002@127.0.0.1"]?.id == "bob")
        #expect(settings.colleagues["sip:1003@127.0.0.1"]?.id == "sip:1003@127.0.0.1")
        #expect(settings.colleagues["sip:1002@127.0.0.1"]?.name == "Bob Builder")
        let withoutPresence = try Configuration.parse(toml.replacingOccurrences(of: "listen", with: "presence = false\nlisten"),
                                                      environment: ["SOFTPHONE_SIP_PASSWORD": "x"])
        #expect(!ConfiguredRuntime.lineSettings(withoutPresence).agent.presence)
    }

    @Test("Keep-alives every 25 s by default; sip.keepalive_seconds changes them, 0 stops them")
    func keepAliveInterval() throws {
        func interval(_ line: String) throws -> Duration? {
            try ConfiguredRuntime.lineSettings(Configuration.parse("[sip]\n" + line, environment: [:])).agent.keepAliveInterval
        }
        #expect(try interval("") == .seconds(25))
        #expect(try interval("keepalive_seconds = 10") == .seconds(10))
        #expect(try interval("keepalive_seconds = 0") == nil)
    }

    /// Advances the runtime until the connectors' events make `condition` true (bounded).
    func waitForInbox(_ runtime: Runtime, until condition: (Runtime) -> Bool) throws {
        for i in 1...300 where !condition(runtime) {
            runtime.advance(to: start + .milliseconds(i))
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(condition(runtime))
    }
}

extension RuntimeContext {
    /// A fresh inbox on one of the shared event loops, starting now.
    static func testing() -> RuntimeContext {
        RuntimeContext(inbox: Inbox(), loop: MultiThreadedEventLoopGroup.singleton.next(), start: WallClock.now())
    }
}
