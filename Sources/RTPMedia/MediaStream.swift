/// What one call's RTP stream carries, as the offer/answer settled it.
public struct MediaStream: Sendable, Hashable {
    public var codec: VoiceCodec
    /// The audio payload type (the number the descriptions use).
    public var payloadType: UInt8
    /// The RFC 4733 telephone-event payload type, if both sides have it.
    public var telephoneEventPayloadType: UInt8?
    /// The telephone-event's clock rate when it is not the codec's RTP clock (a peer pairing
    /// Opus with telephone-event/8000): event durations are counted in it.
    public var telephoneEventClockRate: UInt32?
    /// The SRTP master keys when the call is encrypted (SDES); `nil` for plain RTP.
    public var srtp: SRTPKeys?

    public init(codec: VoiceCodec, payloadType: UInt8, telephoneEventPayloadType: UInt8? = nil,
                telephoneEventClockRate: UInt32? = nil, srtp: SRTPKeys? = nil) {
        self.telephoneEventClockRate = telephoneEventClockRate
        self.srtp = srtp
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
    }
}

/// Where a stream's 20 ms frames come from.
public enum FrameSource: Sendable {
    /// A fixed source at 8 kHz (silence or a WAV file), for machines without sound
    /// (`backend = "none"`). Nothing plays what arrives: the session drains its receive
    /// chain itself, one frame per slot.
    case audio(AudioSource)
    /// The agent's microphone: 48 kHz frames (960 samples) captured by the device, taken one
    /// per slot; `nil` when none is waiting (the slot sends silence). The playback device
    /// pulls the receive chain.
    case capture(@Sendable () -> [Int16]?)
}
