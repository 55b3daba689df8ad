import SoftphoneCore

/// The validated configuration file (SPEC section 6), with every default filled in
/// and the secrets resolved from the environment.
///
/// Build one with ``Configuration/load(path:environment:)`` or
/// ``Configuration/parse(_:environment:path:)``; the memberwise initialisers exist
/// for code that needs a configuration without a file (tests, the demo).
public struct Configuration: Sendable, Equatable {
    public var user: User
    public var sip: SIP
    /// `nil` when the file has no `[teams]` section: Teams is not used at all.
    public var teams: Teams?
    /// The Team tab, in file order.
    public var colleagues: [Colleague]
    /// The contact center's queues, in file order; numbers are unique.
    public var queues: [Queue]
    public var answering: AnsweringConfig
    /// `[wrapup] seconds`; 0 turns wrap-up off (R11).
    public var wrapUpSeconds: Int
    /// `[audio]`: backend, devices, codecs (SPEC section 7).
    public var audio: AudioSettings

    public init(user: User = User(), sip: SIP = SIP(), teams: Teams? = nil,
                colleagues: [Colleague] = [], queues: [Queue] = [],
                answering: AnsweringConfig = AnsweringConfig(), wrapUpSeconds: Int = 0,
                audio: AudioSettings = AudioSettings()) {
        self.user = user
        self.sip = sip
        self.teams = teams
        self.colleagues = colleagues
        self.queues = queues
        self.answering = answering
        self.wrapUpSeconds = wrapUpSeconds
        self.audio = audio
    }

    /// What the reducer decides with. Without a `[teams]` section the sync direction is `off`.
    public var coreSettings: CoreSettings {
        CoreSettings(answering: answering, wrapUpSeconds: wrapUpSeconds, sync: teams?.sync ?? .off)
    }

    /// Recognises this configuration's queue calls.
    public var queueDirectory: QueueDirectory { QueueDirectory(queues) }

    /// `[user]`
    public struct User: Sendable, Equatable {
        public static let defaultName = "Agent"

        public var name: String
        /// The agent's own extension, if configured.
        public var `extension`: String?

        public init(name: String = User.defaultName, extension: String? = nil) {
            self.name = name
            self.extension = `extension`
        }
    }

    /// `[sip]`: the agent's phone line.
    public struct SIP: Sendable, Equatable {
        public static let defaultListen = HostPort(host: "127.0.0.1", port: 5070)
        public static let defaultPasswordEnv = "SOFTPHONE_SIP_PASSWORD"

        /// Local UDP/TCP address of the line.
        public var listen: HostPort
        /// `sip:` or `sips:` URI; without it the line only listens.
        public var registrar: String?
        public var username: String?
        /// The name of the environment variable the password is read from.
        public var passwordEnv: String
        /// The password from ``passwordEnv``; `nil` when the variable is not set
        /// (which is an error only when the line registers with a username).
        public var password: Secret?
        /// PUBLISH own presence and SUBSCRIBE to colleagues.
        public var presence: Bool
        /// The registration lifetime asked of the registrar, in seconds.
        public var registerExpires: Int
        /// A WAV file played to the other party of a call; silence when nil.
        public var audioFile: String?
        /// The host of the line's address of record (`sip.domain`); nil: the registrar's host.
        public var domain: String?
        /// The digest user name (`sip.auth_user`); nil: the line's user name.
        public var authUser: String?
        /// Where every request goes first (`sip.outbound_proxy`, a `sip:`/`sips:` URI); nil: the registrar.
        public var outboundProxy: String?
        /// A PEM file of CA certificates trusted for TLS instead of the system's (`sip.tls_ca_file`).
        public var tlsCAFile: String?
        /// `sip.srtp` as written; nil: the default for the transport (see ``effectiveSRTP``).
        public var srtp: SRTP?
        /// `sip.max_calls`: calls at once; more get 486 without ringing.
        public var maxCalls: Int
        /// `sip.accept_from`: whose INVITEs the line takes when it registers.
        public var acceptFrom: AcceptFrom

