import Timekeeping
import Synchronization

/// What a ``ReceiveChain`` has done so far.
public struct ReceiveStats: Sendable, Hashable {
    /// Frames handed to the player (every ``ReceiveChain/nextFrame(at:)``).
    public var framesPlayed = 0
    /// Frames decoded from a packet.
    public var framesDecoded = 0
    /// Frames concealed (the packet was missing or the buffer grew).
    public var framesConcealed = 0
    /// Lost frames recovered from the next packet's Opus in-band FEC (also counted as concealed).
    public var framesRecovered = 0
    /// Frames of silence (nothing received yet, or concealment ran out).
    public var framesSilent = 0
    /// Packets that arrived after their turn and were dropped.
    public var packetsLate = 0
    /// Slots whose packet was missing when due.
    public var packetsLost = 0
    /// Frames dropped unplayed to bring the delay back down (the player started late or stalled).
    public var framesDropped = 0
    /// Packets of neither the audio nor the telephone-event payload type.
    public var packetsIgnored = 0
    /// Audio buffered ahead of playout now, ms.
    public var jitterBufferDelay = 0.0
    /// Median of the delay from a packet's arrival to its frame being played, ms (`nil`: none yet).
    public var delayMedian: Double?
    /// 99th percentile of that delay, ms.
    public var delayP99: Double?
}

/// The receiving half of a call's audio: RTP packets in, 20 ms frames of 48 kHz PCM out.
///
/// Packets are put on the network's event loop; frames are pulled by the playback thread, so the
/// chain is thread-safe (one lock). Audio packets go through the jitter buffer, are decoded and
/// resampled to 48 kHz; a missing packet is concealed by the codec for at most
/// ``maximumConcealedFrames`` frames, then silence. Telephone-events become digits. Each frame
/// played from a packet records the time from its packet's arrival to the pull: the delay the
/// softphone adds before the device.
public final class ReceiveChain: Sendable {
    /// Samples per frame handed out: 20 ms at 48 kHz.
    public static let samplesPerFrame = 960
    /// The device rate.
    public static let outputRate = 48000
    /// Frames concealed in a row before playing silence (100 ms).
    public static let maximumConcealedFrames = 5
    /// Decoded audio kept ahead of the player before the oldest is dropped, frames.
    static let maximumQueuedFrames = 6
    /// Audio buffered ahead of playout beyond which the chain catches up (200 ms), frames: a
    /// player that starts late (a device slow to open) or stalls must not leave the call behind.
    static let maximumBufferedFrames = 10
    /// What a catch-up leaves buffered, frames.
    static let catchUpTargetFrames = 2
    /// Arrivals remembered for packets not yet played.
    static let maximumArrivals = 512

    /// The codec.
    public let codec: VoiceCodec
    /// The audio payload type.
    public let payloadType: UInt8
    /// The telephone-event payload type, if negotiated.
    public let telephoneEventPayloadType: UInt8?

    private struct State {
        let buffer: JitterBuffer
        let decoder: VoiceDecoder
        let upsampler: SampleRateConverter
        var dtmf = DTMFReceiver()
        var digits: [Character] = []
        var ssrc: UInt32?
        /// Decoded 48 kHz samples not yet played.
        var pending: [Int16] = []
        var arrivals: [UInt32: ContinuousClock.Instant] = [:]
        /// Opus payloads buffered, by timestamp, for in-band FEC when the one before is lost.
        var payloads: [UInt32: [UInt8]] = [:]
        var concealedInARow = 0
        var playedAny = false
        var stats = ReceiveStats()
        var delays = DelayHistogram()
    }

    private let state: Mutex<State>

    /// A chain for `codec` on `payloadType`, with RFC 4733 digits on `telephoneEventPayloadType`.
    /// - Throws: ``VoiceCodecError`` if a library refuses to set up.
    public init(codec: VoiceCodec, payloadType: UInt8, telephoneEventPayloadType: UInt8?) throws(VoiceCodecError) {
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        let buffer = try JitterBuffer(frameSpan: UInt32(codec.timestampsPerFrame))
        let decoder = try codec.makeDecoder()
        let upsampler = try SampleRateConverter(from: codec.sampleRate, to: Self.outputRate)
        state = Mutex(State(buffer: buffer, decoder: decoder, upsampler: upsampler))
    }

    /// Takes a received packet; `arrival` is when the socket delivered it.
    public func put(_ packet: RTPPacket, arrival: ContinuousClock.Instant) {
        state.withLock { state in
            if packet.payloadType == payloadType {
                if let ssrc = state.ssrc, ssrc != packet.ssrc {
                    // A new stream (e.g. after a re-INVITE): its timestamps start elsewhere.
                    state.buffer.reset()
                    state.arrivals.removeAll()
                    state.payloads.removeAll()
                }
                state.ssrc = packet.ssrc
                let lateBefore = state.buffer.latePackets
                state.buffer.put(packet.payload, timestamp: packet.timestamp, sequence: packet.sequenceNumber)
                if state.buffer.latePackets == lateBefore, state.arrivals[packet.timestamp] == nil {
                    if state.arrivals.count >= Self.maximumArrivals { state.arrivals.removeAll() }
                    state.arrivals[packet.timestamp] = arrival
                    if codec == .opus {
                        if state.payloads.count >= Self.maximumArrivals { state.payloads.removeAll() }
                        state.payloads[packet.timestamp] = packet.payload
                    }
                }
                state.stats.packetsLate = state.buffer.latePackets
            } else if let telephoneEvent = telephoneEventPayloadType, packet.payloadType == telephoneEvent {
                if let digit = state.dtmf.receive(packet.payload, timestamp: packet.timestamp) {
                    state.digits.append(digit)
                }
            } else {
                state.stats.packetsIgnored += 1
            }
        }
    }

