import NIOCore

/// The sending half of an RTP stream: identifiers, the audio frames and the 20 ms pacing.
///
/// Frame slots are counted from `epoch`, so the schedule does not drift however late the event
/// loop runs a timer. Each slot either sends a packet (sequence number +1, timestamp +160) or,
/// on hold, only advances the timestamp, as RFC 3550 section 5.1 asks of a source that stops
/// sending; the next packet sent then carries the marker bit.
struct RTPSender: Sendable {
    /// The packetisation interval.
    static let frameInterval = TimeAmount.milliseconds(20)
    /// The most overdue slots sent in one burst; older ones are skipped, not sent late.
    static let maximumCatchUp: Int64 = 10

    var codec: AudioCodec
    var frames: AudioFrames
    /// Where packets go; `nil` sends nothing (no address yet, or `0.0.0.0` hold).
    var remote: SocketAddress?
    /// Whether packets are sent at all; `false` for hold.
    var sending: Bool
    let ssrc: UInt32
    private(set) var sequenceNumber: UInt16
    private(set) var timestamp: UInt32
    private var markNext = true
    private let epoch: NIODeadline
    /// Slots that have passed, sent or not.
    private var slots: Int64 = 0

    init(codec: AudioCodec, source: AudioSource, remote: SocketAddress?, sending: Bool = true, epoch: NIODeadline) {
        self.codec = codec
        self.frames = source.frames()
        self.remote = remote
        self.sending = sending
        // RFC 3550 section 5.1: SSRC, initial sequence number and timestamp are random.
        self.ssrc = .random(in: .min ... .max)
        self.sequenceNumber = .random(in: .min ... .max)
        self.timestamp = .random(in: .min ... .max)
        self.epoch = epoch
    }

    /// When the next slot is due.
    var nextDeadline: NIODeadline { epoch + Self.frameInterval * slots }

    /// The packets due by `now`, advancing the stream past every slot that has begun.
    mutating func packetsDue(at now: NIODeadline) -> [RTPPacket] {
        guard now >= epoch else { return [] }
        let due = (now - epoch).nanoseconds / Self.frameInterval.nanoseconds + 1
        var behind = due - slots
        while behind > Self.maximumCatchUp {
            idle()
            behind -= 1
        }
        var packets: [RTPPacket] = []
        while behind > 0 {
            if sending, remote != nil {
                packets.append(nextPacket())
            } else {
                idle()
            }
            behind -= 1
        }
        return packets
    }

    /// A slot passes without a packet.
    private mutating func idle() {
        timestamp &+= UInt32(AudioSource.samplesPerFrame)
        markNext = true
        slots += 1
    }

    private mutating func nextPacket() -> RTPPacket {
        let frame = frames.next() ?? []
        let packet = RTPPacket(
            payloadType: codec.payloadType,
            sequenceNumber: sequenceNumber,
            timestamp: timestamp,
            ssrc: ssrc,
            marker: markNext,
            payload: codec.encode(frame)
        )
        markNext = false
        sequenceNumber &+= 1
        timestamp &+= UInt32(AudioSource.samplesPerFrame)
        slots += 1
        return packet
    }
}
