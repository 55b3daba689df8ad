import CSpeexDSP

/// Converts mono 16-bit PCM between sampling rates with speexdsp's resampler (a windowed-sinc filter).
///
/// A converter keeps the filter's history, so a stream is fed frame after frame through one
/// converter and comes out without seams; ``process(_:)`` returns what the input made available
/// (for rates in whole ratios, such as 8 or 16 kHz to 48 kHz, exactly the input scaled by the ratio).
/// Owns the C state; not thread-safe.
public final class SampleRateConverter {
    /// The input rate, Hz.
    public let sourceRate: Int
    /// The output rate, Hz.
    public let targetRate: Int
    private let state: OpaquePointer?

    /// speexdsp's quality for calls (0...10): 5 keeps telephone-band audio clean at little cost.
    public static let voiceQuality = 5

    /// A converter from `sourceRate` to `targetRate` at `quality` (0...10, speexdsp's scale).
    /// Equal rates pass samples through unchanged.
    /// - Throws: ``VoiceCodecError`` for rates speexdsp refuses (not positive, or absurd).
    public init(from sourceRate: Int, to targetRate: Int, quality: Int = voiceQuality) throws(VoiceCodecError) {
        self.sourceRate = sourceRate
        self.targetRate = targetRate
        guard sourceRate != targetRate else {
            state = nil
            return
        }
        guard sourceRate > 0, targetRate > 0, sourceRate <= 1_000_000, targetRate <= 1_000_000 else {
            throw .creationFailed(library: "speexdsp resampler", reason: "rates \(sourceRate) → \(targetRate) Hz")
        }
        var error: Int32 = 0
        let state = speex_resampler_init(1, UInt32(sourceRate), UInt32(targetRate), Int32(min(10, max(0, quality))), &error)
        guard let state, error == 0 else {
            throw .creationFailed(library: "speexdsp resampler", reason: String(cString: speex_resampler_strerror(error)))
        }
        self.state = state
    }

    deinit {
        if let state { speex_resampler_destroy(state) }
    }

    /// The next piece of the stream at the target rate.
    public func process(_ samples: [Int16]) -> [Int16] {
        guard let state, !samples.isEmpty else { return samples }
        // Room for the ratio plus the filter's rounding.
        let capacity = samples.count * targetRate / sourceRate + 16
        var output = [Int16](repeating: 0, count: capacity)
        var produced = 0
        var consumed = 0
        output.withUnsafeMutableBufferPointer { out in
            samples.withUnsafeBufferPointer { input in
                // The resampler may stop early when its output is full; loop until the input is used.
                while consumed < input.count, produced < out.count {
                    var inLength = UInt32(input.count - consumed)
                    var outLength = UInt32(out.count - produced)
                    let status = speex_resampler_process_int(state, 0, input.baseAddress! + consumed, &inLength,
                                                             out.baseAddress! + produced, &outLength)
                    guard status == 0, inLength > 0 || outLength > 0 else { break }
                    consumed += Int(inLength)
                    produced += Int(outLength)
                }
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// A whole recording converted in one go, aligned with its input and of length
    /// `samples.count × targetRate / sourceRate`: the filter's delay is removed and both ends are
    /// extended with the edge samples, so a recording neither fades in nor out.
    public static func convert(_ samples: [Int16], from sourceRate: Int, to targetRate: Int,
                               quality: Int = 8) throws(VoiceCodecError) -> [Int16] {
        guard sourceRate != targetRate, let first = samples.first, let last = samples.last else { return samples }
        let converter = try SampleRateConverter(from: sourceRate, to: targetRate, quality: quality)
        guard let state = converter.state else { return samples }
        let latency = Int(speex_resampler_get_input_latency(state))
        // Lead-in of whole ratio periods, so that it maps to a whole number of output samples.
        let divisor = gcd(sourceRate, targetRate)
        let period = sourceRate / divisor
        let leadIn = (latency + period - 1) / period * period
        let leadOut = latency * 2 + period
        speex_resampler_skip_zeros(state)
        let extended = [Int16](repeating: first, count: leadIn) + samples + [Int16](repeating: last, count: leadOut)
        let output = converter.process(extended)
        let skip = leadIn / period * (targetRate / divisor)
        let count = samples.count * targetRate / sourceRate
        guard output.count >= skip else { return [] }
        return Array(output[skip..<min(output.count, skip + count)])
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
