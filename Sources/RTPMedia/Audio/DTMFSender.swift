/// Sends DTMF digits as RFC 4733 telephone-events, one 20 ms slot at a time.
///
/// For each queued digit, starting at the slot's RTP timestamp T: ``toneFrames`` packets (marker bit on
/// the first) all stamped T with the duration growing by one frame each (one frame, two frames, …),
/// then ``endPackets`` packets with the E bit and the same final duration (section 2.5.1.4: the end
/// is sent three times), then at least ``gapFrames`` slots of audio before the next digit.
/// A slot without an event packet gives `nil`: the stream sends audio as usual.
public struct DTMFSender: Sendable {
    /// One telephone-event packet to send in place of audio.
    public struct Packet: Sendable, Hashable {
        /// The payload.
        public var payload: TelephoneEventPayload
        /// The RTP timestamp: the event's start.
        public var timestamp: UInt32
        /// Whether the RTP marker bit is set: on the first packet of an event.
        public var marker: Bool
    }

    /// Slots the tone lasts (100 ms).
    public static let toneFrames = 5
    /// End packets per event.
    public static let endPackets = 3
    /// Slots of audio between two digits (40 ms).
    public static let gapFrames = 2

    /// RTP timestamp units per 20 ms slot (the telephone-event clock is the audio stream's).
    public let frameSpan: UInt32
    /// The volume sent, −dBm0.
    public let volume: UInt8
    private var queue: [UInt8] = []
    /// The current event: code, start timestamp and slots sent so far.
    private var current: (event: UInt8, start: UInt32, slot: Int)?
    /// Audio slots still owed before the next digit may start.
    private var gapLeft = 0

    /// A sender for a stream whose 20 ms slot is `frameSpan` RTP units.
    public init(frameSpan: UInt32, volume: UInt8 = 10) {
        self.frameSpan = frameSpan
        self.volume = volume
    }

    /// Queues a DTMF character (`0`–`9`, `*`, `#`, `A`–`D`); `false` if it is not one.
    public mutating func queue(_ character: Character) -> Bool {
        guard let code = DTMFEvent.code(of: character) else { return false }
        queue.append(code)
        return true
    }

    /// Whether nothing is being sent or waiting.
    public var isIdle: Bool { current == nil && queue.isEmpty }

    /// The event packet for the slot starting at RTP `timestamp`, or `nil` to send audio.
    public mutating func next(timestamp: UInt32) -> Packet? {
        if current == nil {
            if gapLeft > 0 {
                gapLeft -= 1
                return nil
            }
            guard !queue.isEmpty else { return nil }
            current = (queue.removeFirst(), timestamp, 0)
        }
        guard var event = current else { return nil }
        event.slot += 1
        let tone = min(event.slot, Self.toneFrames)
        let duration = UInt16(clamping: Int(frameSpan) * tone)
        let ending = event.slot > Self.toneFrames
        let packet = Packet(payload: TelephoneEventPayload(event: event.event, end: ending, volume: volume, duration: duration),
                            timestamp: event.start, marker: event.slot == 1)
        if event.slot >= Self.toneFrames + Self.endPackets {
            current = nil
            gapLeft = Self.gapFrames
        } else {
            current = event
        }
        return packet
    }
}
