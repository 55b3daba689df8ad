/// One problem found in a configuration file.
///
/// Prints as `key: reason` (`answering.rule: must be one of reject, forward, voicemail (got "bounce")`),
/// as `LINE:COLUMN: message` for a TOML syntax error, or as the bare reason for a problem
/// with the file itself (`file not found`).
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where in the text a syntax error is (both counted from 1).
    public struct Position: Sendable, Hashable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    /// The dotted key path (`sip.listen`, `queues[2].number`; array entries count from 1);
    /// `nil` for a syntax error or when the file as a whole is the problem.
    public var key: String?
    /// Set for TOML syntax errors.
    public var position: Position?
    public var reason: String

    public init(key: String?, reason: String) {
        self.key = key
        self.position = nil
        self.reason = reason
    }

    public init(position: Position, reason: String) {
        self.key = nil
        self.position = position
        self.reason = reason
    }

    public var description: String {
        if let position { return "\(position.line):\(position.column): \(reason)" }
        return key.map { "\($0): \(reason)" } ?? reason
    }
}

/// Why a configuration file was rejected: the file and every problem found in it
/// (all of them, not just the first).
///
/// `description` prints one problem per line: `PATH: key: reason`, `PATH: reason` for
/// the file itself, and `PATH:LINE:COLUMN: message` for a syntax error (the form
/// editors and terminals recognise as a location).
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as named by the caller (or the name given to `parse`).
    public var path: String
    /// At least one, in the order found.
    public var issues: [ConfigIssue]

    public init(path: String, issues: [ConfigIssue]) {
        self.path = path
        self.issues = issues
    }

    /// One line per issue, each starting with the path.
    public var lines: [String] {
        issues.map { issue in
            issue.position == nil ? "\(path): \(issue)" : "\(path):\(issue)"
        }
    }

    public var description: String { lines.joined(separator: "\n") }
}
