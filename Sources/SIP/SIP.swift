/// SIP messages (RFC 3261): parsing (`SIPParser`, `SIPStreamFramer`), typed header
/// access (`Via`, `NameAddress`, `CSeq`, …), and serialisation (`SIPMessage.bytes`).
///
/// The module is pure Swift with no dependencies; parsing works directly on bytes.
public enum SIPCodec {
    /// The only protocol version this codec speaks.
    public static let version = "SIP/2.0"
}
