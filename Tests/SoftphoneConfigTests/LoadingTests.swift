import Foundation
import SoftphoneCore
import Testing
@testable import SoftphoneConfig

/// SPEC section 6's example, verbatim.
let specExample = """
[user]
name = "Ada Agent"
extension = "1001"

[sip]
listen = "127.0.0.1:5070"          # local UDP/TCP address of the line
registrar = "sip:127.0.0.1:5060"    # optional; without it the line only listens
username = "1001"
password_env = "SOFTPHONE_SIP_PASSWORD"
presence = true                     # PUBLISH own presence, SUBSCRIBE to colleagues

[teams]
graph_url = "https://graph.microsoft.com/v1.0"
token_url = "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token"
client_id = "…"
client_secret_env = "SOFTPHONE_TEAMS_SECRET"
user_id = "…"
sync = "both"                       # both | to-teams | from-teams | off
notifications = "poll"              # poll | webhook
poll_interval_ms = 1000
webhook_listen = "127.0.0.1:8451"   # for notifications = "webhook"

[[colleagues]]                      # the Team tab; either address may be missing
name = "Bob Builder"
sip = "sip:1002@127.0.0.1"
teams_id = "bob"

[[queues]]
name = "Sales"
number = "700"                      # queue call: this number as To/Diversion/History-Info user,
                                    # or an X-Queue header carrying the name or the number
presence_based_routing = true

[answering]
rule = "reject"                     # reject | forward | voicemail
target = "sip:1002@127.0.0.1"
no_answer_seconds = 20

[wrapup]
seconds = 0
"""

