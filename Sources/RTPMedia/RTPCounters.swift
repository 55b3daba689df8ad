import NIOCore
import Synchronization

/// The thread-safe counters behind ``RTPStats``, updated from the event loop and read from anywhere.
final class RTPCounters: Sendable {
    private let stats = Mutex(RTPStats())
    private let onPacket: (@Sendable (RTPPacket) -> Void)?
    private let receiving = Mutex<Receiving>(Receiving())

    /// The current stream's receiving end: set together, so that no packet meets one without the other.
    private struct Receiving {
        var chain: ReceiveChain?
        /// Unprotects every datagram first when the stream is encrypted.
        var srtp: SRTPContext?
    }

    /// Where valid packets go (decoding, jitter buffer, DTMF), once the stream has started.
    var receiver: ReceiveChain? {
        receiving.withLock { $0.chain }
    }

    /// Starts receiving into `chain`, through `srtp` when the stream is encrypted.
    func receive(into chain: ReceiveChain, srtp: SRTPContext?) {
        receiving.withLock { $0 = Receiving(chain: chain, srtp: srtp) }
    }

    init(onPacket: (@Sendable (RTPPacket) -> Void)?) {
        self.onPacket = onPacket
    }

    /// A copy of the current counters.
    func snapshot() -> RTPStats {
        stats.withLock { $0 }
    }

    /// Classifies and counts one received datagram.
    func received(_ datagram: ByteBufferView, at time: ContinuousClock.Instant) {
        if Self.isRTCP(datagram) {
            stats.withLock { $0.rtcpReceived += 1 }
            return
        }
        let (receiver, srtp) = receiving.withLock { ($0.chain, $0.srtp) }
        var plain: [UInt8]?
        if let srtp {
            do throws(SRTPError) {
                plain = try srtp.unprotect(datagram)
            } catch {
                stats.withLock { stats in
                    switch error {
                    case .authentication: stats.srtpAuthenticationFailures += 1
                    case .replay: stats.srtpReplays += 1
                    default: stats.invalidReceived += 1
                    }
                }
                return
            }
        }
        let packet: RTPPacket
        do {
            if let plain { packet = try RTPPacket(parsing: plain) } else { packet = try RTPPacket(parsing: datagram) }
        } catch {
            stats.withLock { $0.invalidReceived += 1 }
            return
        }
        stats.withLock { stats in
            stats.packetsReceived += 1
            stats.bytesReceived += datagram.count
            stats.lastReceived = time
            stats.remoteSSRC = packet.ssrc
            stats.remotePayloadType = packet.payloadType
        }
        receiver?.put(packet, arrival: time)
        onPacket?(packet)
    }

    /// Counts one packet the socket accepted.
    func sent(bytes: Int) {
        stats.withLock { stats in
            stats.packetsSent += 1
            stats.bytesSent += bytes
        }
    }

    /// Counts one packet the socket refused.
    func sendFailed(reason: String) {
        stats.withLock { stats in
            stats.sendErrors += 1
            stats.lastSendError = reason
        }
    }

    /// Whether a datagram is version 2 with an RTCP packet type (RFC 5761 section 4).
    private static func isRTCP(_ datagram: ByteBufferView) -> Bool {
        guard datagram.count >= 8 else { return false }
        let first = datagram[datagram.startIndex]
        let type = datagram[datagram.startIndex + 1]
        return first >> 6 == RTPPacket.version && (200...204).contains(type)
    }
}
