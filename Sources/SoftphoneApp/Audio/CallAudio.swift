import AudioDevice
import Foundation
import RTPMedia
import SoftphoneConfig
import Synchronization

/// The sound of the softphone's calls on the agent's devices (docs/design-sound.md):
/// a playback stream that mixes every call the agent hears (and the ringback tone), a
/// capture stream whose frames go to every call, and a ring stream on the ring device
/// while a signalled call rings.
///
/// Streams open when first wanted and close when no longer wanted, each opened and
/// stopped off the caller's thread (a sound server can be slow to answer; the SIP line's
/// event loop must never wait for it). A device that cannot be opened is said once in the
/// Log tab; calls then carry silence, never fail.
package final class CallAudio: Sendable {
    private struct Call {
        let receive: ReceiveChain
        let capture: CaptureQueue
    }

    private struct State {
        var calls: [String: Call] = [:]
        var ringback = false
        var ringbackTone = ToneGenerator(.ringback, sampleRate: AudioFormat.sampleRate)
        var ringTone = ToneGenerator(.ring, sampleRate: AudioFormat.sampleRate)
        var ringing = false
    }

    private let backend: any AudioBackend
    /// The device names of `[audio]`.
    private let devices: AudioSettings
    private let state = Mutex(State())
    private let playback: StreamSlot
    private let capture: StreamSlot
    private let ring: StreamSlot

    /// - Parameter note: receives what the Log tab should say (a device that failed).
    init(backend: any AudioBackend, devices: AudioSettings, note: @escaping @Sendable (String) -> Void) {
        self.backend = backend
        self.devices = devices
        playback = StreamSlot(role: "playback", device: devices.playback, note: note)
        capture = StreamSlot(role: "capture", device: devices.capture, note: note)
        ring = StreamSlot(role: "ring", device: devices.ring, note: note)
    }

    // MARK: Calls

    /// A call's media started: its received audio is mixed into playback from now on, and
    /// the microphone's frames are queued for it.
    func attach(_ id: String, receive: ReceiveChain, capture queue: CaptureQueue) {
        state.withLock { $0.calls[id] = Call(receive: receive, capture: queue) }
        updateStreams()
    }

    func detach(_ id: String) {
        state.withLock { _ = $0.calls.removeValue(forKey: id) }
        updateStreams()
    }

    /// The tones the state asks for: the ring tone while a signalled call rings, the
    /// ringback while an outbound call rings without early media.
    func setTones(ring ringing: Bool, ringback: Bool) {
        let changed = state.withLock { state -> Bool in
            let changed = state.ringing != ringing || state.ringback != ringback
            if ringing, !state.ringing { state.ringTone.restart() }
            if ringback, !state.ringback { state.ringbackTone.restart() }
            state.ringing = ringing
            state.ringback = ringback
            return changed
        }
        if changed { updateStreams() }
    }

    /// The device latency of the playback stream, when it is open.
    var playbackLatency: Duration? { playback.latency }

    /// Stops every stream (at exit).
    func stop() {
        state.withLock { state in
            state.calls = [:]
            state.ringing = false
            state.ringback = false
        }
        for slot in [playback, capture, ring] { slot.want(false, open: nil) }
    }

    // MARK: Streams

    private func updateStreams() {
        // The streams' threads reach this object weakly: stopping it never waits for them.
        let backend = self.backend, devices = self.devices, me = Weak(self)
        // Under the lock, so that the wishes of two threads (the line's loop attaching a call, the
        // runtime asking for a tone) reach the slots in the order of the state they read.
        state.withLock { state in
            let calls = !state.calls.isEmpty
            playback.want(calls || state.ringback) { (failed) throws(AudioDeviceError) -> any AudioStream in
                try backend.openPlayback(device: devices.playback, streamName: "call",
                                         pull: { frame in me.value?.mix(into: &frame) }, failed: failed)
            }
            capture.want(calls) { (failed) throws(AudioDeviceError) -> any AudioStream in
                try backend.openCapture(device: devices.capture, streamName: "microphone",
                                        push: { frame in me.value?.captured(frame) }, failed: failed)
            }
            ring.want(state.ringing) { (failed) throws(AudioDeviceError) -> any AudioStream in
                try backend.openPlayback(device: devices.ring, streamName: "ring tone",
                                         pull: { frame in me.value?.ringFrame(into: &frame) }, failed: failed)
            }
        }
    }

    /// The next playback frame: every heard call's audio and the ringback, summed with saturation.
    /// Runs on the playback stream's thread.
    func mix(into frame: inout [Int16]) {
        let count = AudioFormat.frameSamples
        var sum = [Int32](repeating: 0, count: count)
        let now = ContinuousClock.now
        state.withLock { state in
            for call in state.calls.values {
                let samples = call.receive.nextFrame(at: now)
                for index in 0..<min(count, samples.count) { sum[index] += Int32(samples[index]) }
            }
            if state.ringback {
                let tone = state.ringbackTone.nextFrame()
                for index in 0..<min(count, tone.count) { sum[index] += Int32(tone[index]) }
            }
        }
        if frame.count != count { frame = [Int16](repeating: 0, count: count) }
        for index in 0..<count { frame[index] = Int16(clamping: sum[index]) }
    }

    /// A microphone frame, queued for every call. Runs on the capture stream's thread.
    func captured(_ frame: [Int16]) {
        let queues = state.withLock { $0.calls.values.map(\.capture) }
        for queue in queues { queue.push(frame) }
    }

    /// The next frame of the ring tone (silence once no call rings). Runs on the ring stream's thread.
    func ringFrame(into frame: inout [Int16]) {
        frame = state.withLock { state in
            state.ringing ? state.ringTone.nextFrame() : [Int16](repeating: 0, count: AudioFormat.frameSamples)
        }
    }
}

