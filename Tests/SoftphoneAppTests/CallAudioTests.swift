import AudioDevice
import Foundation
import RTPMedia
import SoftphoneConfig
import Synchronization
import Testing
@testable import SoftphoneApp

/// A backend without a sound server: records what is opened and hands the tests the callbacks.
final class FakeAudioBackend: AudioBackend, Sendable {
    final class Stream: AudioStream, Sendable {
        let device: String
        let streamName: String
        let pull: (@Sendable (inout [Int16]) -> Void)?
        let push: (@Sendable ([Int16]) -> Void)?
        let failed: @Sendable (AudioDeviceError) -> Void
        private let stopped = Mutex(false)

        init(device: String, streamName: String, pull: (@Sendable (inout [Int16]) -> Void)?,
             push: (@Sendable ([Int16]) -> Void)?, failed: @escaping @Sendable (AudioDeviceError) -> Void) {
            self.device = device
            self.streamName = streamName
            self.pull = pull
            self.push = push
            self.failed = failed
        }

        var isStopped: Bool { stopped.withLock { $0 } }
        func stop() { stopped.withLock { $0 = true } }
        var latency: Duration { .milliseconds(30) }

        /// One frame from a playback stream, as the device would ask for it.
        func pullFrame() -> [Int16] {
            var frame = [Int16](repeating: 0, count: AudioFormat.frameSamples)
            pull?(&frame)
            return frame
        }
    }

    private let opened = Mutex<[Stream]>([])
    /// Devices that refuse to open, with the error they give.
    let refusing: [String: AudioDeviceError]

    init(refusing: [String: AudioDeviceError] = [:]) { self.refusing = refusing }

    var streams: [Stream] { opened.withLock { $0 } }
    /// The open (not stopped) stream named `name`, if any.
    func live(_ name: String) -> Stream? { streams.last { $0.streamName == name && !$0.isStopped } }

    func devices() throws(AudioDeviceError) -> [AudioDeviceInfo] {
        [AudioDeviceInfo(name: "speakers", description: "Speakers", kind: .playback, isDefault: true),
         AudioDeviceInfo(name: "mic", description: "Microphone", kind: .capture, isDefault: true)]
    }

    func openPlayback(device: String, streamName: String, pull: @escaping @Sendable (inout [Int16]) -> Void,
                      failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        if let error = refusing[device] { throw error }
        let stream = Stream(device: device, streamName: streamName, pull: pull, push: nil, failed: failed)
        opened.withLock { $0.append(stream) }
        return stream
    }

    func openCapture(device: String, streamName: String, push: @escaping @Sendable ([Int16]) -> Void,
                     failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        if let error = refusing[device] { throw error }
        let stream = Stream(device: device, streamName: streamName, pull: nil, push: push, failed: failed)
        opened.withLock { $0.append(stream) }
        return stream
    }
}

/// Lines said in the Log tab.
final class Notes: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func add(_ line: String) { lines.withLock { $0.append(line) } }
}

/// Polls `condition` every 5 ms for at most `timeout` (which only bounds a failing test).
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}

@Suite("Call audio: streams, mixing, tones")
struct CallAudioTests {
    let devices = AudioSettings(playback: "speakers", capture: "mic", ring: "bell")

    @Test("no stream is open without a call or a tone; a call opens playback and capture, its end closes them")
    func streamsFollowTheCalls() async throws {
        let backend = FakeAudioBackend()
        let audio = CallAudio(backend: backend, devices: devices, note: { _ in })
        #expect(backend.streams.isEmpty)
        let receiver = try ReceiveChain(codec: .pcmu, payloadType: 0, telephoneEventPayloadType: nil)
        audio.attach("call-1", receive: receiver, capture: CaptureQueue())
        #expect(await eventually { backend.live("call") != nil && backend.live("microphone") != nil })
        #expect(backend.live("call")?.device == "speakers")
        #expect(backend.live("microphone")?.device == "mic")
        #expect(backend.live("ring tone") == nil)
        audio.detach("call-1")
        #expect(await eventually { backend.live("call") == nil && backend.live("microphone") == nil })
        audio.stop()
    }

