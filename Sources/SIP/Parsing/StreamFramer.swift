/// Frames SIP messages arriving on a byte stream (TCP/TLS, RFC 3261 §18.3).
///
/// Feed bytes as they arrive with `append(_:)`, then call `next()` until it returns nil.
/// Messages may be split at any byte or several may arrive in one chunk. CRLFs between
/// messages (keep-alives, RFC 5626) are skipped. Every message must carry Content-Length.
///
/// Errors: a message that is malformed but correctly framed is consumed and its error
/// thrown, so the caller can answer 400 and keep reading. A framing error (no or invalid
/// Content-Length, unreadable header block, over `maximumMessageSize`) leaves the stream
/// unusable: every later `next()` throws the same error; close the connection.
public struct SIPStreamFramer: Sendable {
    /// The largest message (head plus body) accepted.
    public let maximumMessageSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Where the search for the end of the current header block resumes.
    private var scanIndex = 0
    private var failure: SIPParseError?

    /// Creates a framer.
    public init(maximumMessageSize: Int = SIPParser.defaultMaximumMessageSize) {
        self.maximumMessageSize = max(64, maximumMessageSize)
    }

    /// Bytes received but not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether a framing error has made the stream unusable.
    public var isFailed: Bool { failure != nil }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil if more bytes are needed.
    public mutating func next() throws(SIPParseError) -> SIPMessage? {
        if let failure { throw failure }
        // Skip keep-alive CRLFs between messages.
        while readIndex < buffer.count, buffer[readIndex] == 0x0D || buffer[readIndex] == 0x0A { readIndex += 1 }
        if scanIndex < readIndex { scanIndex = readIndex }
        guard readIndex < buffer.count else { return nil }

        let outcome: Outcome = buffer.withUnsafeBufferPointer { buf in frame(buf) }
        switch outcome {
        case .needMore(let scanned):
            scanIndex = scanned
            return nil
        case .message(let message, let end):
            consume(to: end)
            return message
        case .messageError(let error, let end):
            consume(to: end)
            throw error
        case .fatal(let error):
            failure = error
            throw error
        }
    }

    private enum Outcome {
        case needMore(scanned: Int)
        case message(SIPMessage, end: Int)
        case messageError(SIPParseError, end: Int)
        case fatal(SIPParseError)
    }

    private mutating func consume(to end: Int) {
        readIndex = end
        scanIndex = end
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
            scanIndex = 0
        }
    }

    private func frame(_ buf: UnsafeBufferPointer<UInt8>) -> Outcome {
        let start = readIndex
        // Find the blank line ending the header block, resuming where the last search stopped.
        var j = max(scanIndex, start)
        var headEnd: Int? = nil
        while j < buf.count {
            if buf[j] == 0x0A {
                // LF followed by LF, or LF CR LF: blank line.
                if j + 1 < buf.count, buf[j + 1] == 0x0A { headEnd = j + 2; break }
                if j + 2 < buf.count, buf[j + 1] == 0x0D, buf[j + 2] == 0x0A { headEnd = j + 3; break }
                if j + 2 >= buf.count { break }  // the blank line may still be arriving
            }
            j += 1
        }
        guard let headEnd else {
            if buf.count - start > maximumMessageSize {
                return .fatal(SIPParseError(.messageTooLarge, "header block exceeds \(maximumMessageSize) bytes"))
            }
            return .needMore(scanned: max(start, j))
        }
        guard headEnd - start <= maximumMessageSize else {
            return .fatal(SIPParseError(.messageTooLarge, "header block exceeds \(maximumMessageSize) bytes"))
        }
        let headBuf = UnsafeBufferPointer(rebasing: buf[0..<headEnd])
        let head: MessageHead
        do {
            guard let h = try MessageHead.split(headBuf, start: start) else {
                return .fatal(SIPParseError(.malformedHeader, "unreadable header block"))
            }
            head = h
        } catch {
            return .fatal(error)
        }
        let length: Int
        do {
            guard let l = try head.headers.contentLength else {
                return .fatal(SIPParseError(.invalidContentLength, "Content-Length is required on stream transports",
                                            header: "content-length").attaching(head))
            }
            length = l
        } catch {
            return .fatal(error.attaching(head))
        }
        guard head.bodyStart - start + length <= maximumMessageSize else {
            return .fatal(SIPParseError(.messageTooLarge,
                                        "message of \(head.bodyStart - start + length) bytes exceeds \(maximumMessageSize)")
                .attaching(head))
        }
        let end = head.bodyStart + length
        guard end <= buf.count else { return .needMore(scanned: max(start, headEnd - 3)) }
        let body = Array(UnsafeBufferPointer(rebasing: buf[head.bodyStart..<end]))
        do {
            return .message(try SIPParser.build(head, body: body), end: end)
        } catch {
            return .messageError(error, end: end)
        }
    }
}
