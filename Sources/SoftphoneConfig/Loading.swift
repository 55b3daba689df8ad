import Foundation
import SoftphoneCore
import TOMLKit

extension Configuration {
    /// `$XDG_CONFIG_HOME/softphone/config.toml` when that variable holds an absolute path,
    /// otherwise `$HOME/.config/softphone/config.toml` (SPEC section 6).
    public static func defaultPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return directory(xdg) + "/softphone/config.toml"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return directory(home) + "/.config/softphone/config.toml"
    }

    private static func directory(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return path == "/" ? "" : String(path)
    }

    /// Reads, parses and validates the file at `path`.
    ///
    /// - Parameter environment: where the secrets named by `sip.password_env` and
    ///   `teams.client_secret_env` are looked up (pass `ProcessInfo.processInfo.environment`).
    /// - Parameter requiringSIPPassword: `false` for commands that do not register
    ///   (`softphone teams login`): a missing `sip.password_env` variable is then no error
    ///   (`sip.password` stays `nil`); everything else is checked as usual.
    /// - Throws: ``ConfigError`` naming the file and listing every problem found:
    ///   a missing or unreadable file, a TOML syntax error, or each invalid key.
    public static func load(path: String, environment: [String: String],
                            requiringSIPPassword: Bool = true) throws(ConfigError) -> Configuration {
        let text = try readFile(path)
        return try parse(text, environment: environment, path: path, requiringSIPPassword: requiringSIPPassword)
    }

    /// Parses and validates configuration text. `path` only names the source in errors.
    public static func parse(_ text: String, environment: [String: String], path: String = "config.toml",
                             requiringSIPPassword: Bool = true) throws(ConfigError) -> Configuration {
        if text.utf8.contains(0) {
            throw ConfigError(path: path, issues: [ConfigIssue(key: nil, reason: "contains a NUL byte; not a TOML text file")])
        }
        if let problem = TOMLPrecheck.firstProblem(in: text) {
            // toml++ would abort the process here instead of reporting it.
            throw ConfigError(path: path, issues: [ConfigIssue(
                position: .init(line: problem.line, column: problem.column), reason: problem.reason)])
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw ConfigError(path: path, issues: [ConfigIssue(
                position: .init(line: position.line, column: position.column), reason: error.description)])
        } catch {
            throw ConfigError(path: path, issues: [ConfigIssue(key: nil, reason: "cannot be parsed: \(error)")])
        }
        let issues = IssueList()
        let configuration = ConfigurationReader(environment: environment, issues: issues,
                                                requiringSIPPassword: requiringSIPPassword)
            .read(TableReader(root, path: "", issues: issues))
        guard issues.items.isEmpty else {
            throw ConfigError(path: path, issues: issues.items)
        }
        return configuration
    }

    private static func readFile(_ path: String) throws(ConfigError) -> String {
        func fail(_ reason: String) -> ConfigError {
            ConfigError(path: path, issues: [ConfigIssue(key: nil, reason: reason)])
        }
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("file not found")
        }
        guard !isDirectory.boolValue else { throw fail("is a directory, not a configuration file") }
        guard let data = files.contents(atPath: path) else {
            throw fail(files.isReadableFile(atPath: path) ? "cannot be read" : "cannot be read: permission denied")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw fail("is not UTF-8 text")
        }
        return text
    }
}

/// Walks the parsed document section by section. Each section reads its keys with
/// type and value checks, falls back to the default on any problem, and reports
/// whatever it did not ask for; the result is only used when no issue was recorded.
private struct ConfigurationReader {
    let environment: [String: String]
    let issues: IssueList
    let requiringSIPPassword: Bool

    /// The configuration read, with defaults wherever a value was missing or invalid;
    /// meaningful only when no issue was recorded.
    func read(_ root: TableReader) -> Configuration {
        let user = readUser(root.table("user"))
        let sip = readSIP(root.table("sip"))
        // Registering needs a user part: the username, or else the agent's extension.
        if sip.registrar != nil, root.table["sip"]?["username"] == nil, user.extension == nil {
            issues.add("sip.username", "required when sip.registrar is set and user.extension is not")
        }
        let teams = readTeams(root.table("teams"))
        let colleagues = root.tableArray("colleagues").compactMap(readColleague)
        let queues = readQueues(root.tableArray("queues"))
        let answering = readAnswering(root.table("answering"))
        let wrapUp = readWrapUp(root.table("wrapup"))
        let audio = readAudio(root.table("audio"))
        root.reportUnknownKeys(unknownReason: "unknown section")
        return Configuration(user: user, sip: sip, teams: teams, colleagues: colleagues,
                             queues: queues, answering: answering, wrapUpSeconds: wrapUp, audio: audio)
    }