/// The microphone's 20 ms frames for one call, taken one per slot by its send timer.
///
/// Holds at most a few frames: when the capture device runs a little faster than the
/// send timer, the oldest frames go, so the delay cannot grow.
final class CaptureQueue: Sendable {
    static let limit = 3
    private let frames = Mutex<[[Int16]]>([])

    init() {}

    func push(_ frame: [Int16]) {
        frames.withLock { frames in
            if frames.count >= Self.limit { frames.removeFirst(frames.count - Self.limit + 1) }
            frames.append(frame)
        }
    }

    /// The oldest frame, or nil when none is waiting (the slot then sends silence).
    func pop() -> [Int16]? {
        frames.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}

/// One device stream that is opened while wanted and stopped when not, off the caller's thread.
final class StreamSlot: Sendable {
    typealias Opener = @Sendable (_ failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream

    private struct State {
        var wanted = false
        var opening = false
        var stream: (any AudioStream)?
        var opener: Opener?
        /// The last failure said in the Log tab, so a device that stays broken is said once.
        var lastFailure: String?
        /// The stream being opened failed before `open` could keep it.
        var failedWhileOpening = false
    }

    let role: String
    let device: String
    private let note: @Sendable (String) -> Void
    private let state = Mutex(State())

    init(role: String, device: String, note: @escaping @Sendable (String) -> Void) {
        self.role = role
        self.device = device
        self.note = note
    }

    var latency: Duration? { state.withLock { $0.stream?.latency } }

    /// Opens the stream with `open` when `wanted` and none is open, or stops the open one when not.
    func want(_ wanted: Bool, open: Opener?) {
        let (toOpen, toStop) = state.withLock { state -> (Opener?, (any AudioStream)?) in
            state.wanted = wanted
            if let open { state.opener = open }
            if wanted {
                guard state.stream == nil, !state.opening, let opener = state.opener else { return (nil, nil) }
                state.opening = true
                return (opener, nil)
            }
            defer { state.stream = nil }
            return (nil, state.stream)
        }
        if let toStop { Background.run { toStop.stop() } }
        if let toOpen { Background.run { self.open(toOpen) } }
    }

    private func open(_ opener: Opener) {
        let result: Result<any AudioStream, AudioDeviceError>
        let started = ContinuousClock.now
        do {
            result = .success(try opener { [weak self] error in self?.failed(error) })
        } catch {
            result = .failure(error)
        }
        let took = (ContinuousClock.now - started).millisecondsValue.rounded()
        AppLog.audio("sound: \(role) stream on \"\(device)\" \((try? result.get()) == nil ? "failed" : "open") after \(took) ms")
        let keep = state.withLock { state -> Bool in
            state.opening = false
            defer { state.failedWhileOpening = false }
            guard case .success(let stream) = result, state.wanted, !state.failedWhileOpening else { return false }
            state.stream = stream
            state.lastFailure = nil
            return true
        }
        switch result {
        case .success(let stream):
            if !keep { stream.stop() }
        case .failure(let error):
            say(error)
        }
    }

    /// The stream broke while playing (the server went away): said once; the next call opens it again.
    private func failed(_ error: AudioDeviceError) {
        let stream = state.withLock { state -> (any AudioStream)? in
            if state.stream == nil, state.opening { state.failedWhileOpening = true }
            defer { state.stream = nil }
            return state.stream
        }
        if let stream { Background.run { stream.stop() } }
        say(error)
    }

    private func say(_ error: AudioDeviceError) {
        let text = "\(error)"
        let fresh = state.withLock { state -> Bool in
            defer { state.lastFailure = text }
            return state.lastFailure != text
        }
        if fresh { note("sound: \(role) device \"\(device)\": \(text); calls go on without it") }
    }
}

/// A weak reference that closures on other threads may hold.
private struct Weak<Object: AnyObject & Sendable>: Sendable {
    weak var value: Object?
    init(_ value: Object) { self.value = value }
}

/// Work that may block (a sound server's answer), run on a thread that is not the event loop's.
enum Background {
    static func run(_ work: @escaping @Sendable () -> Void) {
        Thread.detachNewThread(work)
    }
}