    @Test("the ring tone plays on the ring device only while asked, and stops at once")
    func ringTone() async throws {
        let backend = FakeAudioBackend()
        let audio = CallAudio(backend: backend, devices: devices, note: { _ in })
        audio.setTones(ring: true, ringback: false)
        #expect(await eventually { backend.live("ring tone") != nil })
        let ring = try #require(backend.live("ring tone"))
        #expect(ring.device == "bell")
        let frame = ring.pullFrame()
        #expect(Goertzel.fractionOfEnergy(at: 440, in: frame, sampleRate: 48000)
                + Goertzel.fractionOfEnergy(at: 480, in: frame, sampleRate: 48000) > 0.5)  // 20 ms is a coarse window for two tones 40 Hz apart
        #expect(backend.live("call") == nil)  // the ring device only
        audio.setTones(ring: false, ringback: false)
        // Silent from the very next frame, whether or not the stream has stopped yet.
        #expect(ring.pullFrame().allSatisfy { $0 == 0 })
        #expect(await eventually { ring.isStopped })
        audio.stop()
    }

    @Test("the microphone's frames go to every call; playback mixes the calls and the ringback")
    func mixAndFanOut() async throws {
        let backend = FakeAudioBackend()
        let audio = CallAudio(backend: backend, devices: devices, note: { _ in })
        let first = CaptureQueue(), second = CaptureQueue()
        audio.attach("a", receive: try ReceiveChain(codec: .pcmu, payloadType: 0, telephoneEventPayloadType: nil),
                     capture: first)
        audio.attach("b", receive: try ReceiveChain(codec: .pcma, payloadType: 8, telephoneEventPayloadType: nil),
                     capture: second)
        #expect(await eventually { backend.live("microphone") != nil && backend.live("call") != nil })
        let microphone = try #require(backend.live("microphone"))
        let spoken = [Int16](repeating: 1234, count: AudioFormat.frameSamples)
        microphone.push?(spoken)
        #expect(first.pop() == spoken)
        #expect(second.pop() == spoken)
        #expect(first.pop() == nil)
        // Nothing received yet: silence, until the ringback is asked for.
        let playback = try #require(backend.live("call"))
        #expect(playback.pullFrame().allSatisfy { $0 == 0 })
        audio.setTones(ring: false, ringback: true)
        #expect(Goertzel.energy(of: playback.pullFrame()) > 0)
        audio.stop()
        #expect(await eventually { backend.streams.allSatisfy(\.isStopped) })
    }

    @Test("a capture queue keeps only the newest frames, so the delay cannot grow")
    func captureQueueBounded() {
        let queue = CaptureQueue()
        for value in 0..<10 { queue.push([Int16(value)]) }
        var taken: [[Int16]] = []
        while let frame = queue.pop() { taken.append(frame) }
        #expect(taken == [[7], [8], [9]])
    }

    @Test("a device that cannot open is said once in the Log tab; the call goes on")
    func refusedDeviceSaidOnce() async throws {
        let backend = FakeAudioBackend(refusing: ["speakers": AudioDeviceError(.noDevice(kind: .playback, name: "speakers"))])
        let notes = Notes()
        let audio = CallAudio(backend: backend, devices: devices, note: notes.add)
        for round in 0..<2 {
            let id = "call-\(round)"
            audio.attach(id, receive: try ReceiveChain(codec: .pcmu, payloadType: 0, telephoneEventPayloadType: nil),
                         capture: CaptureQueue())
            #expect(await eventually { backend.live("microphone") != nil })
            audio.detach(id)
            #expect(await eventually { backend.live("microphone") == nil })
        }
        #expect(await eventually { !notes.all.isEmpty })
        #expect(notes.all.count == 1)
        #expect(notes.all.first?.contains("playback device \"speakers\"") == true)
        audio.stop()
    }

    @Test("without a sound server the line falls back to the fixed source and says why")
    func noServerFallsBack() {
        let notes = Notes()
        struct NoServer: AudioBackend {
            func devices() throws(AudioDeviceError) -> [AudioDeviceInfo] {
                throw AudioDeviceError(.noServer(server: "unix:/nowhere", detail: "connection refused"))
            }
            func openPlayback(device: String, streamName: String, pull: @escaping @Sendable (inout [Int16]) -> Void,
                              failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
                throw AudioDeviceError(.noServer(server: "unix:/nowhere", detail: "connection refused"))
            }
            func openCapture(device: String, streamName: String, push: @escaping @Sendable ([Int16]) -> Void,
                             failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
                throw AudioDeviceError(.noServer(server: "unix:/nowhere", detail: "connection refused"))
            }
        }
        let audio = AudioSettings(backend: .pulse).lineAudio(fallback: .silence, backend: NoServer(), note: notes.add)
        guard case .fixed = audio else {
            Issue.record("expected the fixed source")
            return
        }
        #expect(notes.all.count == 1)
        #expect(notes.all.first?.contains("calls carry silence") == true)
        #expect(notes.all.first?.contains("connection refused") == true)
    }

    @Test("a device name the server does not have is said at start")
    func unknownDeviceSaid() {
        let notes = Notes()
        let audio = AudioSettings(backend: .pulse, playback: "nosuch", capture: "mic", ring: "default")
            .lineAudio(fallback: .silence, backend: FakeAudioBackend(), note: notes.add)
        #expect(audio.engine != nil)
        #expect(notes.all == ["sound: no playback device named \"nosuch\" (softphone devices lists them)"])
    }
}

