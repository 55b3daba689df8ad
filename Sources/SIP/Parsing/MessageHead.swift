/// The start line and header block of a message, split but not yet validated.
struct MessageHead {
    enum StartLine {
        case request(method: String, uri: String, version: String)
        case response(version: String, code: String, reason: String)
    }

    /// The start line pieces, or nil when the line could not be split.
    var startLine: StartLine?
    /// Why the start line could not be split, when it could not.
    var startLineProblem: String?
    /// The first word of the start line (a method for requests).
    var firstWord: String
    /// The raw start line, kept only when it could not be split (for error reporting).
    var rawStartLine: String
    /// The header fields.
    var headers: SIPHeaders
    /// Offset of the first body byte in the buffer.
    var bodyStart: Int

    /// Splits the head of a message that starts at `start` in `buf`. Returns nil when the
    /// blank line ending the header block is not in the buffer yet.
    static func split(_ buf: UnsafeBufferPointer<UInt8>, start: Int) throws(SIPParseError) -> MessageHead? {
        let n = buf.count
        var i = start
        // Start line.
        guard let lf = findLF(buf, from: i) else { return nil }
        var lineEnd = lf
        if lineEnd > i, buf[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        var head = splitStartLine(buf, i..<lineEnd)
        if containsCR(buf, i..<lineEnd) {
            // A CR only ends a line: a bare one would not survive serialisation.
            head.startLine = nil
            head.startLineProblem = "bare CR in the start line"
        }
        i = lf + 1

        // Header lines.
        var fields: [SIPHeader] = []
        fields.reserveCapacity(16)
        var nameRange = 0..<0
        var valueStart = 0, valueEnd = 0
        var folded: [UInt8]? = nil
        var haveField = false

        func commit() {
            let nameBuf = UnsafeBufferPointer(rebasing: buf[nameRange])
            let key = HeaderName(bytes: nameBuf)
            let value: String
            if var extra = folded {
                while let last = extra.last, ByteClass.isWSP(last) { extra.removeLast() }
                value = String(decoding: extra, as: UTF8.self)
            } else {
                value = String(buf, valueStart..<valueEnd)
            }
            fields.append(SIPHeader(name: KnownHeaders.name(nameBuf, key: key), value: value, key: key))
        }

        while true {
            guard i < n else { return nil }
            guard let lf = findLF(buf, from: i) else { return nil }
            var e = lf
            if e > i, buf[e - 1] == 0x0D { e -= 1 }
            if e == i {
                // Blank line: end of headers.
                if haveField { commit() }
                head.headers = SIPHeaders(fields)
                head.bodyStart = lf + 1
                return head
            }
            if containsCR(buf, i..<e) {
                // A CR only ends a line (RFC 3261 §7.3.1): a bare one inside a value would
                // not survive serialisation, and other elements may take it for a line end.
                if haveField && !ByteClass.isWSP(buf[i]) { commit() }
                throw SIPParseError(.malformedHeader, "bare CR in a header line", partialHeaders: SIPHeaders(fields), head: head)
            }
            if ByteClass.isWSP(buf[i]) {
                // Continuation (LWS folding): the CRLF and leading whitespace become one SP.
                guard haveField else {
                    throw SIPParseError(.malformedHeader, "continuation line before any header")
                }
                var s = i
                while s < e, ByteClass.isWSP(buf[s]) { s += 1 }
                var t = e
                while t > s, ByteClass.isWSP(buf[t - 1]) { t -= 1 }
                var joined = folded ?? Array(UnsafeBufferPointer(rebasing: buf[valueStart..<valueEnd]))
                if s < t {
                    if !joined.isEmpty { joined.append(0x20) }
                    joined.append(contentsOf: UnsafeBufferPointer(rebasing: buf[s..<t]))
                }
                folded = joined
                i = lf + 1
                continue
            }
            if haveField { commit() }
            // name *(SP/HT) ":" value
            var c = i
            while c < e, ByteClass.isToken(buf[c]) { c += 1 }
            let nameEnd = c
            while c < e, ByteClass.isWSP(buf[c]) { c += 1 }
            guard nameEnd > i, c < e, buf[c] == UInt8(ascii: ":") else {
                let line = String(buf, i..<min(e, i + 60))
                throw SIPParseError(.malformedHeader, "malformed header line: '\(line)'", partialHeaders: SIPHeaders(fields), head: head)
            }
            c += 1
            while c < e, ByteClass.isWSP(buf[c]) { c += 1 }
            var t = e
            while t > c, ByteClass.isWSP(buf[t - 1]) { t -= 1 }
            nameRange = i..<nameEnd
            valueStart = c
            valueEnd = t
            folded = nil
            haveField = true
            i = lf + 1
        }
    }

    @inline(__always)
    static func containsCR(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        var j = r.lowerBound
        while j < r.upperBound {
            if buf[j] == 0x0D { return true }
            j += 1
        }
        return false
    }

    @inline(__always)
    static func findLF(_ buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var j = from
        let n = buf.count
        while j < n {
            if buf[j] == 0x0A { return j }
            j += 1
        }
        return nil
    }

    /// Splits a start line. Runs of SP between elements and trailing SP are tolerated
    /// (RFC 4475 §3.1.2.9/3.1.2.10 allow this leniency); tabs are not separators.
    static func splitStartLine(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> MessageHead {
        var head = MessageHead(startLine: nil, startLineProblem: nil, firstWord: "", rawStartLine: "",
                               headers: SIPHeaders(), bodyStart: 0)
        var words: [Range<Int>] = []
        var i = r.lowerBound
        let isResponse = r.count >= 4 && ByteClass.lower(buf[i]) == UInt8(ascii: "s")
            && ByteClass.lower(buf[i + 1]) == UInt8(ascii: "i") && ByteClass.lower(buf[i + 2]) == UInt8(ascii: "p")
            && buf[i + 3] == UInt8(ascii: "/")
        while i < r.upperBound {
            while i < r.upperBound, buf[i] == 0x20 { i += 1 }
            guard i < r.upperBound else { break }
            let s = i
            while i < r.upperBound, buf[i] != 0x20 { i += 1 }
            words.append(s..<i)
            if isResponse && words.count == 2 {
                // The reason phrase is the rest of the line and may contain spaces.
                var rs = i
                if rs < r.upperBound { rs += 1 }
                var re = r.upperBound
                while re > rs, buf[re - 1] == 0x20 { re -= 1 }
                head.firstWord = String(buf, words[0])
                head.startLine = .response(version: String(buf, words[0]), code: String(buf, words[1]),
                                           reason: String(buf, rs..<max(rs, re)))
                return head
            }
        }
        head.firstWord = words.first.map { String(buf, $0) } ?? ""
        if isResponse || words.count != 3 { head.rawStartLine = String(buf, r) }
        if isResponse {
            head.startLineProblem = "status line has no status code"
        } else if words.count == 3 {
            head.startLine = .request(method: String(buf, words[0]), uri: String(buf, words[1]), version: String(buf, words[2]))
        } else if words.count > 3 {
            head.startLineProblem = "request line has \(words.count) elements (whitespace inside the Request-URI?)"
        } else {
            head.startLineProblem = "request line must be 'Method Request-URI SIP-Version'"
        }
        return head
    }
}

extension SIPParseError {
    init(_ kind: Kind, _ reason: String, partialHeaders: SIPHeaders, head: MessageHead) {
        self.init(kind, reason)
        if case .request(let m, let u, _)? = head.startLine {
            partialRequest = PartialRequest(method: SIPMethod(m), requestURI: u, headers: partialHeaders)
        }
    }
}
