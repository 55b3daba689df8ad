/// Why a session description could not be parsed.
public struct SDPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line number, when the problem is on a line.
    public let line: Int?
    /// A readable explanation.
    public let reason: String

    public init(line: Int?, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { "malformed SDP, line \(line): \(reason)" } else { "malformed SDP: \(reason)" }
    }
}
