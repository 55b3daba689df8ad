import NIOCore

/// The sending half of an RTP stream: the audio frames and the 20 ms pacing, over a ``SendChain``.
///
/// Frame slots are counted from `epoch`, so the schedule does not drift however late the event
/// loop runs a timer. Each slot either sends a packet (sequence number +1, timestamp +160) or,
/// on hold, only advances the timestamp, as RFC 3550 section 5.1 asks of a source that stops
/// sending; the next packet sent then carries the marker bit.
struct RTPSender {
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
    /// SSRC, sequence number, timestamp, marker and encoding.
    private var chain: SendChain
    var ssrc: UInt32 { chain.ssrc }
    var sequenceNumber: UInt16 { chain.sequenceNumber }
    var timestamp: UInt32 { chain.timestamp }
    private let epoch: NIODeadline
    /// Slots that have passed, sent or not.
    private var slots: Int64 = 0

    init(codec: AudioCodec, source: AudioSource, remote: SocketAddress?, sending: Bool = true,
         epoch: NIODeadline) throws(VoiceCodecError) {
        self.codec = codec
        self.frames = source.frames()
        self.remote = remote
        self.sending = sending
        // RFC 3550 section 5.1: SSRC, initial sequence number and timestamp are random.
        self.chain = try SendChain(codec: VoiceCodec(codec), payloadType: codec.payloadType, telephoneEventPayloadType: nil,
                                   ssrc: .random(in: .min ... .max), sequence: .random(in: .min ... .max),
                                   timestamp: .random(in: .min ... .max))
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
                // The sources are 8 kHz, the rate of G.711: no resampling.
                if let packet = chain.frame(atCodecRate: frames.next() ?? []) { packets.append(packet) }
                slots += 1
            } else {
                idle()
            }
            behind -= 1
        }
        return packets
    }

    /// A slot passes without a packet; the next packet sent is marked.
    private mutating func idle() {
        _ = chain.frame(atCodecRate: nil)
        slots += 1
    }
}
