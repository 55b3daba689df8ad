import NIOCore

/// The sending half of an RTP stream: the 20 ms pacing over a ``SendChain``, fed by a ``FrameSource``.
///
/// Frame slots are counted from `epoch`, so the schedule does not drift however late the event
/// loop runs a timer. Each slot either sends a packet (sequence number +1, timestamp + one frame)
/// or, on hold, only advances the timestamp, as RFC 3550 section 5.1 asks of a source that stops
/// sending; the next packet sent then carries the marker bit.
struct RTPSender {
    /// The packetisation interval.
    static let frameInterval = TimeAmount.milliseconds(20)
    /// The most overdue slots sent in one burst; older ones are skipped, not sent late.
    static let maximumCatchUp: Int64 = 10

    let stream: MediaStream
    /// Where packets go; `nil` sends nothing (no address yet, or `0.0.0.0` hold).
    var remote: SocketAddress?
    /// Whether packets are sent at all; `false` for hold.
    var sending: Bool
    /// SSRC, sequence number, timestamp, marker, encoding, mute and DTMF.
    var chain: SendChain
    var ssrc: UInt32 { chain.ssrc }
    var sequenceNumber: UInt16 { chain.sequenceNumber }
    var timestamp: UInt32 { chain.timestamp }
    private var source: Source
    private let epoch: NIODeadline
    /// Slots that have passed, sent or not.
    private var slots: Int64 = 0

    private enum Source {
        /// 8 kHz frames; `upsampler` brings them to 48 kHz for codecs that do not run at 8 kHz.
        case fixed(AudioFrames, upsampler: SampleRateConverter?)
        case capture(@Sendable () -> [Int16]?)
    }

    init(stream: MediaStream, source: FrameSource, remote: SocketAddress?, sending: Bool = true,
         epoch: NIODeadline) throws(VoiceCodecError) {
        self.stream = stream
        self.remote = remote
        self.sending = sending
        switch source {
        case .audio(let audio):
            let upsampler = stream.codec.sampleRate == AudioSource.sampleRate
                ? nil : try SampleRateConverter(from: AudioSource.sampleRate, to: ReceiveChain.outputRate)
            self.source = .fixed(audio.frames(), upsampler: upsampler)
        case .capture(let take):
            self.source = .capture(take)
        }
        // RFC 3550 section 5.1: SSRC, initial sequence number and timestamp are random.
        self.chain = try SendChain(codec: stream.codec, payloadType: stream.payloadType,
                                   telephoneEventPayloadType: stream.telephoneEventPayloadType,
                                   telephoneEventClockRate: stream.telephoneEventClockRate,
                                   ssrc: .random(in: .min ... .max), sequence: .random(in: .min ... .max),
                                   timestamp: .random(in: .min ... .max))
        self.epoch = epoch
    }

    /// How many slots have passed since the stream started.
    var slotsPassed: Int64 { slots }

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
                if let packet = nextPacket() { packets.append(packet) }
                slots += 1
            } else {
                idle()
            }
            behind -= 1
        }
        return packets
    }

    private mutating func nextPacket() -> RTPPacket? {
        switch source {
        case .fixed(var frames, let upsampler):
            let frame = frames.next() ?? []
            source = .fixed(frames, upsampler: upsampler)
            guard let upsampler else { return chain.frame(atCodecRate: frame) }
            return chain.frame(upsampler.process(frame))
        case .capture(let take):
            return chain.frame(take() ?? [Int16](repeating: 0, count: ReceiveChain.samplesPerFrame))
        }
    }

    /// A slot passes without a packet; the next packet sent is marked.
    private mutating func idle() {
        _ = chain.frame(atCodecRate: nil)
        slots += 1
    }
}
