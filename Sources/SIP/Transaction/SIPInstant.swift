/// A point in virtual time: the offset from an arbitrary origin chosen by the caller.
///
/// Transactions never read a clock; every event carries the instant it happened, and the
/// driver maps its clock (for example `ContinuousClock`) onto these offsets.
public struct SIPInstant: InstantProtocol, Sendable, Hashable, CustomStringConvertible {
    /// The time since the origin.
    public var offset: Duration

    /// An instant `offset` after the origin.
    public init(_ offset: Duration) { self.offset = offset }

    /// The origin.
    public static let zero = SIPInstant(.zero)

    public func advanced(by duration: Duration) -> SIPInstant { SIPInstant(offset + duration) }
    public func duration(to other: SIPInstant) -> Duration { other.offset - offset }
    public static func < (a: SIPInstant, b: SIPInstant) -> Bool { a.offset < b.offset }
    public var description: String { "t+\(offset)" }
}