    /// The next 20 ms of audio at 48 kHz (always ``samplesPerFrame`` samples), pulled at `now`.
    public func nextFrame(at now: ContinuousClock.Instant) -> [Int16] {
        state.withLock { state in
            state.stats.framesPlayed += 1
            if state.pending.count < Self.samplesPerFrame {
                catchUp(&state)
                fill(&state, now: now)
            } else {
                // Still playing a long packet: the buffer's slot passes all the same.
                state.buffer.tick()
            }
            let take = min(Self.samplesPerFrame, state.pending.count)
            var frame = Array(state.pending.prefix(take))
            state.pending.removeFirst(take)
            if frame.count < Self.samplesPerFrame {
                frame += [Int16](repeating: 0, count: Self.samplesPerFrame - frame.count)
            }
            let limit = Self.samplesPerFrame * Self.maximumQueuedFrames
            if state.pending.count > limit {
                state.pending.removeFirst(state.pending.count - limit)
            }
            return frame
        }
    }

    /// Drops the oldest buffered packets while more than ``maximumBufferedFrames`` wait, down to
    /// ``catchUpTargetFrames``: the delay stays bounded, at the cost of a skip in the audio.
    private func catchUp(_ state: inout State) {
        let frameSpan = UInt32(codec.timestampsPerFrame)
        guard state.buffer.bufferedSpan > frameSpan * UInt32(Self.maximumBufferedFrames) else { return }
        var steps = 0
        while state.buffer.bufferedSpan > frameSpan * UInt32(Self.catchUpTargetFrames), steps < 4096 {
            steps += 1
            switch state.buffer.get() {
            case .packet(_, let timestamp):
                state.arrivals[timestamp] = nil
                state.payloads[timestamp] = nil
                state.stats.framesDropped += 1
            case .missing, .insertion:
                continue
            case .empty:
                return
            }
        }
    }

    /// Decodes, conceals or silences the slot due now into `pending`.
    private func fill(_ state: inout State, now: ContinuousClock.Instant) {
        let frame = state.buffer.get()
        switch frame {
        case .packet(let payload, let timestamp):
            let pcm = state.decoder.decode(payload)
            let extra = pcm.count - codec.samplesPerFrame
            if extra > 0 {
                state.buffer.remaining(span: UInt32(extra * codec.rtpClockRate / codec.sampleRate))
            }
            state.pending += state.upsampler.process(pcm)
            state.stats.framesDecoded += 1
            state.concealedInARow = 0
            state.playedAny = true
            state.payloads[timestamp] = nil
            if let arrival = state.arrivals.removeValue(forKey: timestamp) {
                state.delays.record((now - arrival).millisecondsValue)
            }
        case .missing, .insertion:
            var next: [UInt8]?
            if case .missing(let timestamp) = frame {
                state.stats.packetsLost += 1
                next = state.payloads[timestamp &+ UInt32(codec.timestampsPerFrame)]
            }
            if state.playedAny, state.concealedInARow < Self.maximumConcealedFrames {
                if let next {
                    // Opus: the next packet is here already and may carry this frame's FEC.
                    state.pending += state.upsampler.process(state.decoder.decodeFEC(next: next))
                    state.stats.framesRecovered += 1
                } else {
                    state.pending += state.upsampler.process(state.decoder.conceal())
                }
                state.stats.framesConcealed += 1
                state.concealedInARow += 1
            } else {
                state.pending += state.upsampler.process([Int16](repeating: 0, count: codec.samplesPerFrame))
                state.stats.framesSilent += 1
            }
        case .empty:
            state.stats.framesSilent += 1
        }
    }

    /// The digits received since the last call, in order.
    public func takeDigits() -> [Character] {
        state.withLock { state in
            defer { state.digits.removeAll() }
            return state.digits
        }
    }

    /// The counters and delays so far.
    public var stats: ReceiveStats {
        state.withLock { state in
            var stats = state.stats
            stats.jitterBufferDelay = Double(state.buffer.bufferedSpan) * 1000 / Double(codec.rtpClockRate)
            stats.delayMedian = state.delays.percentile(50)
            stats.delayP99 = state.delays.percentile(99)
            return stats
        }
    }
}

/// Delays in whole milliseconds, 0...2000 (longer ones count as 2000), for percentiles.
struct DelayHistogram: Sendable {
    static let maximum = 2000
    private var counts = [Int](repeating: 0, count: maximum + 1)
    private(set) var total = 0

    mutating func record(_ milliseconds: Double) {
        guard milliseconds.isFinite else { return }
        let bucket = Int(min(Double(Self.maximum), max(0, milliseconds.rounded())))
        counts[bucket] += 1
        total += 1
    }

    /// The smallest delay at or below which `percent` % of the records lie.
    func percentile(_ percent: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((percent / 100 * Double(total)).rounded(.up)))
        var seen = 0
        for (bucket, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return Double(bucket) }
        }
        return Double(Self.maximum)
    }
}
