import SIP

/// The session timer of one call (RFC 4028): how long the session lives without a refresh,
/// and which side refreshes it. The refresher sends a re-INVITE or UPDATE at half the
/// interval; the other side ends the call with a BYE when no refresh came by
/// expiry − min(32 s, interval/3) (§10).
struct SessionTimer: Sendable, Equatable {
    /// Which side of the dialog refreshes.
    enum Refresher: Sendable, Equatable {
        case local
        case remote
    }

    /// The session interval in seconds (Session-Expires).
    var interval: UInt32
    var refresher: Refresher

    /// The smallest interval the line accepts (RFC 4028 §5: Min-SE is at least 90 s).
    static let minimum: UInt32 = 90
    /// The interval the line asks for in its own INVITEs (RFC 4028's recommended 1800 s).
    static let requested: UInt32 = 1800

    /// When the refresher sends its refresh: half the interval.
    var refreshAfter: Duration { .seconds(Int64(interval) / 2) }

    /// When the session is over without a refresh: the interval minus min(32 s, interval/3).
    var expiryAfter: Duration {
        let seconds = Int64(interval)
        return .seconds(seconds - min(32, seconds / 3))
    }

    /// The timer a request or response settles, from its Session-Expires and the role of the
    /// side that sent the request: `requestIsOurs` when we sent it (we are its UAC).
    /// `peerSupportsTimer` is whether the other side said `Supported: timer` — with no
    /// `refresher` parameter, the UAC refreshes when it can (RFC 4028 §9), else the UAS.
    static func settled(_ expires: SessionExpires, requestIsOurs: Bool, uacSupportsTimer: Bool) -> SessionTimer {
        let uacRefreshes: Bool
        switch expires.refresher {
        case .uac?: uacRefreshes = true
        case .uas?: uacRefreshes = false
        case nil: uacRefreshes = uacSupportsTimer
        }
        return SessionTimer(interval: expires.seconds,
                            refresher: uacRefreshes == requestIsOurs ? .local : .remote)
    }
}

/// A `Session-Expires` value (RFC 4028 §4): `delta-seconds [;refresher=uac|uas]`.
struct SessionExpires: Sendable, Equatable, CustomStringConvertible {
    enum Role: String, Sendable, Equatable {
        case uac
        case uas
    }

    var seconds: UInt32
    var refresher: Role?

    init(seconds: UInt32, refresher: Role? = nil) {
        self.seconds = seconds
        self.refresher = refresher
    }

    /// Parses a value; nil when it is not one (no number, a number too large, a bad refresher).
    init?(parsing text: String) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        guard let seconds = parts.first.flatMap({ Self.deltaSeconds($0) }) else { return nil }
        self.seconds = seconds
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { trimmed($0) }
            guard pair.first?.lowercased() == "refresher" else { continue }  // other se-params are ignored
            guard pair.count == 2, let role = Role(rawValue: pair[1].lowercased()) else { return nil }
            refresher = role
        }
    }

    var description: String { refresher.map { "\(seconds);refresher=\($0.rawValue)" } ?? "\(seconds)" }

    /// `1*DIGIT` as a 32-bit number; nil for anything else.
    static func deltaSeconds(_ text: Substring) -> UInt32? {
        let digits = trimmed(text)
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return UInt32(digits)
    }

    /// What a message says: nil without the header, `.failure` when it is malformed.
    static func of(_ headers: SIPHeaders) -> Result<SessionExpires?, MalformedHeader> {
        guard let value = headers.first(.sessionExpires) else { return .success(nil) }
        guard let parsed = SessionExpires(parsing: value) else { return .failure(MalformedHeader(name: "Session-Expires")) }
        return .success(parsed)
    }

    /// The `Min-SE` of a message (RFC 4028 §5); nil when absent or malformed.
    static func minimum(_ headers: SIPHeaders) -> UInt32? {
        headers.first(HeaderName("min-se")).flatMap { value in
            value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
                .flatMap { deltaSeconds($0) }
        }
    }
}

/// A header the line needs that does not parse.
struct MalformedHeader: Error, Sendable, Equatable {
    var name: String
}

/// The option tags of `Supported`, `Require` and friends, lowercased.
func optionTags(_ headers: SIPHeaders, _ name: HeaderName) -> Set<String> {
    Set(headers.values(name).map { trimmed($0[...]).lowercased() }.filter { !$0.isEmpty })
}

/// Whether an `Allow` lists a method.
func allows(_ headers: SIPHeaders, _ method: SIPMethod) -> Bool {
    headers.values(.allow).contains { trimmed($0[...]).uppercased() == method.rawValue }
}

/// `RAck: response-num CSeq-num Method` (RFC 3262 §7.2).
struct ReliableAck: Sendable, Equatable {
    var rseq: UInt32
    var sequence: UInt32
    var method: String

    init?(parsing text: String) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 3, let rseq = SessionExpires.deltaSeconds(parts[0]),
              let sequence = SessionExpires.deltaSeconds(parts[1]) else { return nil }
        self.rseq = rseq
        self.sequence = sequence
        method = parts[2].uppercased()
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Text without the spaces and tabs around it.
func trimmed(_ text: Substring) -> String {
    String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
}
