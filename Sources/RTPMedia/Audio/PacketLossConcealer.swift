import CSpanDSP

/// spandsp's packet loss concealer for G.711 and G.722: it keeps a history of the audio received
/// and, for a lost frame, repeats the last pitch period with overlap-add, fading out over 50 ms.
///
/// Owns the C state; not thread-safe.
public final class PacketLossConcealer {
    private let state: UnsafeMutablePointer<plc_state_t>

    /// A concealer with empty history.
    public init() throws(VoiceCodecError) {
        guard let state = plc_init(nil) else {
            throw .creationFailed(library: "spandsp PLC", reason: "no state")
        }
        self.state = state
    }

    deinit {
        plc_free(state)
    }

    /// Records received audio; after a loss it also smooths the join, so `samples` may change.
    public func received(_ samples: inout [Int16]) {
        guard !samples.isEmpty else { return }
        let count = Int32(samples.count)
        samples.withUnsafeMutableBufferPointer { buffer in
            _ = plc_rx(state, buffer.baseAddress, count)
        }
    }

    /// `count` samples standing in for lost audio.
    public func fillIn(count: Int) -> [Int16] {
        var samples = [Int16](repeating: 0, count: count)
        guard count > 0 else { return samples }
        samples.withUnsafeMutableBufferPointer { buffer in
            _ = plc_fillin(state, buffer.baseAddress, Int32(count))
        }
        return samples
    }
}
