import Logging

/// A swift-log `LogHandler` that hands records to a `LogWriter` (the log file). Never
/// writes to the terminal, never blocks on the disk.
public struct FileLogHandler: LogHandler {
    public let label: String
    public let writer: LogWriter
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, writer: LogWriter, logLevel: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.writer = writer
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        writer.enqueue(LogRecord(date: writer.now(), level: event.level, label: label,
                                 message: event.message.description, metadata: merged))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
