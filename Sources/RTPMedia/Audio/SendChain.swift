/// The sending half of a call's audio: one 20 ms slot at a time, 48 kHz PCM in, an RTP packet out.
///
/// The caller (the session's 20 ms timer) calls ``frame(_:)`` once per slot. The chain resamples to
/// the codec's rate and encodes; while ``muted`` it encodes silence, so that packets keep flowing and
/// the far side's media timers do not fire; while a DTMF digit is being sent, the slot carries its
/// RFC 4733 event packet instead of audio. It owns the stream's SSRC, sequence number and
/// timestamp: every slot advances the timestamp by one frame, sent or not.
public struct SendChain {
    /// The codec.
    public let codec: VoiceCodec
    /// The audio payload type.
    public let payloadType: UInt8
    /// The telephone-event payload type, if the answer has one.
    public let telephoneEventPayloadType: UInt8?
    /// The synchronisation source.
    public let ssrc: UInt32
    /// The sequence number of the next packet.
    public private(set) var sequenceNumber: UInt16
    /// The RTP timestamp of the next slot.
    public private(set) var timestamp: UInt32
    /// Whether the microphone is muted: silence is encoded and sent.
    public var muted = false

    private let encoder: VoiceEncoder
    private let downsampler: SampleRateConverter
    private var dtmf: DTMFSender
    private var markNext = true

    /// A stream starting at `sequence` and `timestamp` (random ones, RFC 3550 section 5.1, are the
    /// caller's choice). The first packet has the marker bit.
    /// - Throws: ``VoiceCodecError`` if a library refuses to set up.
    /// `telephoneEventClockRate` is the events' clock when it differs from the codec's RTP clock
    /// (durations count in it; timestamps stay the stream's).
    public init(codec: VoiceCodec, payloadType: UInt8, telephoneEventPayloadType: UInt8?,
                telephoneEventClockRate: UInt32? = nil, ssrc: UInt32,
                sequence: UInt16, timestamp: UInt32) throws(VoiceCodecError) {
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.ssrc = ssrc
        self.sequenceNumber = sequence
        self.timestamp = timestamp
        self.encoder = try codec.makeEncoder()
        self.downsampler = try SampleRateConverter(from: ReceiveChain.outputRate, to: codec.sampleRate)
        let eventRate = telephoneEventClockRate.map(Int.init) ?? codec.rtpClockRate
        self.dtmf = DTMFSender(frameSpan: UInt32(max(1, eventRate / 50)))  // 20 ms of the events' clock
    }

    /// Queues a DTMF digit to send as RFC 4733 events. `false` if `character` is not a DTMF
    /// character or no telephone-event payload type was negotiated (then the digit goes by SIP INFO).
    public mutating func queueDigit(_ character: Character) -> Bool {
        guard telephoneEventPayloadType != nil else { return false }
        return dtmf.queue(character)
    }

    /// Whether no digit is being sent or waiting.
    public var dtmfIdle: Bool { dtmf.isIdle }

    /// The packet for this slot from 20 ms of 48 kHz PCM (960 samples; padded or cut), or `nil` for
    /// a slot on hold: nothing is sent, the timestamp advances and the next packet is marked.
    public mutating func frame(_ pcm48k: [Int16]?) -> RTPPacket? {
        guard let pcm48k else { return holdSlot() }
        if let event = eventPacket() { return event }
        let input = muted ? [Int16](repeating: 0, count: ReceiveChain.samplesPerFrame)
                          : VoiceEncoder.fitted(pcm48k, to: ReceiveChain.samplesPerFrame)
        return audioPacket(downsampler.process(input))
    }

    /// Like ``frame(_:)`` with PCM already at the codec's rate (the WAV and silence sources of
    /// `backend = "none"` are 8 kHz, like G.711): no resampling.
    mutating func frame(atCodecRate pcm: [Int16]?) -> RTPPacket? {
        guard let pcm else { return holdSlot() }
        if let event = eventPacket() { return event }
        return audioPacket(muted ? [] : pcm)
    }

    private mutating func holdSlot() -> RTPPacket? {
        _ = dtmf.next(timestamp: timestamp)  // a digit in progress runs its course unheard
        timestamp &+= UInt32(codec.timestampsPerFrame)
        markNext = true
        return nil
    }

    /// The telephone-event packet of this slot, if a digit is being sent.
    private mutating func eventPacket() -> RTPPacket? {
        guard let telephoneEvent = telephoneEventPayloadType, let event = dtmf.next(timestamp: timestamp) else { return nil }
        let packet = RTPPacket(payloadType: telephoneEvent, sequenceNumber: sequenceNumber, timestamp: event.timestamp,
                               ssrc: ssrc, marker: event.marker, payload: event.payload.bytes)
        advance()
        return packet
    }

    private mutating func audioPacket(_ pcm: [Int16]) -> RTPPacket {
        let packet = RTPPacket(payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp,
                               ssrc: ssrc, marker: markNext, payload: encoder.encode(pcm))
        advance()
        return packet
    }

    private mutating func advance() {
        markNext = false
        sequenceNumber &+= 1
        timestamp &+= UInt32(codec.timestampsPerFrame)
    }
}