        public static let defaultRegisterExpires = 600
        public static let defaultMaxCalls = 4
        /// RFC 5626's 25 s: under the 30 s many NATs keep an idle UDP mapping.
        public static let defaultKeepAliveSeconds = 25
        /// `sip.keepalive_seconds`: how often the line sends a keep-alive while registered; 0: never.
        public var keepAliveSeconds = SIP.defaultKeepAliveSeconds

        /// Media encryption (SPEC section 8).
        public enum SRTP: String, Sendable, Equatable, CaseIterable {
            case off, optional, mandatory
        }

        /// Whose INVITEs are taken while registered (SPEC section 8).
        public enum AcceptFrom: String, Sendable, Equatable, CaseIterable {
            /// Only from the registrar or the outbound proxy.
            case registrar
            /// From anyone (direct peer-to-peer use).
            case any
        }

        /// The transport the line's signalling to its registrar (or outbound proxy) uses:
        /// `tls` for `sips:` or `;transport=tls`, `tcp` for `;transport=tcp`, else `udp`.
        public var signallingTransport: String {
            guard let uri = outboundProxy ?? registrar else { return "udp" }
            return Self.transport(of: uri)
        }

        /// The transport a `sip:`/`sips:` URI asks for (`udp`, `tcp`, `tls`, or what its
        /// `transport=` parameter says, lower-cased).
        public static func transport(of uri: String) -> String {
            let lower = uri.lowercased()
            let parameter = lower.split(separator: ";").dropFirst().first { $0.hasPrefix("transport=") }
                .map { String($0.dropFirst("transport=".count)) }
            if lower.hasPrefix("sips:") { return parameter == "tcp" || parameter == nil ? "tls" : parameter! }
            return parameter ?? "udp"
        }

        /// `sip.srtp` in force: as written, else `optional` over TLS and `off` otherwise
        /// (SDES keys must not travel in clear text).
        public var effectiveSRTP: SRTP { srtp ?? (signallingTransport == "tls" ? .optional : .off) }

        public init(listen: HostPort = SIP.defaultListen, registrar: String? = nil, username: String? = nil,
                    passwordEnv: String = SIP.defaultPasswordEnv, password: Secret? = nil, presence: Bool = true,
                    registerExpires: Int = SIP.defaultRegisterExpires, audioFile: String? = nil,
                    domain: String? = nil, authUser: String? = nil, outboundProxy: String? = nil,
                    tlsCAFile: String? = nil, srtp: SRTP? = nil, maxCalls: Int = SIP.defaultMaxCalls,
                    acceptFrom: AcceptFrom = .registrar) {
            self.domain = domain
            self.authUser = authUser
            self.outboundProxy = outboundProxy
            self.tlsCAFile = tlsCAFile
            self.srtp = srtp
            self.maxCalls = maxCalls
            self.acceptFrom = acceptFrom
            self.listen = listen
            self.registrar = registrar
            self.username = username
            self.passwordEnv = passwordEnv
            self.password = password
            self.presence = presence
            self.registerExpires = registerExpires
            self.audioFile = audioFile
        }
    }

    /// How the softphone learns about Teams presence changes (`teams.notifications`).
    public enum Notifications: String, Sendable, Equatable, CaseIterable {
        /// Periodic GET of the presence, every `poll_interval_ms`.
        case poll
        /// Graph change notifications delivered to `webhook_listen`.
        case webhook
    }

    /// How the softphone signs in to Microsoft Graph (`teams.auth`, SPEC section 9).
    public enum TeamsAuth: String, Sendable, Equatable, CaseIterable {
        /// Delegated: the agent signs in once with `softphone teams login` (device code);
        /// no client secret on the desktop.
        case device
        /// Application (client credentials, with the secret from `client_secret_env`): for services.
        case app
    }

    /// `[teams]`: Microsoft Graph (or the emulator).
    public struct Teams: Sendable, Equatable {
        public static let defaultGraphURL = "https://graph.microsoft.com/v1.0"
        public static let defaultMaxRequestsPer30s = 30
        /// The range `teams.max_requests_per_30s` accepts (Graph's presence limit is 1,500 per 30 s per tenant).
        public static let maxRequestsPer30sRange = 2...1_500
        public static let defaultClientSecretEnv = "SOFTPHONE_TEAMS_SECRET"
        public static let defaultPollIntervalMs = 1000
        public static let defaultWebhookListen = HostPort(host: "127.0.0.1", port: 8451)

