import FoundationEssentials

/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>...]`: an SDES key for SRTP
/// (RFC 4568 section 9.1), e.g. `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4`.
///
/// The key in an offer's `a=crypto` is the one its writer sends with; the answer's (same tag)
/// the one the answerer sends with. Only `inline:` keys exist (RFC 4568 section 6.1).
public struct CryptoAttribute: Sendable, Equatable {
    /// The one suite the line speaks (RFC 4568 section 6.2.1): AES counter mode, 128-bit key,
    /// HMAC-SHA1 with an 80-bit tag; its master key and salt are 30 octets (16 + 14).
    public static let aesCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
    /// The length of an AES_CM_128_HMAC_SHA1_80 master key and salt, in octets.
    public static let masterKeyLength = 30

    /// 1 to 9 digits; the answer repeats the tag of the offer's line it accepts.
    public var tag: UInt32
    /// e.g. `AES_CM_128_HMAC_SHA1_80`.
    public var suite: String
    /// The key parameters (`;`-separated in the line), at least one.
    public var keys: [SDESKey]
    /// Session parameters such as `UNENCRYPTED_SRTP` or `KDR=1`, kept as written.
    public var sessionParameters: [String]

    public init(tag: UInt32, suite: String = Self.aesCM128HMACSHA1_80, keys: [SDESKey], sessionParameters: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keys = keys
        self.sessionParameters = sessionParameters
    }

    /// An AES_CM_128_HMAC_SHA1_80 line with one inline master key and salt.
    public init(tag: UInt32, masterKey: [UInt8]) {
        self.init(tag: tag, keys: [SDESKey(keySalt: masterKey)])
    }

    /// Parses the text after `a=crypto:`; nil when it is not a well-formed crypto attribute
    /// (the line is then kept as an unknown attribute and never used).
    public init?(parsing value: String) {
        let fields = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 3, (1...9).contains(fields[0].utf8.count),
              fields[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let tag = UInt32(fields[0]),
              !fields[1].isEmpty else { return nil }
        var keys: [SDESKey] = []
        for parameter in fields[2].split(separator: ";", omittingEmptySubsequences: false) {
            guard let key = SDESKey(parsing: parameter) else { return nil }
            keys.append(key)
        }
        self.init(tag: tag, suite: fields[1], keys: keys, sessionParameters: Array(fields.dropFirst(3)))
    }

    /// The text after `a=crypto:`.
    public var text: String {
        ([String(tag), suite, keys.map(\.text).joined(separator: ";")] + sessionParameters).joined(separator: " ")
    }

    /// The master key and salt, when this line is one the line can use: AES_CM_128_HMAC_SHA1_80,
    /// exactly one inline key of 30 octets, no MKI and no session parameters (whose meaning we
    /// would otherwise ignore, RFC 4568 section 6.3). nil otherwise.
    public var supportedMasterKey: [UInt8]? {
        guard suite == Self.aesCM128HMACSHA1_80, sessionParameters.isEmpty, keys.count == 1,
              let key = keys.first, key.mki == nil, key.keySalt.count == Self.masterKeyLength else { return nil }
        return key.keySalt
    }
}

/// One key parameter, `inline:<key||salt base64>[|<lifetime>][|<MKI>:<length>]` (RFC 4568 section 6.1).
public struct SDESKey: Sendable, Equatable {
    /// The concatenated master key and salt, decoded.
    public var keySalt: [UInt8]
    /// The master key lifetime as written (`2^31`, `1048576`), if given.
    public var lifetime: String?
    /// `<MKI value>:<MKI length>` as written, if given.
    public var mki: String?

    public init(keySalt: [UInt8], lifetime: String? = nil, mki: String? = nil) {
        self.keySalt = keySalt
        self.lifetime = lifetime
        self.mki = mki
    }

    init?(parsing text: some StringProtocol) {
        guard text.hasPrefix("inline:") else { return nil }
        let parts = text.dropFirst("inline:".count).split(separator: "|", omittingEmptySubsequences: false)
        guard let encoded = parts.first, !encoded.isEmpty, parts.count <= 3,
              let decoded = Data(base64Encoded: String(encoded)), !decoded.isEmpty else { return nil }
        var lifetime: String?
        var mki: String?
        for part in parts.dropFirst() {
            guard !part.isEmpty else { return nil }
            if part.contains(":") {
                guard mki == nil else { return nil }
                mki = String(part)
            } else {
                guard lifetime == nil, mki == nil else { return nil }
                lifetime = String(part)
            }
        }
        self.init(keySalt: Array(decoded), lifetime: lifetime, mki: mki)
    }

    /// The key parameter as written in the line.
    public var text: String {
        var text = "inline:" + Data(keySalt).base64EncodedString()
        if let lifetime { text += "|\(lifetime)" }
        if let mki { text += "|\(mki)" }
        return text
    }
}

extension SDESKey: CustomStringConvertible {
    /// Never the key itself.
    public var description: String { "SDESKey(\(keySalt.count) octets, hidden)" }
}

extension MediaDescription {
    /// The RTP profile of a plain audio stream.
    public static let plainProfile = "RTP/AVP"
    /// The RTP profile of an SRTP stream (RFC 3711 section 12).
    public static let secureProfile = "RTP/SAVP"

    /// Whether the stream is over RTP/SAVP.
    public var isSecureProfile: Bool { proto.uppercased() == Self.secureProfile }
    /// Whether the stream is RTP audio the line can carry: RTP/AVP or RTP/SAVP.
    public var isRTPProfile: Bool { proto.uppercased() == Self.plainProfile || isSecureProfile }

    /// The well-formed `a=crypto` lines.
    public var cryptos: [CryptoAttribute] {
        attributes.compactMap { if case .crypto(let crypto) = $0 { crypto } else { nil } }
    }

    /// The first `a=crypto` line the line can use (see ``CryptoAttribute/supportedMasterKey``).
    public var supportedCrypto: CryptoAttribute? {
        cryptos.first { $0.supportedMasterKey != nil }
    }
}
