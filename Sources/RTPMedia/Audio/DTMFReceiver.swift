/// Recognises DTMF digits in received RFC 4733 telephone-event packets.
///
/// An event is identified by its RTP timestamp (all its packets, including the three end packets,
/// carry the event's start): the first packet with a timestamp not seen lately yields the digit, and
/// its repeats, retransmitted ends and packets arriving out of order yield nothing more.
public struct DTMFReceiver: Sendable {
    /// The timestamps of the most recent events, to ignore their repeats.
    private var recent: [UInt32] = []
    /// How many recent events are remembered.
    static let memory = 16

    public init() {}

    /// The digit a received telephone-event payload starts, if it starts one.
    public mutating func receive(_ payload: some Collection<UInt8>, timestamp: UInt32) -> Character? {
        guard let event = TelephoneEventPayload(parsing: payload), let digit = DTMFEvent.character(of: event.event),
              !recent.contains(timestamp) else { return nil }
        recent.append(timestamp)
        if recent.count > Self.memory { recent.removeFirst() }
        return digit
    }
}
