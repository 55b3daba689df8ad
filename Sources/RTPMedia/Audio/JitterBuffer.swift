import CSpeexDSP

/// An adaptive jitter buffer for one RTP stream: speexdsp's `JitterBuffer`, in RTP timestamp units.
///
/// Packets go in as they arrive (``put(_:timestamp:span:sequence:)``), in any order; the player takes
/// one frame per call of ``get()``, which also advances the buffer by one frame. The buffer has no
/// clock of its own: the calls are its time, so it runs on virtual time in tests. speexdsp sizes the
/// delay from the lateness it observes (aiming at a few percent of late packets), drops packets that
/// come after their turn and duplicates, and after a long outage starts over from the next packet
/// instead of holding a stale delay. Not thread-safe; ``ReceiveChain`` guards it.
public final class JitterBuffer {
    /// What ``get()`` hands out for one frame slot.
    public enum Frame: Sendable, Hashable {
        /// The payload of the packet due now, with its RTP timestamp.
        case packet([UInt8], timestamp: UInt32)
        /// The packet due now, of this RTP timestamp, is missing (lost or not yet there): conceal it.
        case missing(timestamp: UInt32)
        /// The buffer grows its delay by one frame here: play a concealed or silent frame.
        case insertion
        /// Nothing received yet (or since ``reset()``): play silence.
        case empty
    }

    /// RTP timestamp units per frame.
    public let frameSpan: UInt32
    private let buffer: OpaquePointer
    /// The largest payload handed out; larger ones are cut (no RTP audio frame comes near).
    static let maximumPayload = 4096
    private var scratch = [CChar](repeating: 0, count: maximumPayload)
    /// A packet has been put since the start or the last reset.
    private var started = false
    /// A packet has been played since the start or the last reset: the playout point is meaningful.
    private var playing = false
    private var newestEnd: UInt32?

    /// Packets dropped because they came after their turn was played (or concealed).
    public private(set) var latePackets = 0

    /// A buffer for frames of `frameSpan` RTP timestamp units (e.g. 160 for 20 ms at 8 kHz).
    public init(frameSpan: UInt32) throws(VoiceCodecError) {
        guard frameSpan > 0, let buffer = jitter_buffer_init(Int32(clamping: frameSpan)) else {
            throw .creationFailed(library: "speexdsp jitter buffer", reason: "frame span \(frameSpan)")
        }
        self.frameSpan = frameSpan
        self.buffer = buffer
        var concealment = Int32(clamping: frameSpan)
        jitter_buffer_ctl(buffer, JITTER_BUFFER_SET_CONCEALMENT_SIZE, &concealment)
    }

    deinit {
        jitter_buffer_destroy(buffer)
    }

    /// The RTP timestamp of the next frame ``get()`` plays, once started.
    public var playoutTimestamp: UInt32? {
        playing ? UInt32(bitPattern: jitter_buffer_get_pointer_timestamp(buffer)) : nil
    }

    /// How much audio is buffered ahead of the playout point, in RTP timestamp units.
    public var bufferedSpan: UInt32 {
        guard let playout = playoutTimestamp, let newestEnd else { return 0 }
        let ahead = Int32(bitPattern: newestEnd &- playout)
        return ahead > 0 ? UInt32(ahead) : 0
    }

    /// Adds a packet. `span` is the audio it carries in RTP units (0 means one frame).
    public func put(_ payload: [UInt8], timestamp: UInt32, span: UInt32 = 0, sequence: UInt16 = 0) {
        let span = span == 0 ? frameSpan : span
        if let playout = playoutTimestamp, Int32(bitPattern: timestamp &+ span &- playout) <= 0 {
            // Its time has passed: speexdsp drops it, but learns from its lateness to grow the delay.
            latePackets += 1
        }
        let end = timestamp &+ span
        if let newest = newestEnd {
            if Int32(bitPattern: end &- newest) > 0 { newestEnd = end }
        } else {
            newestEnd = end
        }
        var bytes = payload.prefix(Self.maximumPayload).map { CChar(bitPattern: $0) }
        if bytes.isEmpty { bytes = [0] }  // speexdsp treats a null pointer as "no data"
        let length = UInt32(min(payload.count, Self.maximumPayload))
        bytes.withUnsafeMutableBufferPointer { data in
            var packet = JitterBufferPacket(data: data.baseAddress, len: length, timestamp: timestamp,
                                            span: span, sequence: sequence, user_data: 0)
            jitter_buffer_put(buffer, &packet)
        }
        started = true
    }

    /// The frame for the current slot; then the buffer advances by one frame.
    public func get() -> Frame {
        guard started else { return .empty }
        defer { jitter_buffer_tick(buffer) }
        var offset: Int32 = 0
        let capacity = UInt32(scratch.count)
        return scratch.withUnsafeMutableBufferPointer { data -> Frame in
            var packet = JitterBufferPacket(data: data.baseAddress, len: capacity, timestamp: 0, span: 0,
                                            sequence: 0, user_data: 0)
            let status = jitter_buffer_get(buffer, &packet, Int32(clamping: frameSpan), &offset)
            switch status {
            case JITTER_BUFFER_OK:
                let length = Int(min(packet.len, capacity))
                let payload = data.prefix(length).map { UInt8(bitPattern: $0) }
                playing = true
                return .packet(payload, timestamp: packet.timestamp)
            case JITTER_BUFFER_INSERTION:
                return .insertion
            default:
                return .missing(timestamp: packet.timestamp)
            }
        }
    }

    /// Advances by one frame without taking one: the player is still playing a longer packet.
    public func tick() {
        jitter_buffer_tick(buffer)
    }

    /// Tells the buffer that `span` RTP units of the last packet are still to be played (a packet
    /// longer than one frame), so that it does not count them as delay.
    public func remaining(span: UInt32) {
        jitter_buffer_remaining_span(buffer, span)
    }

    /// Forgets everything, e.g. when the stream changes SSRC.
    public func reset() {
        jitter_buffer_reset(buffer)
        started = false
        playing = false
        newestEnd = nil
    }
}