/// A backend with PulseAudio's threading, stricter than it: one device thread calls every open
/// stream back holding the backend's lock (PulseAudio's threaded main loop lock), and opening,
/// stopping and releasing a stream take that lock, every time, from any other thread (the real
/// stream takes it only for its first stop). Like PulseAudio's, the lock is a
/// priority-inheritance futex (a Swift `Mutex`): a cycle of waits through it is found by the
/// kernel, which ends the test process ("Recursive call to lock Mutex") instead of hanging it.
final class DeviceLoopBackend: AudioBackend, @unchecked Sendable {
    final class Stream: AudioStream, @unchecked Sendable {
        let backend: DeviceLoopBackend
        let streamName: String
        let pull: (@Sendable (inout [Int16]) -> Void)?
        let push: (@Sendable ([Int16]) -> Void)?
        let failed: @Sendable (AudioDeviceError) -> Void
        /// Under the backend's lock.
        var stopped = false

        init(backend: DeviceLoopBackend, streamName: String, pull: (@Sendable (inout [Int16]) -> Void)?,
             push: (@Sendable ([Int16]) -> Void)?, failed: @escaping @Sendable (AudioDeviceError) -> Void) {
            self.backend = backend
            self.streamName = streamName
            self.pull = pull
            self.push = push
            self.failed = failed
        }

        func stop() { backend.locked { stopped = true } }
        deinit { backend.locked { stopped = true } }
        var latency: Duration { .milliseconds(30) }
    }

    private struct Entry {
        weak var stream: Stream?
    }

    private let lock = Mutex(())
    /// Every stream opened (weakly), under `lock`.
    private nonisolated(unsafe) var entries: [Entry] = []
    private let deviceThread = Atomic<UInt>(0)
    private let running = Atomic(true)
    private let ended = DispatchSemaphore(value: 0)
    /// Rounds of callbacks the device thread made, and frames it handed over.
    let rounds = Atomic(0)
    let frames = Atomic(0)

