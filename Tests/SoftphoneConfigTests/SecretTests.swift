import Testing
@testable import SoftphoneConfig

@Suite("Secrets never print")
struct SecretTests {
    let config: Configuration

    init() throws {
        config = try Configuration.load(path: exampleConfigPath, environment: secrets)
    }

    @Test("the configuration's description, debug description and dump hide both secrets")
    func descriptionRedacts() {
        var dumped = ""
        dump(config, to: &dumped)
        for text in [String(describing: config), String(reflecting: config), "\(config)", dumped,
                     String(describing: config.sip), String(reflecting: config.teams as Any),
                     config.summaryLines.joined(separator: "\n")] {
            #expect(!text.contains("sip-pa55word"), "leaked in \(text)")
            #expect(!text.contains("teams-s3cret"), "leaked in \(text)")
        }
        #expect(String(describing: config).contains("<redacted>"))
    }

    @Test("a Secret prints as <redacted> however it is printed")
    func secretRedacts() {
        let secret = Secret("hunter2")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(String(describing: secret) == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect("\([secret])" == "[<redacted>]")
        #expect(!dumped.contains("hunter2"))
        #expect(secret.value == "hunter2")
    }

    @Test("teams login's loading skips the SIP password check only")
    func sipPasswordNotRequired() throws {
        let text = "[user]\nextension = \"1001\"\n[sip]\nregistrar = \"sip:pbx.example\"\nusername = \"1001\"\n"
            + "[teams]\ntoken_url = \"https://login.example/t/oauth2/v2.0/token\"\nclient_id = \"c\"\nuser_id = \"u\"\n"
        let environment = ["SOFTPHONE_TEAMS_SECRET": "teams-s3cret"]
        // The app itself still needs it.
        #expect(throws: ConfigError.self) { try Configuration.parse(text, environment: environment) }
        let config = try Configuration.parse(text, environment: environment, requiringSIPPassword: false)
        #expect(config.sip.password == nil)
        #expect(config.teams?.clientID == "c")
        // Everything else is still checked.
        #expect(throws: ConfigError.self) {
            try Configuration.parse(text + "bogus = 1\n", environment: environment, requiringSIPPassword: false)
        }
    }

    @Test("a literal secret in the file is rejected without echoing it")
    func literalSecretNotEchoed() {
        let found = issues("[sip]\npassword = \"hunter2\"")
        #expect(found.count == 1)
        #expect(!found.joined().contains("hunter2"))
    }

    @Test("the summary names the secret variables, not their values")
    func summaryNamesVariables() {
        let summary = config.summaryLines.joined(separator: "\n")
        #expect(summary.contains("$SOFTPHONE_SIP_PASSWORD"))
    }
}

@Suite("The --check summary")
struct SummaryTests {
    @Test("the example's summary lists user, line, Teams, colleagues, queues, answering, wrap-up")
    func exampleSummary() throws {
        let config = try Configuration.load(path: exampleConfigPath, environment: secrets)
        #expect(config.summaryLines == [
            "user: Ada Agent, extension 1001",
            "line: listens on 127.0.0.1:5070, registers at sip:127.0.0.1:5060 as 1001 (password from $SOFTPHONE_SIP_PASSWORD), SIP presence on",
            "teams: on, sync both, polling every 1000 ms, user ada@contoso.example at https://graph.microsoft.com/v1.0, sign-in by device code (softphone teams login)",
            "colleagues: 3",
            "queues: 2 (Sales 700, Support 701)",
            "answering: forward to sip:1002@127.0.0.1, when unanswered after 20 s",
            "wrap-up: 30 s",
            "audio: pulse (playback default, capture default, ring default), codecs opus g722 pcmu pcma",
        ])
    }

    @Test("the defaults' summary says the line only listens and Teams is off")
    func defaultSummary() {
        #expect(Configuration().summaryLines == [
            "user: Agent",
            "line: listens on 127.0.0.1:5070, no registrar (listen only), SIP presence on",
            "teams: off (no [teams] section)",
            "colleagues: 0",
            "queues: 0",
            "answering: reject, when unanswered after 20 s",
            "wrap-up: off",
            "audio: pulse (playback default, capture default, ring default), codecs opus g722 pcmu pcma",
        ])
    }

    @Test("control characters in values are escaped in the summary")
    func controlCharactersEscaped() throws {
        let config = try Configuration.parse("[user]\nname = \"Ada\\u001b[2J\"", environment: [:])
        let summary = config.summaryLines.joined(separator: "\n")
        #expect(!summary.unicodeScalars.contains("\u{1B}"))
        #expect(summary.contains("\"Ada\\u001B[2J\""))
    }
}
