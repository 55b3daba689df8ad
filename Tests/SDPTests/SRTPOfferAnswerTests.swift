import Testing
@testable import SDP

@Suite("SDES crypto attributes (RFC 4568) and SRTP in offer/answer")
struct SRTPOfferAnswerTests {
    /// 30 octets whose base64 is `AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd`.
    static let theirKey: [UInt8] = Array(0..<30)
    static let ourKey: [UInt8] = Array(repeating: 0xa5, count: 30)
    static let theirInline = "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

    func description(_ media: String) throws -> SessionDescription {
        try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
                               + media.split(separator: "\n").joined(separator: "\r\n") + "\r\n")
    }

    func answer(_ media: String, _ encryption: AnswerEncryption) throws -> SessionDescription {
        try OfferAnswer.answer(offer: description(media), localAddress: "192.0.2.50", localPort: 7078, sessionID: 5,
                               version: 1, supported: [.pcmu], encryption: encryption)
    }

    @Test("a=crypto parses into tag, suite, inline key (decoded), lifetime, MKI and session parameters; and writes back")
    func parseAndSerialise() throws {
        let line = "1 AES_CM_128_HMAC_SHA1_80 \(Self.theirInline)|2^20|1:4 KDR=1"
        let crypto = try #require(CryptoAttribute(parsing: line))
        #expect(crypto.tag == 1)
        #expect(crypto.suite == "AES_CM_128_HMAC_SHA1_80")
        #expect(crypto.keys == [SDESKey(keySalt: Self.theirKey, lifetime: "2^20", mki: "1:4")])
        #expect(crypto.sessionParameters == ["KDR=1"])
        #expect(crypto.text == line)
        #expect(crypto.supportedMasterKey == nil)  // MKI and session parameters: not for us
        let plain = try #require(CryptoAttribute(parsing: "7 AES_CM_128_HMAC_SHA1_80 \(Self.theirInline)"))
        #expect(plain.supportedMasterKey == Self.theirKey)
        #expect(CryptoAttribute(tag: 7, masterKey: Self.theirKey) == plain)

        let sdp = try description("m=audio 4000 RTP/SAVP 0\na=crypto:\(line)\na=crypto:2 AES_CM_128_HMAC_SHA1_80 \(Self.theirInline)")
        #expect(sdp.media[0].cryptos.count == 2)
        #expect(sdp.media[0].supportedCrypto?.tag == 2)
        #expect(try SessionDescription(parsing: sdp.text) == sdp)
        #expect(sdp.text.contains("a=crypto:\(line)\r\n"))
    }

    @Test("malformed a=crypto lines never fail the description nor crash: they stay unknown attributes, unused",
          arguments: [
              "", "1", "1 AES_CM_128_HMAC_SHA1_80", "x AES_CM_128_HMAC_SHA1_80 inline:AAAA",
              "1234567890 AES_CM_128_HMAC_SHA1_80 inline:AAAA", "1 AES_CM_128_HMAC_SHA1_80 inline:",
              "1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", "1 AES_CM_128_HMAC_SHA1_80 key:AAAA",
              "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA|", "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA|1:4|2^20",
              "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA|a|b|c", "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA;",
              "-1 AES_CM_128_HMAC_SHA1_80 inline:AAAA", "1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQ=\u{0}",
          ])
    func malformed(_ value: String) throws {
        #expect(CryptoAttribute(parsing: value) == nil)
        let sdp = try description("m=audio 4000 RTP/SAVP 0\na=crypto:\(value)")
        #expect(sdp.media[0].cryptos.isEmpty)
        #expect(sdp.media[0].supportedCrypto == nil)
    }

    @Test("keys of the wrong length and other suites are parsed but not usable")
    func unusable() {
        let short = CryptoAttribute(parsing: "1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODw==")
        #expect(short?.keys.first?.keySalt.count == 16)
        #expect(short?.supportedMasterKey == nil)
        let other = CryptoAttribute(parsing: "1 AES_CM_128_HMAC_SHA1_32 \(Self.theirInline)")
        #expect(other?.supportedMasterKey == nil)
        #expect(SDESKey(keySalt: Self.theirKey).description.contains("hidden"))
    }

    @Test("offer: RTP/SAVP or RTP/AVP with our a=crypto; negotiatedAudio reads the crypto of either profile")
    func offer() throws {
        let crypto = CryptoAttribute(tag: 1, masterKey: Self.ourKey)
        let mandatory = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 1, version: 1,
                                          crypto: crypto, proto: MediaDescription.secureProfile)
        #expect(mandatory.media[0].proto == "RTP/SAVP")
        #expect(mandatory.media[0].cryptos == [crypto])
        #expect(mandatory.negotiatedAudio()?.crypto == crypto)
        let bestEffort = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 1, version: 1, crypto: crypto)
        #expect(bestEffort.media[0].proto == "RTP/AVP")
        #expect(bestEffort.negotiatedAudio()?.crypto == crypto)
        let plain = OfferAnswer.offer(localAddress: "192.0.2.50", localPort: 7078, sessionID: 1, version: 1)
        #expect(plain.media[0].cryptos.isEmpty)
        // A hold re-offer keeps the key.
        #expect(OfferAnswer.holdOffer(mandatory).media[0].cryptos == [crypto])
    }

    /// The policy table: what each answer rule does with each kind of offer.
    @Test("answer policy: off / optional / mandatory against SAVP+crypto, AVP+crypto, AVP, SAVP without a usable key")
    func policyTable() throws {
        let savpCrypto = "m=audio 4000 RTP/SAVP 0\na=crypto:3 AES_CM_128_HMAC_SHA1_32 \(Self.theirInline)\na=crypto:4 AES_CM_128_HMAC_SHA1_80 \(Self.theirInline)"
        let avpCrypto = "m=audio 4000 RTP/AVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 \(Self.theirInline)"
        let avp = "m=audio 4000 RTP/AVP 0"
        let savpNoKey = "m=audio 4000 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_32 \(Self.theirInline)"
        let optional = AnswerEncryption.accept(key: Self.ourKey)
        let mandatory = AnswerEncryption.require(key: Self.ourKey)
        let ours = CryptoAttribute(tag: 4, masterKey: Self.ourKey)

        // off
        #expect(throws: OfferAnswerError.encryptionUnsupported) { try answer(savpCrypto, .refuse) }
        let offAVPCrypto = try answer(avpCrypto, .refuse)
        #expect(offAVPCrypto.media[0].proto == "RTP/AVP" && offAVPCrypto.media[0].cryptos.isEmpty)
        #expect(try answer(avp, .refuse).media[0].cryptos.isEmpty)
        // optional
        let optionalSAVP = try answer(savpCrypto, optional)
        #expect(optionalSAVP.media[0].proto == "RTP/SAVP")
        #expect(optionalSAVP.media[0].cryptos == [ours])  // the tag of the suite we use, our key
        let optionalAVP = try answer(avpCrypto, optional)
        #expect(optionalAVP.media[0].proto == "RTP/AVP")
        #expect(optionalAVP.media[0].cryptos == [CryptoAttribute(tag: 1, masterKey: Self.ourKey)])
        #expect(try answer(avp, optional).media[0].cryptos.isEmpty)
        #expect(throws: OfferAnswerError.encryptionUnsupported) { try answer(savpNoKey, optional) }
        // mandatory
        #expect(try answer(savpCrypto, mandatory).media[0].cryptos == [ours])
        #expect(try answer(avpCrypto, mandatory).media[0].cryptos.count == 1)
        #expect(throws: OfferAnswerError.encryptionRequired) { try answer(avp, mandatory) }
        #expect(throws: OfferAnswerError.encryptionRequired) { try answer(savpNoKey, mandatory) }
        // A codec problem is still a codec problem.
        #expect(throws: OfferAnswerError.noCommonCodec(offered: ["18"])) { try answer("m=audio 4000 RTP/AVP 18", mandatory) }
    }

    @Test("a plain stream after an SRTP one we cannot use is taken when the policy allows it")
    func fallsBackToLaterStream() throws {
        let offer = "m=audio 4000 RTP/SAVP 0\na=crypto:1 AES_256_CM_HMAC_SHA1_80 \(Self.theirInline)\nm=audio 4002 RTP/AVP 0"
        let a = try answer(offer, .accept(key: Self.ourKey))
        #expect(a.media[0].port == 0)
        #expect(a.media[1].port == 7078 && a.media[1].cryptos.isEmpty)
        #expect(throws: OfferAnswerError.encryptionRequired) { try answer(offer, .require(key: Self.ourKey)) }
    }
}