    private func readUser(_ t: TableReader?) -> Configuration.User {
        guard let t else { return Configuration.User() }
        let user = Configuration.User(name: t.string("name") ?? Configuration.User.defaultName,
                                      extension: t.string("extension"))
        t.reportUnknownKeys()
        return user
    }

    /// A `sip:`/`sips:` URI the line can send to: transport UDP, TCP or TLS (`sips:` only over
    /// TLS), a host, and a port that fits in 16 bits. `--check` rejects any other.
    private func usableURI(_ t: TableReader, _ key: String) -> String? {
        guard let text = t.sipURI(key) else { return nil }
        let transport = Configuration.SIP.transport(of: text)
        guard ["udp", "tcp", "tls"].contains(transport) else {
            issues.add(t.keyPath(key), "transport \(transport.quoted) is not one the line speaks (udp, tcp or tls)")
            return nil
        }
        if text.lowercased().hasPrefix("sips:"), transport != "tls" {
            issues.add(t.keyPath(key), "a sips: URI must use TLS, not \(transport.uppercased())")
            return nil
        }
        guard Validation.sipURIHostPort(text) != nil else {
            issues.add(t.keyPath(key), "needs a host and, if any, a port 1–65535: \(text.quoted)")
            return nil
        }
        return text
    }

    /// Whether the line's signalling stays on this machine (loopback registrar, or no
    /// registrar and a loopback listen address): SDES keys may then travel unencrypted.
    private func signallingIsLoopback(_ sip: Configuration.SIP) -> Bool {
        guard let uri = sip.outboundProxy ?? sip.registrar else { return Validation.isLoopback(sip.listen.host) }
        return Validation.sipURIHostPort(uri).map { Validation.isLoopback($0.host) } ?? false
    }

    private func readSIP(_ t: TableReader?) -> Configuration.SIP {
        guard let t else { return Configuration.SIP() }
        var sip = Configuration.SIP()
        sip.listen = t.hostPort("listen", allowAnyPort: true) ?? sip.listen
        if ["0.0.0.0", "::", "0:0:0:0:0:0:0:0"].contains(sip.listen.host) {
            issues.add(t.keyPath("listen"), "must be the address other systems reach the line at, not a wildcard "
                       + "(it goes into Via, Contact and SDP)")
        }
        sip.registrar = usableURI(t, "registrar")
        sip.outboundProxy = usableURI(t, "outbound_proxy")
        if let domain = t.string("domain") {
            if Validation.isHostName(domain) {
                sip.domain = domain
            } else {
                issues.add(t.keyPath("domain"), "must be a host name or address, like pbx.example.com (got \(domain.quoted))")
            }
        }
        sip.authUser = t.string("auth_user")
        if let file = t.string("tls_ca_file") {
            if FileManager.default.isReadableFile(atPath: file) {
                sip.tlsCAFile = file
            } else {
                issues.add(t.keyPath("tls_ca_file"), "cannot read \(file.quoted) (a PEM file of CA certificates)")
            }
        }
        sip.srtp = t.choice("srtp", among: Configuration.SIP.SRTP.allCases.map(\.rawValue))
            .flatMap(Configuration.SIP.SRTP.init(rawValue:))
        if let srtp = sip.srtp, srtp != .off, sip.signallingTransport != "tls", !signallingIsLoopback(sip) {
            issues.add(t.keyPath("srtp"), "\"\(srtp.rawValue)\" needs TLS signalling (sips: or ;transport=tls): SDES keys "
                       + "would travel in clear text over \(sip.signallingTransport.uppercased())")
        }
        if let maxCalls = t.int("max_calls") {
            if (1...64).contains(maxCalls) {
                sip.maxCalls = maxCalls
            } else {
                issues.add(t.keyPath("max_calls"), "must be 1–64 (got \(maxCalls))")
            }
        }
        if let seconds = t.int("keepalive_seconds") {
            if seconds == 0 || (5...300).contains(seconds) {
                sip.keepAliveSeconds = seconds
            } else {
                issues.add(t.keyPath("keepalive_seconds"), "must be 5–300 seconds, or 0 for none (got \(seconds))")
            }
        }
        sip.acceptFrom = t.choice("accept_from", among: Configuration.SIP.AcceptFrom.allCases.map(\.rawValue))
            .flatMap(Configuration.SIP.AcceptFrom.init(rawValue:)) ?? sip.acceptFrom
        if let expires = t.int("register_expires") {
            if (60...86_400).contains(expires) {
                sip.registerExpires = expires
            } else {
                issues.add(t.keyPath("register_expires"), "must be 60–86400 seconds (got \(expires))")
            }
        }
        if let file = t.string("audio_file") {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue {
                sip.audioFile = file
            } else {
                issues.add(t.keyPath("audio_file"), "no such file: \(file.quoted)")
            }
        }
        sip.username = t.string("username")
        sip.passwordEnv = t.environmentName("password_env") ?? sip.passwordEnv
        sip.presence = t.bool("presence") ?? sip.presence
        let registers = t.table["registrar"] != nil && t.table["username"] != nil
        sip.password = secret(named: sip.passwordEnv, key: t.keyPath("password_env"), needed: registers && requiringSIPPassword,
                              because: "sip.registrar and sip.username are set")
        t.reportUnknownKeys(forbidden: [
            "password": "secrets do not belong in the file; set the environment variable named by sip.password_env (default \(Configuration.SIP.defaultPasswordEnv)) instead",
        ])
        return sip
    }

