// Fuzzes the SIP codec (Sources/SIP): datagram parsing, stream framing with input-chosen
// chunk sizes, the canonical serialisation round trip, the typed header accessors, URIs in
// header values, 400 responses to broken requests, transaction keys, and the digest
// challenges and credentials (SIPAuth) in the authentication headers.
import FuzzSupport
import SIP
import SIPAuth

@_cdecl("fuzz_sip_message_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)

    // As a UDP datagram.
    do {
        let message = try SIPParser.parse(bytes)
        check(message)
    } catch {
        check(error)
    }

    // As a TCP stream arriving in input-chosen pieces; a small limit on every other input.
    var framer = SIPStreamFramer(maximumMessageSize: size % 2 == 0 ? SIPParser.defaultMaximumMessageSize : 512)
    var at = 0
    var delivered = 0
    stream: for length in chunkLengths(bytes) {
        framer.append(UnsafeBufferPointer(rebasing: bytes[at..<at + length]))
        at += length
        while true {
            do {
                guard let message = try framer.next() else { break }
                delivered += message.body.count
                check(message)
            } catch {
                check(error)
                if framer.isFailed { break stream }
            }
        }
    }
    require(delivered <= size, "framer delivered \(delivered) body bytes from \(size) input bytes")
    return 0
}

/// The header fields that survive serialisation: everything but Content-Length (regenerated
/// last from the body), by normalised name.
func semantic(_ headers: SIPHeaders) -> [String] {
    headers.fields.filter { $0.key != .contentLength }.map { $0.key.key + ": " + $0.value }
}

func startLine(_ message: SIPMessage) -> String {
    switch message {
    case .request(let r): r.requestLine
    case .response(let r): r.statusLine
    }
}

/// Everything done with a message that parsed.
func check(_ message: SIPMessage) {
    // Canonical form: parses again to the same message, and is a fixed point.
    let wire = message.bytes
    let again: SIPMessage
    do { again = try SIPParser.parse(wire) } catch {
        fatalError("serialised message does not parse: \(error)\n\(String(decoding: wire, as: UTF8.self))")
    }
    require(startLine(again) == startLine(message), "start line changed: \(startLine(message)) → \(startLine(again))")
    require(semantic(again.headers) == semantic(message.headers), "headers changed by serialisation")
    require(again.body == message.body, "body changed by serialisation")
    require(again.request?.uri == message.request?.uri, "Request-URI changed by serialisation")
    require(again.bytes == wire, "canonical form is not a fixed point")
    if let thirdTime = try? SIPParser.parse(again.bytes) { require(thirdTime == again, "reparse differs") }

    // The canonical form, framed from a stream in one piece, is the same message.
    var framer = SIPStreamFramer()
    framer.append(wire)
    do {
        let framed = try framer.next()
        require(framed == again, "stream framing of the canonical form differs from datagram parsing")
        require(framer.bufferedByteCount == 0, "bytes left over after framing the canonical form")
    } catch {
        fatalError("canonical form does not frame: \(error)")
    }

    touch(message.headers)
    checkURI(message.request?.uri)

    switch message {
    case .request(let request):
        _ = try? TransactionKey.server(receiving: request)
        _ = try? TransactionKey.client(sending: request)
        _ = request.uri.decodedUser
        // A response built for a request that parsed must parse too.
        for status in [100, 180, 200, 486] {
            let response = SIPResponse(replyingTo: request, status: status, toTag: "fuzz1")
            do { _ = try SIPParser.parse(response.bytes) } catch {
                fatalError("response \(status) to a parsed request does not parse: \(error)\n"
                           + String(decoding: response.bytes, as: UTF8.self))
            }
        }
    case .response(let response):
        _ = try? TransactionKey.client(receiving: response)
    }
}

/// Every typed accessor, and SIPURI(_:) on every value.
func touch(_ h: SIPHeaders) {
    _ = try? h.via; _ = try? h.maxForwards; _ = try? h.contentType; _ = try? h.contact; _ = h.callID
    _ = try? h.cseq; _ = try? h.contentLength; _ = try? h.expires
    if let via = try? h.topVia { _ = via.branch; _ = via.description }
    for address in [try? h.from, try? h.to, (try? h.referTo) ?? nil].compactMap({ $0 }) { checkAddress(address) }
    for list in [try? h.contacts, try? h.routes, try? h.recordRoutes] {
        for address in list ?? [] { checkAddress(address) }
    }
    for value in h.all(.wwwAuthenticate) + h.all(.proxyAuthenticate) { checkChallenge(value) }
    for value in h.all(.authorization) + h.all(.proxyAuthorization) {
        if let credentials = try? DigestAuthorization(parsing: value) { _ = credentials.headerValue }
    }
    for field in h.fields {
        checkURI(SIPURI(field.value))
        if field.key.isList {
            for element in h.values(field.key) { checkURI(SIPURI(element)) }
        }
    }
}

/// A parsed address prints as text that parses to the same address.
func checkAddress(_ address: NameAddress) {
    _ = address.tag; _ = address.expires; _ = address.q
    checkURI(address.uri)
    let text = address.description
    do {
        let again = try NameAddress(parsing: text)
        require(again == address, "name-addr changed by printing: \(text)")
    } catch {
        fatalError("printed name-addr does not parse: \(text): \(error)")
    }
}

/// A parsed URI prints as text that parses to the same URI.
func checkURI(_ uri: SIPURI?) {
    guard let uri else { return }
    _ = uri.decodedUser; _ = uri.transport; _ = uri.isLooseRouting; _ = uri.maddr
    let text = uri.description
    guard let again = SIPURI(text) else { fatalError("printed URI does not parse: \(text)") }
    require(again == uri, "URI changed by printing: \(text)")
}

/// Everything done with a parse error.
func check(_ error: SIPParseError) {
    require(!error.reason.isEmpty, "parse error without a reason")
    _ = error.description
    _ = error.canRespond
    if let response = error.badRequestResponse(toTag: "fuzz1") {
        let wire = response.bytes
        require(response.statusCode == 400 || response.statusCode == 505, "error response \(response.statusCode)")
        // The reason phrase must not break the status line.
        let statusLineEnd = wire.firstIndex(of: 0x0A) ?? wire.count
        require(!wire[..<statusLineEnd].dropLast().contains(0x0D), "CR inside the status line")
    }
}

/// A challenge from a 401/407: answered as the line answers it, the answer must be
/// credentials that parse, for that challenge.
func checkChallenge(_ value: String) {
    guard let challenge = try? DigestChallenge(parsing: value) else { return }
    do {
        let again = try DigestChallenge(parsing: challenge.headerValue)
        require(again == challenge, "challenge changed by printing: \(challenge.headerValue)")
    } catch {
        fatalError("printed challenge does not parse: \(challenge.headerValue): \(error)")
    }
    var authenticator = DigestAuthenticator(credentials: DigestCredentials(username: "1001", password: "secret"),
                                            cnonce: { "0a4f113b" })
    guard case .retry(let header) = authenticator.respond(to: challenge, method: "REGISTER", uri: "sip:pbx.example") else {
        return
    }
    do {
        let credentials = try DigestAuthorization(parsing: header)
        require(credentials.realm == challenge.realm && credentials.nonce == challenge.nonce
                && credentials.opaque == challenge.opaque && credentials.username == "1001",
                "credentials do not answer the challenge: \(header)")
    } catch {
        fatalError("our credentials do not parse: \(header): \(error)")
    }
    _ = authenticator.authorization(method: "INVITE", uri: "sip:bob@pbx.example")
}
