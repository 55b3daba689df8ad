/// An endless iterator of 20 ms frames (160 samples at 8 kHz) that loops over its samples.
///
/// Frames are always exactly ``AudioSource/samplesPerFrame`` long: a frame that crosses the end of
/// the samples continues from their start, and with no samples every frame is silence.
public struct AudioFrames: IteratorProtocol, Sequence, Sendable {
    private let samples: [Int16]
    private var position = 0

    init(samples: [Int16]) {
        self.samples = samples
    }

    /// The next frame; never `nil`.
    public mutating func next() -> [Int16]? {
        let count = AudioSource.samplesPerFrame
        guard !samples.isEmpty else { return [Int16](repeating: 0, count: count) }
        var frame: [Int16] = []
        frame.reserveCapacity(count)
        while frame.count < count {
            let take = Swift.min(count - frame.count, samples.count - position)
            frame.append(contentsOf: samples[position..<position + take])
            position += take
            if position == samples.count { position = 0 }
        }
        return frame
    }
}
