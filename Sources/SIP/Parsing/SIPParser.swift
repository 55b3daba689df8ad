/// Parses SIP messages from bytes (RFC 3261 §7, §18.3).
///
/// Beyond splitting the message, the parser validates what every element needs before it
/// can process a message or answer it: the start line and version, the Request-URI, the
/// presence and syntax of Via, From, To, Call-ID and CSeq, Max-Forwards, Contact,
/// Content-Length, single-valued headers appearing once, and the CSeq method matching the
/// request method. Errors on requests carry a `partialRequest` when a `400` can be built.
public enum SIPParser {
    /// The largest message accepted, in bytes (datagrams and stream messages alike).
    public static let defaultMaximumMessageSize = 64 * 1024

    /// Parses one datagram (UDP). Content-Length, when present, must not exceed the bytes
    /// after the header block; extra bytes beyond it are ignored (RFC 3261 §18.3). Without
    /// Content-Length the body is the rest of the datagram. Leading CRLFs are skipped.
    public static func parse(_ bytes: some Collection<UInt8>) throws(SIPParseError) -> SIPMessage {
        let result: Result<SIPMessage, SIPParseError>? = bytes.withContiguousStorageIfAvailable { buf in
            do throws(SIPParseError) { return .success(try parseDatagram(buf)) } catch { return .failure(error) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        let copied: Result<SIPMessage, SIPParseError> = copy.withUnsafeBufferPointer { buf in
            do throws(SIPParseError) { return .success(try parseDatagram(buf)) } catch { return .failure(error) }
        }
        return try copied.get()
    }

    static func parseDatagram(_ buf: UnsafeBufferPointer<UInt8>) throws(SIPParseError) -> SIPMessage {
        guard buf.count <= defaultMaximumMessageSize else {
            throw SIPParseError(.messageTooLarge, "datagram of \(buf.count) bytes exceeds \(defaultMaximumMessageSize)")
        }
        var start = 0
        while start < buf.count, buf[start] == 0x0D || buf[start] == 0x0A { start += 1 }
        guard start < buf.count else { throw SIPParseError(.incomplete, "empty datagram") }
        guard let head = try MessageHead.split(buf, start: start) else {
            throw SIPParseError(.incomplete, "message ends before the blank line that ends the header block")
        }
        let available = buf.count - head.bodyStart
        let bodyEnd: Int
        do throws(SIPParseError) {
            if let length = try head.headers.contentLength {
                guard length <= available else {
                    throw SIPParseError(.invalidContentLength,
                                        "Content-Length \(length) is larger than the \(available) bytes received",
                                        header: "content-length")
                }
                bodyEnd = head.bodyStart + length
            } else {
                bodyEnd = buf.count
            }
        } catch {
            throw error.attaching(head)
        }
        let body = Array(UnsafeBufferPointer(rebasing: buf[head.bodyStart..<bodyEnd]))
        return try build(head, body: body)
    }

    /// Validates a split head and assembles the message.
    static func build(_ head: MessageHead, body: [UInt8]) throws(SIPParseError) -> SIPMessage {
        do throws(SIPParseError) {
            guard let line = head.startLine else {
                throw SIPParseError(.malformedStartLine, head.startLineProblem ?? "malformed start line")
            }
            switch line {
            case .request(let methodText, let uriText, let version):
                try checkVersion(version)
                guard !methodText.isEmpty, methodText.utf8.allSatisfy(ByteClass.isToken) else {
                    throw SIPParseError(.malformedStartLine, "method is not a token: '\(methodText)'")
                }
                let method = SIPMethod(methodText)
                let uri: SIPURI
                do { uri = try SIPURI(parsing: uriText) } catch {
                    throw SIPParseError(.invalidURI, "Request-URI: " + error.reason)
                }
                if !uri.headers.isEmpty {
                    throw SIPParseError(.invalidURI, "Request-URI must not contain headers")
                }
                let cseq = try validateCommon(head.headers)
                guard cseq.method == method else {
                    throw SIPParseError(.methodMismatch,
                                        "CSeq method \(cseq.method) does not match request method \(method)",
                                        header: "cseq")
                }
                if try head.headers.maxForwards == nil { /* optional: RFC 2543 peers omit it */ }
                return .request(SIPRequest(method: method, uri: uri, headers: head.headers, body: body))
            case .response(let version, let codeText, let reason):
                try checkVersion(version)
                guard codeText.utf8.count == 3, let code = parseDecimal(codeText, limit: 699), code >= 100 else {
                    throw SIPParseError(.malformedStartLine, "status code must be three digits 100–699: '\(codeText.prefix(20))'")
                }
                _ = try validateCommon(head.headers)
                return .response(SIPResponse(statusCode: Int(code), reasonPhrase: reason, headers: head.headers, body: body))
            }
        } catch {
            throw error.attaching(head)
        }
    }

    static func checkVersion(_ version: String) throws(SIPParseError) {
        if version == "SIP/2.0" { return }
        if version.asciiCaseInsensitiveEquals("SIP/2.0") { return }
        if version.utf8.count > 4, String(version.prefix(4)).asciiCaseInsensitiveEquals("SIP/") {
            throw SIPParseError(.unsupportedVersion, "unsupported version '\(version.prefix(20))'")
        }
        throw SIPParseError(.malformedStartLine, "missing SIP version")
    }

    /// Checks the headers every message must carry; returns the CSeq.
    static func validateCommon(_ h: SIPHeaders) throws(SIPParseError) -> CSeq {
        var vias = 0, froms = 0, tos = 0, callIDs = 0, cseqs = 0, maxFwd = 0, clen = 0, ctype = 0
        for f in h.fields where f.key.id != 0 {
            let k = f.key
            if k == .via { vias += 1 }
            else if k == .from { froms += 1 }
            else if k == .to { tos += 1 }
            else if k == .callID { callIDs += 1 }
            else if k == .cseq { cseqs += 1 }
            else if k == .maxForwards { maxFwd += 1 }
            else if k == .contentLength { clen += 1 }
            else if k == .contentType { ctype += 1 }
        }
        func missing(_ name: String) -> SIPParseError { SIPParseError(.missingHeader, "missing required header", header: name) }
        func duplicate(_ name: String) -> SIPParseError { SIPParseError(.duplicateHeader, "header must appear only once", header: name) }
        if vias == 0 { throw missing("via") }
        if froms == 0 { throw missing("from") }
        if tos == 0 { throw missing("to") }
        if callIDs == 0 { throw missing("call-id") }
        if cseqs == 0 { throw missing("cseq") }
        if froms > 1 { throw duplicate("from") }
        if tos > 1 { throw duplicate("to") }
        if callIDs > 1 { throw duplicate("call-id") }
        if cseqs > 1 { throw duplicate("cseq") }
        if maxFwd > 1 { throw duplicate("max-forwards") }
        if clen > 1 { throw duplicate("content-length") }
        if ctype > 1 { throw duplicate("content-type") }

        for f in h.fields where f.key == .via { _ = try Via.parseList(f.value, build: false) }
        try NameAddress.validate(try h.singleValue(.from, "from"), header: "from")
        try NameAddress.validate(try h.singleValue(.to, "to"), header: "to")
        guard let callID = h.callID, !callID.isEmpty else {
            throw SIPParseError(.malformedHeader, "Call-ID must be a non-empty word", header: "call-id")
        }
        let cseq = try h.cseq
        _ = try h.maxForwards
        var contacts = 0, wildcard = false
        for f in h.fields where f.key == .contact {
            contacts += 1
            if f.value == "*" { wildcard = true } else {
                _ = try NameAddress.parseList(f.value, header: "contact", build: false)
            }
        }
        if wildcard && contacts > 1 {
            throw SIPParseError(.malformedHeader, "'*' mixed with other contacts", header: "contact")
        }
        return cseq
    }
}

extension SIPParseError {
    /// Adds the partial request (when the message is a request) to an error.
    func attaching(_ head: MessageHead) -> SIPParseError {
        var e = self
        if e.partialRequest == nil, let method = head.requestMethod {
            e.partialRequest = PartialRequest(method: method, requestURI: head.requestURIText, headers: head.headers)
        }
        return e
    }
}

extension MessageHead {
    /// The request method, when the start line looks like a request (its first word is a token).
    var requestMethod: SIPMethod? {
        if case .request(let m, _, _)? = startLine {
            return m.utf8.allSatisfy(ByteClass.isToken) ? SIPMethod(m) : nil
        }
        if startLine == nil, !firstWord.isEmpty, firstWord.utf8.allSatisfy(ByteClass.isToken) {
            return SIPMethod(firstWord)
        }
        return nil
    }

    /// The Request-URI text (or the middle of an unsplittable request line).
    var requestURIText: String {
        if case .request(_, let u, _)? = startLine { return u }
        var words = rawStartLine.split(separator: " ")
        if words.count >= 3 { words.removeFirst(); words.removeLast(); return words.joined(separator: " ") }
        return ""
    }
}
