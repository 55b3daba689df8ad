import SIP

/// One SIP message crossing the transport, whole, for `--trace-sip`: what the transport
/// received (before any parsing or Via stamping — bytes that did not parse included, with
/// a note) or sent.
public struct SIPTraceEvent: Sendable, Hashable {
    /// Which way the message went.
    public enum Direction: String, Sendable, Hashable {
        case received, sent
    }

    public var direction: Direction
    public var transport: SIPTransportKind
    /// This side's address.
    public var local: SIPEndpoint
    /// The peer's address.
    public var remote: SIPEndpoint
    /// The message as it was on the wire.
    public var bytes: [UInt8]
    /// Why the bytes are not a message (a parse or framing error); nil for a message.
    public var note: String?

    public init(direction: Direction, transport: SIPTransportKind, local: SIPEndpoint, remote: SIPEndpoint,
                bytes: [UInt8], note: String? = nil) {
        self.direction = direction
        self.transport = transport
        self.local = local
        self.remote = remote
        self.bytes = bytes
        self.note = note
    }

    /// One line: `received UDP 127.0.0.1:5060 <- 192.0.2.7:5062 (412 bytes)`, with the note
    /// when the bytes did not parse.
    public var summary: String {
        let arrow = direction == .received ? "<-" : "->"
        var text = "\(direction.rawValue) \(transport.viaToken) \(local) \(arrow) \(remote) (\(bytes.count) bytes"
        if let note { text += "; \(note)" }
        return text + ")"
    }

    /// The bytes as text: valid UTF-8 as it is; otherwise printable ASCII, CR, LF and tab as
    /// they are and every other byte as `\xNN`.
    public var text: String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var out = ""
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            if (0x20...0x7E).contains(byte) || byte == 0x0D || byte == 0x0A || byte == 0x09 {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += byte < 0x10 ? "\\x0\(hex)" : "\\x\(hex)"
            }
        }
        return out
    }
}

/// Receives every message a transport sends or receives, on its event loop. Keep it quick
/// (hand the event to a log); nil — the default — costs nothing.
public typealias SIPTracer = @Sendable (SIPTraceEvent) -> Void
