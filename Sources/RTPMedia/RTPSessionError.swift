/// Why an ``RTPSession`` could not do what was asked.
public enum RTPSessionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The session has been closed.
    case closed
    /// ``RTPSession/update(remote:sending:)`` was called before ``RTPSession/start(remote:stream:source:)``.
    case notStarted
    /// Creating or binding the UDP socket failed.
    case socket(String)
    /// No even local port was obtained in this many binds.
    case noEvenPort(attempts: Int)
    /// The remote address cannot be used.
    case invalidRemote(host: String, port: Int, reason: String)
    /// The audio chain (codec, resampler) could not be set up.
    case media(String)

    public var description: String {
        switch self {
        case .closed:
            "the RTP session is closed"
        case .notStarted:
            "the RTP session has not been started"
        case .socket(let reason):
            "cannot open the RTP socket: \(reason)"
        case .noEvenPort(let attempts):
            "no even UDP port for RTP after \(attempts) attempts"
        case .invalidRemote(let host, let port, let reason):
            "invalid RTP destination \(host):\(port): \(reason)"
        case .media(let reason):
            "cannot set up the call's audio: \(reason)"
        }
    }
}