    /// - Parameter failEvery: every how many rounds the device thread breaks one open stream (as a
    ///   server going away does: the stream ends and `failed` is called on the device thread).
    init(failEvery: Int) {
        Thread.detachNewThread { [self] in
            deviceThread.store(UInt(pthread_self()), ordering: .releasing)
            var frame = [Int16](repeating: 0, count: AudioFormat.frameSamples)
            var round = 0
            while running.load(ordering: .acquiring) {
                round += 1
                locked {
                    let live = entries.compactMap(\.stream).filter { !$0.stopped }
                    for stream in live {
                        stream.pull?(&frame)
                        stream.push?(frame)
                    }
                    frames.add(live.count, ordering: .relaxed)
                    entries.removeAll { $0.stream == nil }
                    if round % failEvery == 0, let victim = live.first {
                        victim.stopped = true
                        victim.failed(AudioDeviceError(.streamFailed(kind: .playback, device: "speakers",
                                                                     detail: "connection terminated")))
                    }
                }
                rounds.add(1, ordering: .relaxed)
                sched_yield()
            }
            ended.signal()
        }
    }

    /// Ends the device thread (bounded wait).
    func shutDown() -> Bool {
        running.store(false, ordering: .releasing)
        return ended.wait(timeout: .now() + 60) == .success
    }

    /// Runs `body` holding the lock; on the device thread, which holds it already, directly.
    func locked<R>(_ body: () -> R) -> R {
        if pthread_equal(pthread_self(), pthread_t(deviceThread.load(ordering: .acquiring))) != 0 { return body() }
        return lock.withLock { _ in body() }
    }

    /// The streams opened and not yet stopped or released.
    var liveCount: Int { locked { entries.compactMap(\.stream).filter { !$0.stopped }.count } }
    /// How many streams were opened in all.
    let openedCount = Atomic(0)

    func devices() throws(AudioDeviceError) -> [AudioDeviceInfo] { [] }

    func openPlayback(device: String, streamName: String, pull: @escaping @Sendable (inout [Int16]) -> Void,
                      failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        let stream = Stream(backend: self, streamName: streamName, pull: pull, push: nil, failed: failed)
        locked { entries.append(Entry(stream: stream)) }
        openedCount.add(1, ordering: .relaxed)
        return stream
    }

    func openCapture(device: String, streamName: String, push: @escaping @Sendable ([Int16]) -> Void,
                     failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        let stream = Stream(backend: self, streamName: streamName, pull: nil, push: push, failed: failed)
        locked { entries.append(Entry(stream: stream)) }
        openedCount.add(1, ordering: .relaxed)
        return stream
    }
}

@Suite("Call audio against a device thread that calls back under its lock")
struct CallAudioStressTests {
    @Test("many threads attaching, detaching and setting tones while the device thread mixes, records and breaks streams: no deadlock, every stream ends")
    func attachDetachTonesUnderLoad() async throws {
        let backend = DeviceLoopBackend(failEvery: 37)
        let notes = Notes()
        let audio = CallAudio(backend: backend, devices: AudioSettings(playback: "speakers", capture: "mic", ring: "bell"),
                              note: notes.add)
        let workers = 4, rounds = 400
        let receivers = try (0..<workers).map { _ in
            try ReceiveChain(codec: .pcmu, payloadType: 0, telephoneEventPayloadType: nil)
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    // Each round wants and unwants every stream, so streams open and stop all along.
                    for round in 0..<rounds {
                        let id = "call-\(worker)"
                        audio.setTones(ring: round % 2 == 0, ringback: round % 4 == 1)
                        audio.attach(id, receive: receivers[worker], capture: CaptureQueue())
                        audio.detach(id)
                    }
                }
                done.resume()
            }
        }
        #expect(await eventually(timeout: .seconds(60)) { backend.rounds.load(ordering: .relaxed) > 0 })
        audio.stop()
        // Every stream opened ends: stopped by the slots, broken by the device, or released.
        #expect(await eventually(timeout: .seconds(60)) { backend.liveCount == 0 })
        #expect(backend.openedCount.load(ordering: .relaxed) > 0, "\(backend.openedCount.load(ordering: .relaxed)) streams opened, \(backend.rounds.load(ordering: .relaxed)) device rounds")
        #expect(backend.shutDown())
    }
}
