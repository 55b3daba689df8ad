import Testing
@testable import SoftphoneConfig

/// One invalid file and exactly the issues it must produce.
struct InvalidCase: CustomTestStringConvertible, Sendable {
    let name: String
    let toml: String
    let expected: [String]
    var environment: [String: String] = secrets

    var testDescription: String { name }
}

/// The minimum a [teams] section needs, to test one more key at a time.
let teamsBase = """
    [teams]
    token_url = "https://login.example/token"
    client_id = "softphone"
    user_id = "ada"
    """

let invalidCases: [InvalidCase] = [
    // [user]
    .init(name: "user.extension as a number", toml: "[user]\nextension = 1001",
          expected: ["user.extension: must be a string"]),
    .init(name: "empty user.name", toml: "[user]\nname = \"  \"",
          expected: ["user.name: must not be empty"]),
    // [sip]
    .init(name: "sip.listen without a port", toml: "[sip]\nlisten = \"127.0.0.1\"",
          expected: ["sip.listen: must be HOST:PORT with a port 1–65535 (or 0: any free port)"]),
    .init(name: "sip.listen on a wildcard address", toml: "[sip]\nlisten = \"0.0.0.0:5070\"",
          expected: ["sip.listen: must be the address other systems reach the line at, not a wildcard "
                     + "(it goes into Via, Contact and SDP)"]),
    .init(name: "sip.listen with port 70000", toml: "[sip]\nlisten = \"127.0.0.1:70000\"",
          expected: ["sip.listen: must be HOST:PORT with a port 1–65535 (or 0: any free port)"]),
    .init(name: "sip.listen as a number", toml: "[sip]\nlisten = 5070",
          expected: ["sip.listen: must be HOST:PORT with a port 1–65535 (or 0: any free port)"]),
    .init(name: "a sips: registrar over UDP", toml: "[sip]\nregistrar = \"sips:pbx.example.com;transport=udp\"",
          expected: ["sip.registrar: a sips: URI must use TLS, not UDP"]),
    .init(name: "a registrar over SCTP", toml: "[sip]\nregistrar = \"sip:pbx.example.com;transport=sctp\"",
          expected: ["sip.registrar: transport \"sctp\" is not one the line speaks (udp, tcp or tls)"]),
    .init(name: "a registrar port out of range", toml: "[sip]\nregistrar = \"sip:pbx.example.com:70000\"",
          expected: ["sip.registrar: needs a host and, if any, a port 1–65535: \"sip:pbx.example.com:70000\""]),
    .init(name: "an outbound proxy over WebSocket", toml: "[sip]\noutbound_proxy = \"sip:edge.example.com;transport=ws\"",
          expected: ["sip.outbound_proxy: transport \"ws\" is not one the line speaks (udp, tcp or tls)"]),
    .init(name: "sip.domain with a space", toml: "[sip]\ndomain = \"pbx test\"",
          expected: ["sip.domain: must be a host name or address, like pbx.example.com (got \"pbx test\")"]),
    .init(name: "sip.tls_ca_file missing", toml: "[sip]\ntls_ca_file = \"/nonexistent/ca.pem\"",
          expected: ["sip.tls_ca_file: cannot read \"/nonexistent/ca.pem\" (a PEM file of CA certificates)"]),
    .init(name: "sip.srtp unknown", toml: "[sip]\nsrtp = \"always\"",
          expected: ["sip.srtp: must be one of off, optional, mandatory (got \"always\")"]),
    .init(name: "SDES keys over plain UDP to a remote registrar",
          toml: "[user]\nextension = \"1001\"\n[sip]\nregistrar = \"sip:pbx.example.com\"\nsrtp = \"mandatory\"",
          expected: ["sip.srtp: \"mandatory\" needs TLS signalling (sips: or ;transport=tls): SDES keys would travel in clear text over UDP"]),
    .init(name: "sip.keepalive_seconds too short", toml: "[sip]\nkeepalive_seconds = 2",
          expected: ["sip.keepalive_seconds: must be 5–300 seconds, or 0 for none (got 2)"]),
    .init(name: "sip.max_calls zero", toml: "[sip]\nmax_calls = 0", expected: ["sip.max_calls: must be 1–64 (got 0)"]),
    .init(name: "sip.accept_from unknown", toml: "[sip]\naccept_from = \"friends\"",
          expected: ["sip.accept_from: must be one of registrar, any (got \"friends\")"]),
    .init(name: "sip.register_expires too short", toml: "[sip]\nregister_expires = 10",
          expected: ["sip.register_expires: must be 60–86400 seconds (got 10)"]),
    .init(name: "sip.audio_file missing", toml: "[sip]\naudio_file = \"/nonexistent/hold.wav\"",
          expected: ["sip.audio_file: no such file: \"/nonexistent/hold.wav\""]),
    .init(name: "sip.registrar as an http URL", toml: "[sip]\nregistrar = \"http://pbx.example\"",
          expected: ["sip.registrar: must be a sip: or sips: URI"]),
    .init(name: "sip.registrar without a host", toml: "[sip]\nregistrar = \"sip:\"\nusername = \"1001\"",
          expected: ["sip.registrar: must be a sip: or sips: URI",
                     "sip.password_env: environment variable SOFTPHONE_SIP_PASSWORD is not set (needed because sip.registrar and sip.username are set)"],
          environment: [:]),
    .init(name: "sip.presence as a string", toml: "[sip]\npresence = \"yes\"",
          expected: ["sip.presence: must be true or false"]),
    .init(name: "sip.password_env that is no variable name", toml: "[sip]\npassword_env = \"MY PASSWORD\"",
          expected: ["sip.password_env: must be an environment variable name (letters, digits and _)"]),
    .init(name: "a misspelt sip key", toml: "[sip]\nregistar = \"sip:pbx.example\"",
          expected: ["sip.registar: unknown key (did you mean registrar?)"]),
    .init(name: "an unknown sip key with no near match", toml: "[sip]\ncodec = \"opus\"",
          expected: ["sip.codec: unknown key"]),
    .init(name: "registering without username or extension", toml: "[sip]\nregistrar = \"sip:pbx.example\"",
          expected: ["sip.username: required when sip.registrar is set and user.extension is not"]),
    // secrets
    .init(name: "missing SIP password variable",
          toml: "[sip]\nregistrar = \"sip:pbx.example\"\nusername = \"1001\"",
          expected: ["sip.password_env: environment variable SOFTPHONE_SIP_PASSWORD is not set (needed because sip.registrar and sip.username are set)"],
          environment: [:]),
    .init(name: "empty SIP password variable",
          toml: "[sip]\nregistrar = \"sip:pbx.example\"\nusername = \"1001\"\npassword_env = \"PW\"",
          expected: ["sip.password_env: environment variable PW is empty (needed because sip.registrar and sip.username are set)"],
          environment: ["PW": ""]),
    .init(name: "missing Teams secret variable", toml: teamsBase + "\nauth = \"app\"",
          expected: ["teams.client_secret_env: environment variable SOFTPHONE_TEAMS_SECRET is not set (needed because teams.sync is not \"off\")"],
          environment: [:]),
    .init(name: "a literal SIP password in the file", toml: "[sip]\npassword = \"hunter2\"",
          expected: ["sip.password: secrets do not belong in the file; set the environment variable named by sip.password_env (default SOFTPHONE_SIP_PASSWORD) instead"]),
    .init(name: "a literal Teams client secret in the file", toml: teamsBase + "\nclient_secret = \"hunter2\"",
          expected: ["teams.client_secret: secrets do not belong in the file; set the environment variable named by teams.client_secret_env (default SOFTPHONE_TEAMS_SECRET) instead"]),
    // [teams]
    .init(name: "a [teams] section without its required keys", toml: "[teams]\nsync = \"off\"",
          expected: ["teams.token_url: required", "teams.client_id: required", "teams.user_id: required"]),
    .init(name: "teams.auth neither device nor app", toml: teamsBase + "\nauth = \"password\"",
          expected: ["teams.auth: must be one of device, app (got \"password\")"]),
    .init(name: "teams.auth not a string, with the secret missing", toml: teamsBase + "\nauth = 1",
          expected: ["teams.auth: must be one of device, app",
                     "teams.client_secret_env: environment variable SOFTPHONE_TEAMS_SECRET is not set (needed because teams.sync is not \"off\")"],
          environment: [:]),
    .init(name: "device sign-in with a token_url whose last segment is not token",
          toml: "[teams]\ntoken_url = \"https://login.example/oauth2/v2.0/tok\"\nclient_id = \"c\"\nuser_id = \"u\"",
          expected: ["teams.token_url: its last path segment is not \"token\", so the device-code endpoint cannot be derived; set teams.device_code_url"]),
    .init(name: "teams.device_code_url not a URL", toml: teamsBase + "\ndevice_code_url = \"devicecode\"",
          expected: ["teams.device_code_url: must be an http:// or https:// URL"]),
    .init(name: "teams.max_requests_per_30s below 2", toml: teamsBase + "\nmax_requests_per_30s = 1",
          expected: ["teams.max_requests_per_30s: must be an integer from 2 to 1500"]),
    .init(name: "teams.max_requests_per_30s above 1500", toml: teamsBase + "\nmax_requests_per_30s = 1501",
          expected: ["teams.max_requests_per_30s: must be an integer from 2 to 1500"]),
    .init(name: "teams.max_requests_per_30s as a string", toml: teamsBase + "\nmax_requests_per_30s = \"30\"",
          expected: ["teams.max_requests_per_30s: must be an integer from 2 to 1500"]),
    .init(name: "teams.poll_interval_ms zero", toml: teamsBase + "\npoll_interval_ms = 0",
          expected: ["teams.poll_interval_ms: must be a positive integer"]),
    .init(name: "teams.poll_interval_ms negative", toml: teamsBase + "\npoll_interval_ms = -5",
          expected: ["teams.poll_interval_ms: must be a positive integer"]),
    .init(name: "teams.poll_interval_ms as a string", toml: teamsBase + "\npoll_interval_ms = \"1000\"",
          expected: ["teams.poll_interval_ms: must be a positive integer"]),
    .init(name: "teams.poll_interval_ms as a float", toml: teamsBase + "\npoll_interval_ms = 1000.0",
          expected: ["teams.poll_interval_ms: must be a positive integer"]),
    .init(name: "an unknown teams.sync", toml: teamsBase + "\nsync = \"sideways\"",
          expected: ["teams.sync: must be one of both, to-teams, from-teams, off (got \"sideways\")"]),
    .init(name: "an unknown teams.notifications", toml: teamsBase + "\nnotifications = \"push\"",
          expected: ["teams.notifications: must be one of poll, webhook (got \"push\")"]),
    .init(name: "teams.graph_url that is not http", toml: teamsBase + "\ngraph_url = \"graph.microsoft.com\"",
          expected: ["teams.graph_url: must be an http:// or https:// URL"]),
    .init(name: "teams.token_url that is not http", toml: "[teams]\ntoken_url = \"ftp://x\"\nclient_id = \"c\"\nuser_id = \"u\"",
          expected: ["teams.token_url: must be an http:// or https:// URL"]),
    .init(name: "teams.webhook_listen without a port", toml: teamsBase + "\nwebhook_listen = \"127.0.0.1\"",
          expected: ["teams.webhook_listen: must be HOST:PORT with a port 1–65535"]),
    .init(name: "teams.webhook_url that is not http", toml: teamsBase + "\nwebhook_url = \"softphone.example/notifications\"",
          expected: ["teams.webhook_url: must be an http:// or https:// URL"]),
    .init(name: "teams.client_id empty", toml: "[teams]\ntoken_url = \"https://t.example/token\"\nclient_id = \"\"\nuser_id = \"u\"",
          expected: ["teams.client_id: must not be empty"]),
    .init(name: "teams as a plain value", toml: "teams = \"yes\"",
          expected: ["teams: must be a table ([teams])"]),
    // [[colleagues]]
    .init(name: "a colleague without any address",
          toml: "[[colleagues]]\nname = \"A\"\nsip = \"sip:a@x\"\n[[colleagues]]\nname = \"B\"",
          expected: ["colleagues[2]: needs sip or teams_id"]),
    .init(name: "a colleague without a name", toml: "[[colleagues]]\nteams_id = \"bob\"",
          expected: ["colleagues[1].name: required"]),
    .init(name: "a colleague with a bad SIP URI", toml: "[[colleagues]]\nname = \"Bob\"\nsip = \"1002\"",
          expected: ["colleagues[1].sip: must be a sip: or sips: URI"]),
    .init(name: "colleagues as a single table", toml: "[colleagues]\nname = \"Bob\"",
          expected: ["colleagues: must be an array of tables ([[colleagues]])"]),
    .init(name: "a misspelt colleague key", toml: "[[colleagues]]\nname = \"Bob\"\nteams_ID = \"bob\"",
          expected: ["colleagues[1]: needs sip or teams_id", "colleagues[1].teams_ID: unknown key (did you mean teams_id?)"]),
    // [[queues]]
    .init(name: "a queue with an empty number", toml: "[[queues]]\nname = \"Sales\"\nnumber = \"\"",
          expected: ["queues[1].number: must not be empty"]),
    .init(name: "a queue without a number", toml: "[[queues]]\nname = \"Sales\"",
          expected: ["queues[1].number: required"]),
    .init(name: "a queue number as an integer", toml: "[[queues]]\nname = \"Sales\"\nnumber = 700",
          expected: ["queues[1].number: must be a string"]),
    .init(name: "duplicate queue numbers",
          toml: "[[queues]]\nname = \"Sales\"\nnumber = \"700\"\n[[queues]]\nname = \"Support\"\nnumber = \"701\"\n[[queues]]\nname = \"Billing\"\nnumber = \"700\"",
          expected: ["queues[3].number: duplicate of queues[1].number (\"700\")"]),
    .init(name: "duplicate queue names, whatever the case",
          toml: "[[queues]]\nname = \"Sales\"\nnumber = \"700\"\n[[queues]]\nname = \"sales\"\nnumber = \"701\"",
          expected: ["queues[2].name: duplicate of queues[1].name (\"sales\")"]),
    .init(name: "queue presence_based_routing as a string",
          toml: "[[queues]]\nname = \"Sales\"\nnumber = \"700\"\npresence_based_routing = \"on\"",
          expected: ["queues[1].presence_based_routing: must be true or false"]),
    // [answering]
    .init(name: "an unknown answering rule", toml: "[answering]\nrule = \"bounce\"",
          expected: ["answering.rule: must be one of reject, forward, voicemail (got \"bounce\")"]),
    .init(name: "answering rule in capitals", toml: "[answering]\nrule = \"Forward\"\ntarget = \"sip:1002@x\"",
          expected: ["answering.rule: must be one of reject, forward, voicemail (got \"Forward\")"]),
    .init(name: "forward without a target", toml: "[answering]\nrule = \"forward\"",
          expected: ["answering.target: required when rule is forward"]),
    .init(name: "voicemail without a target", toml: "[answering]\nrule = \"voicemail\"",
          expected: ["answering.target: required when rule is voicemail"]),
    .init(name: "an answering target that is no SIP URI", toml: "[answering]\nrule = \"forward\"\ntarget = \"1002\"",
          expected: ["answering.target: must be a sip: or sips: URI"]),
    .init(name: "no_answer_seconds zero", toml: "[answering]\nno_answer_seconds = 0",
          expected: ["answering.no_answer_seconds: must be a positive integer"]),
    // [wrapup]
    .init(name: "negative wrap-up", toml: "[wrapup]\nseconds = -1",
          expected: ["wrapup.seconds: must be 0 or more"]),
    .init(name: "wrap-up as a string", toml: "[wrapup]\nseconds = \"30\"",
          expected: ["wrapup.seconds: must be an integer"]),
    // unknown sections and keys
    .init(name: "a misspelt section", toml: "[answerin]\nrule = \"reject\"",
          expected: ["answerin: unknown section (did you mean answering?)"]),
    .init(name: "a singular [[queue]]", toml: "[[queue]]\nname = \"Sales\"\nnumber = \"700\"",
          expected: ["queue: unknown section (did you mean queues?)"]),
    .init(name: "a top-level key", toml: "debug = true",
          expected: ["debug: unknown section"]),
    .init(name: "a sub-table inside a section", toml: "[sip.tls]\ncert = \"x\"",
          expected: ["sip.tls: unknown key"]),
    .init(name: "a quoted key with a dot", toml: "[user]\n\"full.name\" = \"Ada\"",
          expected: ["user.\"full.name\": unknown key"]),
    // [audio]
    .init(name: "audio.backend unknown", toml: "[audio]\nbackend = \"alsa\"",
          expected: ["audio.backend: must be one of pulse, none (got \"alsa\")"]),
    .init(name: "audio.codecs with an unknown codec", toml: "[audio]\ncodecs = [\"opus\", \"g729\"]",
          expected: ["audio.codecs: unknown codec \"g729\" (valid: opus, g722, pcmu, pcma)"]),
    .init(name: "audio.codecs empty", toml: "[audio]\ncodecs = []",
          expected: ["audio.codecs: must list at least one codec (valid: opus, g722, pcmu, pcma)"]),
    .init(name: "audio.codecs with a duplicate", toml: "[audio]\ncodecs = [\"pcmu\", \"opus\", \"PCMU\"]",
          expected: ["audio.codecs: pcmu is listed twice"]),
    .init(name: "audio.codecs as a string", toml: "[audio]\ncodecs = \"opus\"",
          expected: ["audio.codecs: must be an array of strings"]),
    .init(name: "audio.codecs with a number", toml: "[audio]\ncodecs = [\"opus\", 9]",
          expected: ["audio.codecs: must be an array of strings (element 2 is not a string)"]),
    .init(name: "audio.playback empty", toml: "[audio]\nplayback = \"\"",
          expected: ["audio.playback: must not be empty"]),
    .init(name: "a misspelt audio key", toml: "[audio]\ncodec = [\"opus\"]",
          expected: ["audio.codec: unknown key (did you mean codecs?)"]),
]

