import Foundation

/// The Goertzel algorithm: the power of one frequency in a block of samples.
///
/// For a block x[0..<N] at rate fs and a frequency f: with ω = 2πf/fs and
/// s[n] = x[n] + 2cos(ω)·s[n−1] − s[n−2], the power is |X(f)|² = s[N−1]² + s[N−2]² − 2cos(ω)·s[N−1]·s[N−2].
/// ``fractionOfEnergy(at:in:sampleRate:)`` compares that with the block's energy E = Σx²:
/// 2·|X(f)|² / (N·E), which is 1 for a pure sine at f (over whole cycles) and near 0 when f is absent.
/// The interoperability tests' Python computes the same formula.
public enum Goertzel {
    /// |X(f)|² of `samples` at `sampleRate`.
    public static func power(at frequency: Double, in samples: [Int16], sampleRate: Int) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var previous = 0.0
        var beforePrevious = 0.0
        for sample in samples {
            let current = Double(sample) + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
    }

    /// Σx² of `samples`.
    public static func energy(of samples: [Int16]) -> Double {
        samples.reduce(0) { $0 + Double($1) * Double($1) }
    }

    /// The share (0...1, about) of the block's energy at `frequency`; 0 for a silent block.
    public static func fractionOfEnergy(at frequency: Double, in samples: [Int16], sampleRate: Int) -> Double {
        let energy = energy(of: samples)
        guard energy > 0, !samples.isEmpty else { return 0 }
        return 2 * power(at: frequency, in: samples, sampleRate: sampleRate) / (Double(samples.count) * energy)
    }
}