        public var graphURL: String
        public var tokenURL: String
        public var clientID: String
        /// Device-code sign-in (the default) or the application's client credentials.
        public var auth: TeamsAuth
        /// The device authorization endpoint: `teams.device_code_url`, else `token_url` with its
        /// last path segment `token` replaced by `devicecode`; `nil` when neither gives one.
        public var deviceCodeURL: String?
        /// The request budget for Graph (`teams.max_requests_per_30s`).
        public var maxRequestsPer30s: Int
        /// The name of the environment variable the client secret is read from.
        public var clientSecretEnv: String
        /// The client secret from ``clientSecretEnv``; read only for `auth = "app"`, `nil` when
        /// it is not needed (device sign-in, sync off).
        public var clientSecret: Secret?
        /// The agent's Teams user: an object id or a UPN (resolved at start).
        public var userID: String
        public var sync: SyncDirection
        public var notifications: Notifications
        public var pollIntervalMs: Int
        public var webhookListen: HostPort
        /// The URL Graph posts notifications to, when it is not `http://webhook_listen/notifications`
        /// (a public HTTPS address that forwards to `webhook_listen`).
        public var webhookURL: String?

        public init(graphURL: String = Teams.defaultGraphURL, tokenURL: String, clientID: String,
                    clientSecretEnv: String = Teams.defaultClientSecretEnv, clientSecret: Secret? = nil,
                    userID: String, sync: SyncDirection = .both, notifications: Notifications = .poll,
                    pollIntervalMs: Int = Teams.defaultPollIntervalMs,
                    webhookListen: HostPort = Teams.defaultWebhookListen, webhookURL: String? = nil,
                    auth: TeamsAuth = .device, deviceCodeURL: String? = nil,
                    maxRequestsPer30s: Int = Teams.defaultMaxRequestsPer30s) {
            self.graphURL = graphURL
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.auth = auth
            self.deviceCodeURL = deviceCodeURL ?? Teams.deviceCodeURL(derivedFrom: tokenURL)
            self.maxRequestsPer30s = maxRequestsPer30s
            self.clientSecretEnv = clientSecretEnv
            self.clientSecret = clientSecret
            self.userID = userID
            self.sync = sync
            self.notifications = notifications
            self.pollIntervalMs = pollIntervalMs
            self.webhookListen = webhookListen
            self.webhookURL = webhookURL
        }

        /// `token_url` with its last path segment `token` replaced by `devicecode`, as on the
        /// Microsoft identity platform (query and fragment kept); `nil` when the last segment
        /// is not `token`.
        public static func deviceCodeURL(derivedFrom tokenURL: String) -> String? {
            let end = tokenURL.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? tokenURL.endIndex
            let path = tokenURL[..<end]
            guard path.hasSuffix("/token"), let schemeEnd = path.range(of: "://"),
                  path[schemeEnd.upperBound...].contains("/") else { return nil }
            return path.dropLast("token".count) + "devicecode" + tokenURL[end...]
        }
    }

    /// `[[colleagues]]`: one entry of the Team tab; at least one of the addresses is set.
    public struct Colleague: Sendable, Equatable {
        public var name: String
        /// `sip:` or `sips:` URI for SIP presence and dialling.
        public var sip: String?
        /// Teams user id for Graph presence.
        public var teamsID: String?

        public init(name: String, sip: String? = nil, teamsID: String? = nil) {
            self.name = name
            self.sip = sip
            self.teamsID = teamsID
        }
    }
}

/// A `HOST:PORT` socket address as written in the file (`[::1]:5070` for IPv6).
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// Without brackets, also for IPv6.
    public var host: String
    /// 1–65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT`; `nil` when malformed or the port is not 1–65535.
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { return nil }
            portText = rest.dropFirst()
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" }) else {
                return nil
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.isEmpty,
                  host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") })
            else { return nil }
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A secret read from the environment. It never prints: `description`, `debugDescription`
/// and its mirror all say `<redacted>`, so logging a configuration cannot leak it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself. Hand it only to what authenticates with it.
    public var value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

