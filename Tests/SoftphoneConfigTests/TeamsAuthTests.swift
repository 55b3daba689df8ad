import Testing
@testable import SoftphoneConfig

@Suite("[teams] sign-in keys (SPEC section 9)")
struct TeamsAuthTests {
    @Test("auth defaults to device; the device-code URL is token_url with token → devicecode; budget 30")
    func deviceDefaults() throws {
        let config = try Configuration.parse("""
            [teams]
            token_url = "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token"
            client_id = "c"
            user_id = "ada@contoso.example"
            """, environment: [:])
        let teams = try #require(config.teams)
        #expect(teams.auth == .device)
        #expect(teams.deviceCodeURL == "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/devicecode")
        #expect(teams.maxRequestsPer30s == 30)
        #expect(teams.clientSecret == nil)
    }

    @Test("with auth = device the secret variable is not read, even when it is set")
    func deviceReadsNoSecret() throws {
        let config = try Configuration.parse("""
            [teams]
            token_url = "https://login.example/t/token"
            client_id = "c"
            user_id = "u"
            client_secret_env = "MY_SECRET"
            auth = "device"
            """, environment: ["MY_SECRET": "s3cret"])
        #expect(config.teams?.clientSecret == nil)
        #expect(config.teams?.clientSecretEnv == "MY_SECRET")
    }

    @Test("with auth = app the secret is read; sync off needs none")
    func appReadsSecret() throws {
        let toml = """
            [teams]
            token_url = "https://login.example/t/token"
            client_id = "c"
            user_id = "u"
            auth = "app"
            """
        #expect(try Configuration.parse(toml, environment: ["SOFTPHONE_TEAMS_SECRET": "x"]).teams?.clientSecret == Secret("x"))
        #expect(try Configuration.parse(toml + "\nsync = \"off\"", environment: [:]).teams?.clientSecret == nil)
    }

    @Test("device_code_url given explicitly wins, also when token_url does not end in token")
    func explicitDeviceCodeURL() throws {
        let config = try Configuration.parse("""
            [teams]
            token_url = "https://idp.example/oauth/access"
            device_code_url = "https://idp.example/oauth/device"
            client_id = "c"
            user_id = "u"
            """, environment: [:])
        #expect(config.teams?.deviceCodeURL == "https://idp.example/oauth/device")
    }

    @Test("app sign-in does not need a derivable device-code URL")
    func appNeedsNoDeviceCodeURL() throws {
        let config = try Configuration.parse("""
            [teams]
            token_url = "https://idp.example/oauth/access"
            client_id = "c"
            user_id = "u"
            auth = "app"
            """, environment: ["SOFTPHONE_TEAMS_SECRET": "x"])
        #expect(config.teams?.deviceCodeURL == nil)
    }

    @Test("deriving the device-code URL", arguments: [
        ("https://login.microsoftonline.com/common/oauth2/v2.0/token", "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode"),
        ("http://127.0.0.1:8450/emulator-tenant/oauth2/v2.0/token?x=1", "http://127.0.0.1:8450/emulator-tenant/oauth2/v2.0/devicecode?x=1"),
        ("https://idp.example/oauth/access", nil),
        ("https://idp.example/mytoken", nil),
        ("https://token", nil),
    ] as [(String, String?)])
    func derive(_ tokenURL: String, _ expected: String?) {
        #expect(Configuration.Teams.deviceCodeURL(derivedFrom: tokenURL) == expected)
    }

    @Test("max_requests_per_30s accepts 2 and 1500")
    func budgetBounds() throws {
        for value in [2, 1500] {
            let config = try Configuration.parse("""
                [teams]
                token_url = "https://login.example/t/token"
                client_id = "c"
                user_id = "u"
                max_requests_per_30s = \(value)
                """, environment: [:])
            #expect(config.teams?.maxRequestsPer30s == value)
        }
    }

    @Test("the summary says the auth mode")
    func summarySaysAuth() throws {
        let base = """
            [teams]
            token_url = "https://login.example/t/token"
            client_id = "c"
            user_id = "u"
            """
        let device = try Configuration.parse(base, environment: [:])
        #expect(device.summaryLines.contains { $0.hasPrefix("teams: ") && $0.hasSuffix("sign-in by device code (softphone teams login)") })
        #expect(device.description.contains("auth device"))
        let app = try Configuration.parse(base + "\nauth = \"app\"", environment: ["SOFTPHONE_TEAMS_SECRET": "x"])
        #expect(app.summaryLines.contains { $0.hasSuffix("app sign-in (secret from $SOFTPHONE_TEAMS_SECRET)") })
        #expect(app.description.contains("auth app"))
    }
}
