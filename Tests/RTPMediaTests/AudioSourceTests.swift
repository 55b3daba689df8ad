import Testing
import RTPMedia

@Suite("Audio sources: 20 ms frames")
struct AudioSourceTests {
    @Test("silence gives 160 zero samples per frame, forever")
    func silence() {
        var frames = AudioSource.silence.frames()
        for _ in 0..<3 {
            #expect(frames.next() == [Int16](repeating: 0, count: 160))
        }
        #expect(AudioSource.samples([]).frames().prefix(2).allSatisfy { $0 == [Int16](repeating: 0, count: 160) })
    }

    @Test("samples are cut into frames and loop, also across a frame")
    func looping() {
        let samples = (0..<250).map { Int16($0) }
        var frames = AudioSource.samples(samples).frames()
        let first = frames.next()
        let second = frames.next()
        let third = frames.next()
        #expect(first == Array(samples[0..<160]))
        #expect(second == Array(samples[160..<250] + samples[0..<70]))
        #expect(third == Array(samples[70..<230]))
    }

    @Test("a source shorter than a frame repeats within the frame")
    func shortSource() {
        var frames = AudioSource.samples([1, 2, 3]).frames()
        let frame = frames.next() ?? []
        #expect(frame.count == 160)
        #expect(Array(frame.prefix(7)) == [1, 2, 3, 1, 2, 3, 1])
        #expect(frames.next()?.first == 2)  // 160 = 3 · 53 + 1
    }
}