// MARK: - Printing (never shows a secret)

extension Configuration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        var parts: [String] = []
        parts.append("user: \(user.name.quoted) extension \(user.extension?.quoted ?? "none")")
        var sipPart = "sip: listen \(sip.listen)"
        sipPart += ", registrar \(sip.registrar?.printable ?? "none"), username \(sip.username?.quoted ?? "none")"
        sipPart += ", password $\(sip.passwordEnv) \(sip.password == nil ? "<not set>" : "<redacted>")"
        sipPart += ", presence \(sip.presence)"
        if let domain = sip.domain { sipPart += ", domain \(domain.quoted)" }
        if let authUser = sip.authUser { sipPart += ", auth user \(authUser.quoted)" }
        if let proxy = sip.outboundProxy { sipPart += ", outbound proxy \(proxy.printable)" }
        if let ca = sip.tlsCAFile { sipPart += ", TLS CA \(ca.quoted)" }
        sipPart += ", keep-alive \(sip.keepAliveSeconds) s"
        sipPart += ", srtp \(sip.effectiveSRTP.rawValue), max calls \(sip.maxCalls), accept from \(sip.acceptFrom.rawValue)"
        parts.append(sipPart)
        if let teams {
            var teamsPart = "teams: graph \(teams.graphURL.printable), token \(teams.tokenURL.printable)"
            teamsPart += ", client \(teams.clientID.quoted), auth \(teams.auth.rawValue)"
            if let deviceCodeURL = teams.deviceCodeURL { teamsPart += ", device code \(deviceCodeURL.printable)" }
            teamsPart += ", secret $\(teams.clientSecretEnv) \(teams.clientSecret == nil ? "<not set>" : "<redacted>")"
            teamsPart += ", max \(teams.maxRequestsPer30s) requests per 30 s"
            teamsPart += ", user \(teams.userID.quoted), sync \(teams.sync.rawValue)"
            teamsPart += ", notifications \(teams.notifications.rawValue), poll \(teams.pollIntervalMs) ms"
            teamsPart += ", webhook \(teams.webhookListen)"
            parts.append(teamsPart)
        } else {
            parts.append("teams: none")
        }
        let colleagueList = colleagues.map { c in
            "\(c.name.quoted) (sip \(c.sip?.printable ?? "none"), teams \(c.teamsID?.quoted ?? "none"))"
        }
        parts.append("colleagues: [\(colleagueList.joined(separator: ", "))]")
        let queueList = queues.map { q in
            "\(q.name.quoted) \(q.number.quoted)\(q.presenceBasedRouting ? " presence-based" : "")"
        }
        parts.append("queues: [\(queueList.joined(separator: ", "))]")
        parts.append("answering: \(answering.summary)")
        parts.append("wrapup: \(wrapUpSeconds) s")
        parts.append("audio: \(audio.summary)")
        return "Configuration(\(parts.joined(separator: "; ")))"
    }

    public var debugDescription: String { description }

    /// A mirror without children, so `dump` and the debugger also go through `description`.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension AnsweringConfig {
    /// "reject", "forward to sip:…", "voicemail at sip:…", with the no-answer time.
    var summary: String {
        let rule: String
        switch self.rule {
        case .reject: rule = "reject"
        case .forward(let target): rule = "forward to \(target.printable)"
        case .voicemail(let target): rule = "voicemail at \(target.printable)"
        }
        return "\(rule), when unanswered after \(noAnswerSeconds) s"
    }
}

extension String {
    /// Double-quoted as in TOML: quotes and backslashes escaped, control characters
    /// (ESC included) written as `\uXXXX`, so printing a value never drives the terminal.
    var quoted: String {
        var out = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The text itself when it is printable; otherwise ``quoted``.
    var printable: String {
        unicodeScalars.contains { $0.properties.generalCategory == .control } ? quoted : self
    }
}
