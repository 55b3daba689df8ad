import ArgumentParser
import Foundation
import SoftphoneApp
import SoftphoneConfig
import SoftphoneCore
import TeamsSync

/// `softphone teams login | logout | status` (SPEC section 9).
struct TeamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams",
        abstract: "Sign in to Microsoft Teams (device code), sign out, or show who is signed in.",
        discussion: """
            The sign-in (a refresh token) is kept in $XDG_STATE_HOME/softphone/teams-token.json, \
            else ~/.local/state/softphone/teams-token.json, readable by you only.
            """,
        subcommands: [Login.self, Logout.self, Status.self])

    struct Login: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign in with a device code: open the page shown, enter the code, and wait here.",
            discussion: """
                Needs teams.auth = "device" (the default); the SIP password need not be set. Asks for the \
                delegated permissions \(DelegatedScopes.permissions.joined(separator: ", ")) \
                and offline_access. Prints Microsoft's message, then waits until you have signed in, \
                declined or the code expired. Ctrl-C stops without writing anything.
                Exit status: 0 signed in (or auth = "app": nothing to do), 1 not signed in (declined, \
                expired or refused), 2 invalid configuration or the token file cannot be written.
                """)

        @OptionGroup var options: ConfigFileOption

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let teams = try options.teams(environment)
            guard teams.auth == .device else {
                say("teams.auth is \"app\": the softphone signs in with the application's secret; no login is needed.")
                return
            }
            guard let deviceCodeURL = teams.deviceCodeURL else {
                fail(["softphone: set teams.device_code_url"])
                throw ExitCode(2)
            }
            let store = TokenStore(environment: environment)
            let login = DeviceCodeLogin(graphURL: teams.graphURL, clientID: teams.clientID, tokenURL: teams.tokenURL,
                                        deviceCodeURL: deviceCodeURL, store: store)
            // No limit of ours: the flow itself ends when the code expires (15 minutes).
            let outcome = try blocking(timeout: .seconds(24 * 3600)) {
                await login.run { waiting in
                    say(waiting.message)
                    say("")
                    say("  page: \(waiting.verificationURI)")
                    say("  code: \(waiting.userCode)")
                    say("")
                    say("Waiting for the sign-in (Ctrl-C to stop)…")
                }
            }
            switch outcome {
            case .signedIn(let signIn):
                let who = signIn.account.userPrincipalName ?? signIn.account.displayName ?? "(unknown)"
                say("Signed in as \(who) (object id \(signIn.account.objectID ?? "unknown")).")
                let until = signIn.signedInAt + DeviceCodeLogin.refreshTokenLifetime
                say("The sign-in is kept in \(store.path); unused, it lasts at most until \(dateText(until)) (90 days).")
            case .expired:
                fail(["softphone: the code expired before the sign-in was finished; run `softphone teams login` again"])
                throw ExitCode(1)
            case .declined:
                fail(["softphone: the sign-in was declined"])
                throw ExitCode(1)
            case .failed(let reason):
                fail(["softphone: sign-in failed: \(reason)"])
                throw ExitCode(1)
            case .cannotStore(let reason):
                fail(["softphone: signed in, but the sign-in cannot be kept: \(reason)"])
                throw ExitCode(2)
            }
        }
    }

    struct Logout: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget the Teams sign-in (delete the token file).",
            discussion: "Exit status: 0 signed out (also when no one was signed in), 2 the file cannot be deleted.")

        func run() throws {
            let store = TokenStore(environment: ProcessInfo.processInfo.environment)
            do {
                if try store.delete() {
                    say("Signed out: deleted \(store.path).")
                } else {
                    say("Not signed in (no \(store.path)); nothing to do.")
                }
            } catch {
                fail(["softphone: \(error)"])
                throw ExitCode(2)
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say who is signed in to Teams, since when, and until when the access token runs.",
            discussion: "Exit status: 0 signed in, 1 not signed in, 2 the token file cannot be read.")

        func run() throws {
            let store = TokenStore(environment: ProcessInfo.processInfo.environment)
            let signIn: StoredSignIn?
            do {
                signIn = try store.load()
            } catch {
                fail(["softphone: \(error)"])
                throw ExitCode(2)
            }
            guard let signIn else {
                say("Not signed in to Teams (run `softphone teams login`).")
                throw ExitCode(1)
            }
            let account = signIn.account
            say("Signed in as \(account.userPrincipalName ?? account.displayName ?? "(unknown)")"
                  + (account.objectID.map { " (object id \($0))" } ?? ""))
            if let tenant = signIn.tenant { say("tenant: \(tenant), client \(signIn.clientID)") }
            say("since: \(dateText(signIn.signedInAt))")
            if let expiry = signIn.accessTokenExpiresAt {
                say("access token valid until: \(dateText(expiry)) (renewed automatically)")
            }
        }
    }
}

/// `--config PATH`: the main command's option, also taken by `teams login`.
struct ConfigFileOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Read the configuration from this file (default: $XDG_CONFIG_HOME/softphone/config.toml, else ~/.config/softphone/config.toml).",
        valueName: "path"))
    var config: String?
}

extension ConfigFileOption {
    /// The `[teams]` section, or exit 2 with the reason.
    func teams(_ environment: [String: String]) throws -> Configuration.Teams {
        let path = config ?? Configuration.defaultPath(environment: environment)
        let configuration: Configuration
        do {
            // Signing in to Teams registers nothing: the SIP password need not be set.
            configuration = try Configuration.load(path: path, environment: environment, requiringSIPPassword: false)
        } catch {
            fail(error.lines)
            throw ExitCode(2)
        }
        guard let teams = configuration.teams else {
            fail(["softphone: \(path) has no [teams] section, so there is nothing to sign in to"])
            throw ExitCode(2)
        }
        return teams
    }
}

private func dateText(_ instant: Instant) -> String {
    let date = Date(timeIntervalSince1970: instant.secondsSinceEpoch)
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
    return formatter.string(from: date)
}

/// One line on standard output, unbuffered: a script reading the code sees it at once.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

private func fail(_ lines: [String]) {
    FileHandle.standardError.write(Data(lines.map { $0 + "\n" }.joined().utf8))
}

