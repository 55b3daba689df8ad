/// The payload of an RFC 4733 telephone-event packet (section 2.3): 4 octets.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |     event     |E|R| volume    |          duration             |
/// ```
public struct TelephoneEventPayload: Sendable, Hashable {
    /// The event code; DTMF digits are 0–15 (section 3.2).
    public var event: UInt8
    /// The E bit: the event has ended.
    public var end: Bool
    /// The power level as −dBm0, 0...63.
    public var volume: UInt8
    /// The event's duration so far, in RTP timestamp units, from the packet's timestamp.
    public var duration: UInt16

    /// The length on the wire.
    public static let length = 4

    /// Creates a payload; `volume` is cut to 6 bits.
    public init(event: UInt8, end: Bool, volume: UInt8, duration: UInt16) {
        self.event = event
        self.end = end
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Reads the first event of a payload; `nil` if it is shorter than 4 octets.
    /// (Several events in one payload, RFC 4733 section 2.5.1.5, are not used for DTMF.)
    public init?(parsing bytes: some Collection<UInt8>) {
        guard bytes.count >= Self.length else { return nil }
        let b = Array(bytes.prefix(Self.length))
        self.init(event: b[0], end: b[1] & 0x80 != 0, volume: b[1] & 0x3F, duration: UInt16(b[2]) << 8 | UInt16(b[3]))
    }

    /// The 4 octets on the wire (the R bit is zero).
    public var bytes: [UInt8] {
        [event, (end ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }
}

/// The DTMF events of RFC 4733 section 3.2: `0`–`9` are events 0–9, `*` 10, `#` 11, `A`–`D` 12–15.
public enum DTMFEvent {
    /// The event code of a DTMF character, or `nil` if it is not one.
    public static func code(of character: Character) -> UInt8? {
        switch character {
        case "0"..."9": character.asciiValue.map { $0 - 48 }
        case "*": 10
        case "#": 11
        case "A"..."D": character.asciiValue.map { $0 - 65 + 12 }
        case "a"..."d": character.asciiValue.map { $0 - 97 + 12 }
        default: nil
        }
    }

    /// The character of a DTMF event code, or `nil` for other events.
    public static func character(of code: UInt8) -> Character? {
        switch code {
        case 0...9: Character(Unicode.Scalar(48 + code))
        case 10: "*"
        case 11: "#"
        case 12...15: Character(Unicode.Scalar(65 + code - 12))
        default: nil
        }
    }
}