@Suite("Loading configuration files")
struct LoadingTests {
    @Test("the shipped Resources/config.example.toml loads with the secrets in the environment")
    func exampleFileLoads() throws {
        let config = try Configuration.load(path: exampleConfigPath, environment: secrets)
        #expect(config.user == .init(name: "Ada Agent", extension: "1001"))
        #expect(config.sip.registrar == "sip:127.0.0.1:5060")
        #expect(config.sip.password == Secret("sip-pa55word"))
        // auth = "device": the Teams secret is not read (SPEC section 9).
        #expect(config.teams?.auth == .device)
        #expect(config.teams?.clientSecret == nil)
        #expect(config.colleagues.count == 3)
        #expect(config.colleagues[1] == .init(name: "Carol Callcenter", sip: "sip:1003@127.0.0.1"))
        #expect(config.colleagues[2] == .init(name: "Dave Desk", teamsID: "dave@contoso.example"))
        #expect(config.queues == [
            Queue(name: "Sales", number: "700", presenceBasedRouting: true),
            Queue(name: "Support", number: "701", presenceBasedRouting: false),
        ])
        #expect(config.answering == AnsweringConfig(rule: .forward(target: "sip:1002@127.0.0.1"), noAnswerSeconds: 20))
        #expect(config.wrapUpSeconds == 30)
    }

    @Test("the example file documents every key the loader accepts")
    func exampleFileIsComplete() throws {
        let text = try String(contentsOfFile: exampleConfigPath, encoding: .utf8)
        let keys = ["[user]", "name =", "extension =", "[sip]", "listen =", "registrar =", "username =",
                    "password_env =", "presence =", "[teams]", "graph_url =", "token_url =", "client_id =",
                    "client_secret_env =", "user_id =", "sync =", "notifications =", "poll_interval_ms =",
                    "auth =", "device_code_url =", "max_requests_per_30s =",
                    "webhook_listen =", "webhook_url =", "[[colleagues]]", "sip =", "teams_id =", "[[queues]]", "number =",
                    "presence_based_routing =", "[answering]", "rule =", "target =", "no_answer_seconds =",
                    "[wrapup]", "seconds ="]
        for key in keys {
            #expect(text.contains(key), "example lacks \(key)")
        }
    }

    @Test("SPEC section 6's example loads with the expected values")
    func specExampleLoads() throws {
        let config = try Configuration.parse(specExample, environment: secrets)
        #expect(config.user.name == "Ada Agent")
        #expect(config.user.extension == "1001")
        #expect(config.sip == Configuration.SIP(
            listen: HostPort(host: "127.0.0.1", port: 5070), registrar: "sip:127.0.0.1:5060", username: "1001",
            passwordEnv: "SOFTPHONE_SIP_PASSWORD", password: Secret("sip-pa55word"), presence: true))
        #expect(config.teams == Configuration.Teams(
            graphURL: "https://graph.microsoft.com/v1.0",
            tokenURL: "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token",
            clientID: "…", clientSecretEnv: "SOFTPHONE_TEAMS_SECRET", clientSecret: nil,
            userID: "…", sync: .both, notifications: .poll, pollIntervalMs: 1000,
            webhookListen: HostPort(host: "127.0.0.1", port: 8451)))
        #expect(config.colleagues == [.init(name: "Bob Builder", sip: "sip:1002@127.0.0.1", teamsID: "bob")])
        #expect(config.queues == [Queue(name: "Sales", number: "700", presenceBasedRouting: true)])
        #expect(config.answering == AnsweringConfig(rule: .reject, noAnswerSeconds: 20))
        #expect(config.wrapUpSeconds == 0)
        #expect(config.registrationUser == "1001")
    }

    @Test("an empty file is valid and gives every default")
    func emptyFileGivesDefaults() throws {
        let config = try Configuration.parse("", environment: [:])
        #expect(config == Configuration())
        #expect(config.user.name == "Agent")
        #expect(config.user.extension == nil)
        #expect(config.sip.listen == HostPort(host: "127.0.0.1", port: 5070))
        #expect(config.sip.registrar == nil)
        #expect(config.sip.username == nil)
        #expect(config.sip.passwordEnv == "SOFTPHONE_SIP_PASSWORD")
        #expect(config.sip.password == nil)
        #expect(config.sip.presence)
        #expect(config.teams == nil)
        #expect(config.colleagues.isEmpty)
        #expect(config.queues.isEmpty)
        #expect(config.answering == AnsweringConfig(rule: .reject, noAnswerSeconds: 20))
        #expect(config.wrapUpSeconds == 0)
        #expect(config.coreSettings == CoreSettings(answering: AnsweringConfig(), wrapUpSeconds: 0, sync: .off))
        #expect(config.registrationUser == nil)
    }

    @Test("a [teams] section with only the required keys gets the Teams defaults")
    func teamsDefaults() throws {
        let config = try Configuration.parse("""
            [teams]
            token_url = "http://127.0.0.1:9000/token"
            client_id = "softphone"
            user_id = "ada"
            """, environment: secrets)
        let teams = try #require(config.teams)
        #expect(teams.graphURL == "https://graph.microsoft.com/v1.0")
        #expect(teams.clientSecretEnv == "SOFTPHONE_TEAMS_SECRET")
        #expect(teams.sync == .both)
        #expect(teams.notifications == .poll)
        #expect(teams.pollIntervalMs == 1000)
        #expect(teams.webhookListen == HostPort(host: "127.0.0.1", port: 8451))
        #expect(teams.webhookURL == nil)
        #expect(config.coreSettings.sync == .both)
    }

    @Test("empty sections give the same defaults as missing ones")
    func emptySections() throws {
        let config = try Configuration.parse("[user]\n[sip]\n[answering]\n[wrapup]\n", environment: [:])
        #expect(config == Configuration())
    }

    @Test("coreSettings carries answering, wrap-up and the sync direction")
    func coreSettings() throws {
        let config = try Configuration.parse("""
            [teams]
            token_url = "https://login.example/token"
            client_id = "c"
            user_id = "u"
            sync = "from-teams"
            [answering]
            rule = "voicemail"
            target = "sips:voicemail@pbx.example"
            no_answer_seconds = 15
            [wrapup]
            seconds = 45
            """, environment: secrets)
        #expect(config.coreSettings == CoreSettings(
            answering: AnsweringConfig(rule: .voicemail(target: "sips:voicemail@pbx.example"), noAnswerSeconds: 15),
            wrapUpSeconds: 45, sync: .fromTeams))
    }

    @Test("queueDirectory recognises the configured queues")
    func queueDirectory() throws {
        let config = try Configuration.load(path: exampleConfigPath, environment: secrets)
        let directory = config.queueDirectory
        #expect(directory.kind(for: .init(toUser: "701")).queue?.name == "Support")
        #expect(directory.kind(for: .init(xQueue: "sales")).queue?.number == "700")
        #expect(directory.kind(for: .init(toUser: "1001")) == .direct)
    }

    @Test("a file without sync needs no Teams secret when sync is off")
    func syncOffNeedsNoSecret() throws {
        let config = try Configuration.parse("""
            [teams]
            token_url = "https://login.example/token"
            client_id = "c"
            user_id = "u"
            sync = "off"
            """, environment: [:])
        #expect(config.teams?.clientSecret == nil)
        #expect(config.coreSettings.sync == .off)
    }

    @Test("a line that only listens, or registers without a username, needs no password")
    func listenOnlyNeedsNoPassword() throws {
        let listenOnly = try Configuration.parse("[sip]\nusername = \"1001\"\n", environment: [:])
        #expect(listenOnly.sip.password == nil)
        let byExtension = try Configuration.parse("""
            [user]
            extension = "1001"
            [sip]
            registrar = "sip:pbx.example"
            """, environment: [:])
        #expect(byExtension.registrationUser == "1001")
        #expect(byExtension.sip.password == nil)
    }

    @Test("secrets are taken from the variables the *_env keys name")
    func customSecretVariables() throws {
        let config = try Configuration.parse("""
            [sip]
            registrar = "sip:pbx.example"
            username = "1001"
            password_env = "MY_SIP_PW"
            [teams]
            token_url = "https://login.example/token"
            client_id = "c"
            user_id = "u"
            client_secret_env = "MY_TEAMS_SECRET"
            auth = "app"
            """, environment: ["MY_SIP_PW": "one", "MY_TEAMS_SECRET": "two"])
        #expect(config.sip.password?.value == "one")
        #expect(config.teams?.clientSecret?.value == "two")
    }

    @Test("IPv6 and host-name listen addresses are accepted")
    func listenAddresses() throws {
        #expect(HostPort(parsing: "[::1]:5070") == HostPort(host: "::1", port: 5070))
        #expect(HostPort(parsing: "[::1]:5070")?.description == "[::1]:5070")
        #expect(HostPort(parsing: "localhost:65535") == HostPort(host: "localhost", port: 65535))
        #expect(HostPort(parsing: "0.0.0.0:1") == HostPort(host: "0.0.0.0", port: 1))
        for bad in ["", "5070", ":5070", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:50a",
                    "::1:5070", "[::1]5070", "host name:5070", "127.0.0.1:+80", "127.0.0.1:000080"] {
            #expect(HostPort(parsing: bad) == nil, "accepted \(bad)")
        }
    }

    @Test("the default path follows XDG_CONFIG_HOME, then HOME")
    func defaultPath() {
        #expect(Configuration.defaultPath(environment: ["HOME": "/home/ada"])
            == "/home/ada/.config/softphone/config.toml")
        #expect(Configuration.defaultPath(environment: ["HOME": "/home/ada", "XDG_CONFIG_HOME": "/cfg/"])
            == "/cfg/softphone/config.toml")
        // A relative XDG_CONFIG_HOME is to be ignored (XDG Base Directory specification).
        #expect(Configuration.defaultPath(environment: ["HOME": "/home/ada", "XDG_CONFIG_HOME": "cfg"])
            == "/home/ada/.config/softphone/config.toml")
        #expect(Configuration.defaultPath(environment: ["HOME": "/"]) == "/.config/softphone/config.toml")
    }

    @Test("a missing file is reported with its path")
    func missingFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/nope.toml"
        #expect(throws: ConfigError(path: path, issues: [ConfigIssue(key: nil, reason: "file not found")])) {
            try Configuration.load(path: path, environment: [:])
        }
        do {
            _ = try Configuration.load(path: path, environment: [:])
        } catch {
            #expect(error.description == "\(path): file not found")
        }
    }

    @Test("a directory or a non-UTF-8 file is reported, not parsed")
    func unreadableFiles() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: ConfigError(path: dir.path, issues: [ConfigIssue(key: nil, reason: "is a directory, not a configuration file")])) {
            try Configuration.load(path: dir.path, environment: [:])
        }
        let binary = dir.path + "/binary.toml"
        try Data([0x5B, 0xFF, 0xFE, 0x5D]).write(to: URL(fileURLWithPath: binary))
        #expect(throws: ConfigError(path: binary, issues: [ConfigIssue(key: nil, reason: "is not UTF-8 text")])) {
            try Configuration.load(path: binary, environment: [:])
        }
    }

    @Test("a file that cannot be read for lack of permission says so",
          .enabled(if: getuid() != 0, "root reads every file"))
    func unreadableForPermission() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("secret.toml", "")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: file)
        #expect(throws: ConfigError(path: file, issues: [ConfigIssue(key: nil, reason: "cannot be read: permission denied")])) {
            try Configuration.load(path: file, environment: [:])
        }
    }

    @Test("errors print one per line as PATH: key: reason")
    func errorLines() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("bad.toml", """
            [answering]
            rule = "bounce"
            [wrapup]
            seconds = -1
            """)
        do {
            _ = try Configuration.load(path: file, environment: [:])
            Issue.record("an invalid file loaded")
        } catch {
            #expect(error.path == file)
            #expect(error.description == """
                \(file): answering.rule: must be one of reject, forward, voicemail (got "bounce")
                \(file): wrapup.seconds: must be 0 or more
                """)
        }
    }
}
