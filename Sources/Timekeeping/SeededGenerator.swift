/// SplitMix64: the program's one small, seedable random source. A value type, so
/// copying an engine copies its randomness: the same seed gives the same demo roster,
/// script and emulator churn, and the same SIP tags, branches and client nonces — in
/// tests and in fuzzing.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
