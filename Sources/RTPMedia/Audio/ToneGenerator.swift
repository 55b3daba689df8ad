import Foundation

/// Call-progress tones in 20 ms frames, timed by counting samples (no clock).
///
/// Both tones are the North American dual tone 440 + 480 Hz, 2 s on and 4 s off: ``Kind/ringback``
/// is what a caller hears while the far side rings (the local ringback of RFC 3960's context), and
/// ``Kind/ring`` what the agent's ring device plays for an incoming call. Each burst fades in and
/// out over 5 ms, so the cadence does not click.
public struct ToneGenerator: Sendable {
    /// A tone.
    public enum Kind: Sendable, Hashable {
        /// The ring of an incoming call, on the ring device.
        case ring
        /// The ringback of an outgoing call that rings.
        case ringback

        /// The frequencies summed, Hz.
        public var frequencies: [Double] { [440, 480] }
        /// Seconds on, then seconds off.
        public var cadence: (on: Double, off: Double) { (2, 4) }
    }

    /// The tone.
    public let kind: Kind
    /// The sampling rate of the frames, Hz.
    public let sampleRate: Int
    /// Peak amplitude of each component (−16 dBFS each; the sum peaks at −10 dBFS).
    public static let amplitude = 5200.0
    /// The fade at each end of a burst, seconds.
    static let fade = 0.005

    /// Samples generated so far.
    public private(set) var position = 0

    /// A generator at `sampleRate` (e.g. 48000 for the devices), starting at the start of a burst.
    public init(_ kind: Kind, sampleRate: Int) {
        self.kind = kind
        self.sampleRate = max(1, sampleRate)
    }

    /// Samples in one 20 ms frame.
    public var samplesPerFrame: Int { sampleRate / 50 }

    /// The next 20 ms frame.
    public mutating func nextFrame() -> [Int16] {
        next(count: samplesPerFrame)
    }

    /// The next `count` samples.
    public mutating func next(count: Int) -> [Int16] {
        let rate = Double(sampleRate)
        let on = Int(kind.cadence.on * rate)
        let period = on + Int(kind.cadence.off * rate)
        let fadeLength = max(1, Int(Self.fade * rate))
        var out = [Int16](repeating: 0, count: max(0, count))
        for index in out.indices {
            let n = position + index
            let phase = n % period
            guard phase < on else { continue }
            let envelope = min(1, Double(min(phase, on - 1 - phase)) / Double(fadeLength))
            let t = Double(n) / rate
            var value = 0.0
            for frequency in kind.frequencies {
                value += sin(2 * Double.pi * frequency * t)
            }
            out[index] = Int16(value * Self.amplitude * envelope)
        }
        position += out.count
        return out
    }

    /// Starts the cadence again from the beginning of a burst.
    public mutating func restart() {
        position = 0
    }
}
