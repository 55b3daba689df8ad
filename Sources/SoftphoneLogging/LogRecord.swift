import Foundation
import Logging

/// One record on its way to the log file: everything the writer needs, captured on the
/// caller's thread (formatting happens on the writer's thread).
public struct LogRecord: Sendable, Equatable {
    public var date: Date
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: Logger.Metadata

    public init(date: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata = [:]) {
        self.date = date
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }
}

/// The log file's line format:
///
///     2026-05-04T09:15:02.317Z info softphone.line: registered [registrar=sip:pbx.example]
///
/// A UTC timestamp (ISO 8601, milliseconds), the level, the logger's label, the message,
/// then the metadata sorted by key. A message of several lines (a SIP trace) continues on
/// the following lines, each indented by four spaces, so every record — and only a record —
/// starts at the beginning of a line. Control characters (an escape sequence arriving in
/// a SIP header, say) are written as `\u{1B}`, so viewing the log cannot drive a terminal.
public enum LogFormat {
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// The record as text, ending in a newline.
    public static func line(_ record: LogRecord) -> String {
        var out = timestamp.format(record.date)
        out += " "
        out += record.level.rawValue
        out += " "
        out += escaped(record.label)
        out += ": "
        // "\r\n" is one Character: split on it and on "\n" (a lone "\r" stays, escaped).
        var lines = record.message.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        let first = lines.isEmpty ? "" : lines.removeFirst()
        out += escaped(first)
        if !record.metadata.isEmpty {
            out += " ["
            out += record.metadata.sorted { $0.key < $1.key }
                .map { "\(escaped($0.key))=\(escaped($0.value.description))" }
                .joined(separator: " ")
            out += "]"
        }
        out += "\n"
        // A trailing line break (a SIP body's last CRLF) adds no empty continuation line.
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines {
            out += "    "
            out += escaped(line)
            out += "\n"
        }
        return out
    }

    /// `text` with control characters (C0 but tab, DEL, C1) written as `\u{XX}`.
    static func escaped(_ text: some StringProtocol) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return String(text) }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x09) || (v >= 0x7F && v <= 0x9F)
    }
}