    /// `nil` without a `[teams]` section (Teams is not used), or when a required key is
    /// missing or invalid (and so already reported).
    private func readTeams(_ t: TableReader?) -> Configuration.Teams? {
        guard let t else { return nil }
        let graphURL = t.httpURL("graph_url")
        let tokenURL = required(t, "token_url", t.httpURL("token_url"))
        let clientID = required(t, "client_id", t.string("client_id"))
        let userID = required(t, "user_id", t.string("user_id"))
        let secretEnv = t.environmentName("client_secret_env") ?? Configuration.Teams.defaultClientSecretEnv
        let sync = t.choice("sync", among: SyncDirection.allCases.map(\.rawValue)).flatMap(SyncDirection.init(rawValue:))
        let notifications = t.choice("notifications", among: Configuration.Notifications.allCases.map(\.rawValue))
            .flatMap(Configuration.Notifications.init(rawValue:))
        let pollInterval = t.positiveInt("poll_interval_ms")
        let webhookListen = t.hostPort("webhook_listen")
        let webhookURL = t.httpURL("webhook_url")
        let auth = t.choice("auth", among: Configuration.TeamsAuth.allCases.map(\.rawValue))
            .flatMap(Configuration.TeamsAuth.init(rawValue:))
        let deviceCodeURL = t.httpURL("device_code_url")
        let maxRequests = boundedInt(t, "max_requests_per_30s", Configuration.Teams.maxRequestsPer30sRange)
        // Device sign-in needs a device authorization endpoint: given, or derived from token_url.
        if (auth ?? .device) == .device, !t.has("device_code_url"), let tokenURL,
           Configuration.Teams.deviceCodeURL(derivedFrom: tokenURL) == nil {
            issues.add(t.keyPath("token_url"),
                       "its last path segment is not \"token\", so the device-code endpoint cannot be derived; set teams.device_code_url")
        }
        // The secret is read only for app sign-in; an invalid `auth` or `sync` counts as
        // needing it: one error too many beats a secret never asked for.
        let secret: Secret?
        if auth == .app || (t.has("auth") && auth == nil) {
            secret = self.secret(named: secretEnv, key: t.keyPath("client_secret_env"), needed: (sync ?? .both) != .off,
                                 because: "teams.sync is not \"off\"")
        } else {
            secret = nil
        }
        t.reportUnknownKeys(forbidden: [
            "client_secret": "secrets do not belong in the file; set the environment variable named by teams.client_secret_env (default \(Configuration.Teams.defaultClientSecretEnv)) instead",
        ])
        guard let tokenURL, let clientID, let userID else { return nil }
        return Configuration.Teams(
            graphURL: graphURL ?? Configuration.Teams.defaultGraphURL, tokenURL: tokenURL, clientID: clientID,
            clientSecretEnv: secretEnv, clientSecret: secret, userID: userID, sync: sync ?? .both,
            notifications: notifications ?? .poll, pollIntervalMs: pollInterval ?? Configuration.Teams.defaultPollIntervalMs,
            webhookListen: webhookListen ?? Configuration.Teams.defaultWebhookListen, webhookURL: webhookURL,
            auth: auth ?? .device, deviceCodeURL: deviceCodeURL,
            maxRequestsPer30s: maxRequests ?? Configuration.Teams.defaultMaxRequestsPer30s)
    }

    /// An integer within `range`: `must be an integer from 2 to 1500`.
    private func boundedInt(_ t: TableReader, _ key: String, _ range: ClosedRange<Int>) -> Int? {
        let reason = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let value = t.int(key, typeReason: reason) else { return nil }
        guard range.contains(value) else {
            issues.add(t.keyPath(key), reason)
            return nil
        }
        return value
    }

    private func readColleague(_ t: TableReader) -> Configuration.Colleague? {
        let name = required(t, "name", t.string("name"))
        let sip = t.sipURI("sip")
        let teamsID = t.string("teams_id")
        if !t.has("sip") && !t.has("teams_id") {
            issues.add(t.path, "needs sip or teams_id")
        }
        t.reportUnknownKeys()
        guard let name else { return nil }
        return Configuration.Colleague(name: name, sip: sip, teamsID: teamsID)
    }