@Suite("Validation errors")
struct ValidationTests {
    @Test("each invalid value is reported as key: reason", arguments: invalidCases)
    func invalid(_ c: InvalidCase) {
        #expect(issues(c.toml, environment: c.environment) == c.expected)
    }

    @Test("a TOML syntax error is reported as LINE:COLUMN: message")
    func syntaxError() throws {
        let found = issues("[user]\nname = \"Ada\nextension = \"1001\"")
        #expect(found.count == 1)
        let first = try #require(found.first)
        #expect(first.hasPrefix("2:"), "got \(first)")
        let parts = first.split(separator: ":", maxSplits: 2)
        #expect(parts.count == 3 && Int(parts[0]) == 2 && Int(parts[1]) != nil, "got \(first)")
    }

    @Test("a syntax error prints as PATH:LINE:COLUMN: message")
    func syntaxErrorLine() throws {
        do {
            _ = try Configuration.parse("[user]\nname = \"Ada\n", environment: [:], path: "/etc/x.toml")
            Issue.record("invalid TOML parsed")
        } catch {
            let position = try #require(error.issues.first?.position)
            #expect(position.line == 2)
            #expect(error.lines == ["/etc/x.toml:2:\(position.column): \(error.issues[0].reason)"])
            #expect(error.issues[0].key == nil)
        }
    }

