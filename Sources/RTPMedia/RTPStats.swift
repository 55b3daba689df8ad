/// Counters of one ``RTPSession``, for showing "packets in/out" and "no audio received".
public struct RTPStats: Sendable, Hashable {
    /// RTP packets handed to the socket successfully.
    public var packetsSent = 0
    /// Octets of those packets (RTP header and payload, without UDP/IP headers).
    public var bytesSent = 0
    /// Packets the socket refused to send (e.g. no route to the remote address); they are dropped.
    public var sendErrors = 0
    /// Why the last refused packet was refused, e.g. "Network is unreachable".
    public var lastSendError: String?
    /// Datagrams received that parse as RTP, from any source address.
    public var packetsReceived = 0
    /// Octets of those datagrams.
    public var bytesReceived = 0
    /// Datagrams received that are not valid RTP.
    public var invalidReceived = 0
    /// Datagrams received that are RTCP (RFC 5761 section 4: packet types 200...204) and so not
    /// counted as RTP. Only a peer multiplexing RTCP onto the RTP port sends these.
    public var rtcpReceived = 0
    /// SRTP packets dropped because their authentication tag did not check out (tampered with,
    /// or keyed otherwise). Only an encrypted stream counts these.
    public var srtpAuthenticationFailures = 0
    /// SRTP packets dropped as replays (already received, or older than the replay window).
    public var srtpReplays = 0
    /// When the last valid RTP packet arrived, on the monotonic clock.
    public var lastReceived: ContinuousClock.Instant?
    /// The SSRC of the last valid RTP packet.
    public var remoteSSRC: UInt32?
    /// The payload type of the last valid RTP packet.
    public var remotePayloadType: UInt8?

    /// Creates empty counters.
    public init() {}

    /// Whether no RTP has arrived for at least `interval` (or ever) as of `now`; pass the time the
    /// call was connected as `since` so that a fresh call is not reported before `interval` passed.
    public func isSilent(for interval: Duration, since start: ContinuousClock.Instant,
                         now: ContinuousClock.Instant = .now) -> Bool {
        let last = max(lastReceived ?? start, start)
        return now - last >= interval
    }
}