    private func readQueues(_ tables: [TableReader]) -> [Queue] {
        var queues: [Queue] = []
        var byNumber: [String: String] = [:]
        var byName: [String: String] = [:]
        for t in tables {
            let name = required(t, "name", t.string("name").map(\.trimmed))
            let number = required(t, "number", t.string("number").map(\.trimmed))
            let routing = t.bool("presence_based_routing") ?? true
            if let number {
                if let first = byNumber[number] {
                    issues.add(t.keyPath("number"), "duplicate of \(first).number (\(number.quoted))")
                } else {
                    byNumber[number] = t.path
                }
            }
            if let name {
                if let first = byName[name.lowercased()] {
                    issues.add(t.keyPath("name"), "duplicate of \(first).name (\(name.quoted))")
                } else {
                    byName[name.lowercased()] = t.path
                }
            }
            t.reportUnknownKeys()
            if let name, let number {
                queues.append(Queue(name: name, number: number, presenceBasedRouting: routing))
            }
        }
        return queues
    }

    private func readAnswering(_ t: TableReader?) -> AnsweringConfig {
        guard let t else { return AnsweringConfig() }
        let kind = t.choice("rule", among: AnsweringRuleKind.allCases.map(\.rawValue))
            .flatMap(AnsweringRuleKind.init(rawValue:))
        let target = t.sipURI("target")
        let noAnswer = t.positiveInt("no_answer_seconds")
        var config = AnsweringConfig()
        config.noAnswerSeconds = noAnswer ?? config.noAnswerSeconds
        switch kind {
        case .some(let kind) where kind != .reject:
            if let target {
                config.rule = kind == .forward ? .forward(target: target) : .voicemail(target: target)
            } else if !t.has("target") {
                issues.add(t.keyPath("target"), "required when rule is \(kind.rawValue)")
            }
        default:
            config.rule = .reject
        }
        t.reportUnknownKeys()
        return config
    }

    private func readWrapUp(_ t: TableReader?) -> Int {
        guard let t else { return 0 }
        var seconds = 0
        if let value = t.int("seconds") {
            if value < 0 {
                issues.add(t.keyPath("seconds"), "must be 0 or more")
            } else {
                seconds = value
            }
        }
        t.reportUnknownKeys()
        return seconds
    }

    private func readAudio(_ t: TableReader?) -> AudioSettings {
        guard let t else { return AudioSettings() }
        var audio = AudioSettings()
        audio.backend = t.choice("backend", among: AudioSettings.Backend.allCases.map(\.rawValue))
            .flatMap(AudioSettings.Backend.init(rawValue:)) ?? audio.backend
        audio.playback = t.string("playback") ?? audio.playback
        audio.capture = t.string("capture") ?? audio.capture
        audio.ring = t.string("ring") ?? audio.ring
        if let names = t.stringArray("codecs") {
            let valid = AudioSettings.Codec.allCases.map(\.rawValue)
            var codecs: [AudioSettings.Codec] = []
            for name in names {
                guard let codec = AudioSettings.Codec(rawValue: name.lowercased()) else {
                    issues.add(t.keyPath("codecs"), "unknown codec \(name.quoted) (valid: \(valid.joined(separator: ", ")))")
                    continue
                }
                if codecs.contains(codec) {
                    issues.add(t.keyPath("codecs"), "\(codec.rawValue) is listed twice")
                    continue
                }
                codecs.append(codec)
            }
            if names.isEmpty {
                issues.add(t.keyPath("codecs"), "must list at least one codec (valid: \(valid.joined(separator: ", ")))")
            } else if !codecs.isEmpty {
                audio.codecs = codecs
            }
        }
        t.reportUnknownKeys()
        return audio
    }

    /// Reports `KEY: required` when the key is absent altogether (a present but invalid
    /// value has already been reported by the read).
    private func required<T>(_ t: TableReader, _ key: String, _ value: T?) -> T? {
        if value == nil && t.table[key] == nil {
            issues.add(t.keyPath(key), "required")
        }
        return value
    }

    /// Looks a secret up in the environment; when `needed`, a missing or empty variable
    /// is an issue on the `*_env` key that names it.
    private func secret(named name: String, key: String, needed: Bool, because reason: String) -> Secret? {
        guard let value = environment[name], !value.isEmpty else {
            if needed {
                let state = environment[name] == nil ? "is not set" : "is empty"
                issues.add(key, "environment variable \(name) \(state) (needed because \(reason))")
            }
            return nil
        }
        return Secret(value)
    }
}
