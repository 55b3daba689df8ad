/// The CSeq header (RFC 3261 §20.16): a sequence number below 2³² and a method.
public struct CSeq: Sendable, Hashable, CustomStringConvertible {
    /// The sequence number.
    public var sequence: UInt32
    /// The method.
    public var method: SIPMethod

    /// Creates a CSeq value.
    public init(_ sequence: UInt32, _ method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    /// `"<number> <METHOD>"`
    public var description: String { String(sequence) + " " + method.rawValue }

    /// Parses `1*DIGIT LWS Method`; numbers above 2³²−1 are rejected.
    public init(parsing text: String) throws(SIPParseError) {
        self = try text.withBytes { (buf) throws(SIPParseError) in
            func fail(_ why: String) -> SIPParseError { SIPParseError(.malformedHeader, why, header: "cseq") }
            var s = ByteScanner(buf)
            s.skipLWS()
            let ds = s.i
            while let b = s.peek, ByteClass.isDigit(b) { s.i += 1 }
            guard s.i > ds else { throw fail("CSeq must start with a number") }
            guard let n = parseDecimal(UnsafeBufferPointer(rebasing: buf[ds..<s.i]), limit: UInt64(UInt32.max)) else {
                throw fail("CSeq number exceeds 2^32-1")
            }
            let before = s.i
            s.skipLWS()
            guard s.i > before else { throw fail("missing whitespace after CSeq number") }
            let m = s.readToken()
            s.skipLWS()
            guard !m.isEmpty, s.atEnd else { throw fail("malformed CSeq method") }
            return CSeq(UInt32(n), SIPMethod(s.string(m)))
        }
    }
}
