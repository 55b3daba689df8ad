/// Sample-rate conversion of mono 16-bit audio by linear interpolation.
///
/// When reducing the rate, each output sample is interpolated from a moving average over the
/// input samples it replaces, a crude low-pass filter that keeps most of the aliasing out of
/// telephone-band audio made from music-rate files.
enum Resampler {
    /// `samples` at `sourceRate` converted to `targetRate`. Both rates must be positive.
    static func resample(_ samples: [Int16], from sourceRate: Int, to targetRate: Int) -> [Int16] {
        guard sourceRate != targetRate, !samples.isEmpty else { return samples }
        let outputCount = samples.count * targetRate / sourceRate
        let input = sourceRate > targetRate ? smoothed(samples, width: sourceRate / targetRate) : samples
        var output: [Int16] = []
        output.reserveCapacity(outputCount)
        for index in 0..<outputCount {
            // The exact source position is index * sourceRate / targetRate.
            let numerator = index * sourceRate
            let left = numerator / targetRate
            let fraction = Double(numerator % targetRate) / Double(targetRate)
            let right = min(left + 1, input.count - 1)
            let value = Double(input[left]) + (Double(input[right]) - Double(input[left])) * fraction
            output.append(Int16(value.rounded()))
        }
        return output
    }

    /// A centred moving average of `width` samples; `width` below 2 changes nothing.
    private static func smoothed(_ samples: [Int16], width: Int) -> [Int16] {
        guard width >= 2 else { return samples }
        var prefix = [Int](repeating: 0, count: samples.count + 1)
        for (index, sample) in samples.enumerated() {
            prefix[index + 1] = prefix[index] + Int(sample)
        }
        return samples.indices.map { index in
            let low = max(0, index - width / 2)
            let high = min(samples.count, low + width)
            return Int16((prefix[high] - prefix[low]) / (high - low))
        }
    }
}
