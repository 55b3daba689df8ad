/// Why the terminal (or one of its helpers) could not be set up, in words for the agent.
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