    @Test("a duplicated table is a syntax error with its line")
    func duplicateTable() throws {
        let found = issues("[sip]\nlisten = \"127.0.0.1:5070\"\n\n[sip]\npresence = false\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("4:") == true, "got \(found)")
    }

    @Test("all problems are reported at once, not just the first")
    func severalErrorsAtOnce() {
        let found = issues("""
            [user]
            extension = 1001
            [sip]
            listen = "nowhere"
            registar = "sip:pbx.example"
            password = "hunter2"
            [teams]
            client_id = "c"
            user_id = "u"
            auth = "app"
            poll_interval_ms = 0
            [[colleagues]]
            name = "Bob"
            [[queues]]
            name = "Sales"
            number = ""
            [answering]
            rule = "bounce"
            [wrapup]
            seconds = -5
            [extras]
            """, environment: [:])
        #expect(found == [
            "user.extension: must be a string",
            "sip.listen: must be HOST:PORT with a port 1–65535 (or 0: any free port)",
            "sip.password: secrets do not belong in the file; set the environment variable named by sip.password_env (default SOFTPHONE_SIP_PASSWORD) instead",
            "sip.registar: unknown key (did you mean registrar?)",
            "teams.token_url: required",
            "teams.poll_interval_ms: must be a positive integer",
            "teams.client_secret_env: environment variable SOFTPHONE_TEAMS_SECRET is not set (needed because teams.sync is not \"off\")",
            "colleagues[1]: needs sip or teams_id",
            "queues[1].number: must not be empty",
            "answering.rule: must be one of reject, forward, voicemail (got \"bounce\")",
            "wrapup.seconds: must be 0 or more",
            "extras: unknown section",
        ])
    }

    @Test("a forward target may stay in the file while the rule is reject")
    func targetKeptWithReject() throws {
        let config = try Configuration.parse("[answering]\nrule = \"reject\"\ntarget = \"sip:1002@x\"", environment: [:])
        #expect(config.answering.rule == .reject)
    }
}
