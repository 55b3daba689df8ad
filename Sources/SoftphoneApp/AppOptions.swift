import SoftphoneConfig

/// What the command line decided.
public struct AppOptions: Sendable {
    /// Run against the in-process demo backends, without configuration.
    public var demo: Bool
    /// Force ASCII icons (they are used anyway when the locale is not UTF-8).
    public var ascii: Bool
    /// The loaded configuration (not used in demo mode).
    public var configuration: Configuration?
    /// The environment, for data paths.
    public var environment: [String: String]

    public init(demo: Bool, ascii: Bool, configuration: Configuration?, environment: [String: String]) {
        self.demo = demo
        self.ascii = ascii
        self.configuration = configuration
        self.environment = environment
    }

    /// `$XDG_DATA_HOME/softphone/calls.sqlite`, else `~/.local/share/softphone/calls.sqlite`.
    public var callStorePath: String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/softphone/calls.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return home + "/.local/share/softphone/calls.sqlite"
    }
}
