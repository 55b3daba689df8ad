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
///
/// ## Locks: deadlock-free by construction
///
/// The streams' callbacks (`mix`, `captured`, `ringFrame`, a slot's `failed`) run on the sound
/// backend's thread holding the backend's lock (PulseAudio's threaded main loop lock), and
/// opening or stopping a stream takes that lock. Two rules keep every wait acyclic:
///
/// 1. **Every lock here is a leaf**: while `CallAudio`'s or a `StreamSlot`'s lock is held, values
///    are only read and written — no other lock is taken, no stream is opened, stopped or released
///    (its last reference dropped), no thread is started, nothing outside is called. A holder of
///    one of these locks therefore never waits for anything, so the sound thread, which may wait
///    for them, always gets them.
/// 2. **The backend's lock is taken holding no lock**: streams are opened and stopped on threads
///    of their own (`Background`), and a stream is released only outside every lock.
///
/// So no thread ever waits for a lock while holding one, except the sound thread, which waits
/// only for leaf locks: no cycle of waits can form. (Both PulseAudio's lock and Swift's `Mutex`
/// are priority-inheritance futexes on Linux; the kernel reports a cycle among them as EDEADLK,
/// which glibc turns into an assertion failure: that is how a broken rule shows.)
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
        /// Counts the changes of which streams are wanted, so that wishes read under the lock by
        /// two threads reach the slots (outside the lock) in the order of the state they read.
        var version: UInt64 = 0

        /// Which streams the state wants now, as the next version.
        mutating func wishes() -> Wishes {
            version += 1
            return Wishes(version: version, playback: !calls.isEmpty || ringback, capture: !calls.isEmpty,
                          ring: ringing)
        }
    }

    /// Which streams are wanted, as of one version of the state.
    private struct Wishes {
        let version: UInt64
        let playback: Bool
        let capture: Bool
        let ring: Bool
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
        let (wishes, replaced) = state.withLock { state in
            let replaced = state.calls.updateValue(Call(receive: receive, capture: queue), forKey: id)
            return (state.wishes(), replaced)
        }
        _ = replaced  // released here, outside the lock (rule 1)
        updateStreams(wishes)
    }

    func detach(_ id: String) {
        let (wishes, removed) = state.withLock { state in
            let removed = state.calls.removeValue(forKey: id)
            return (state.wishes(), removed)
        }
        _ = removed  // released here, outside the lock (rule 1)
        updateStreams(wishes)
    }

    /// The tones the state asks for: the ring tone while a signalled call rings, the
    /// ringback while an outbound call rings without early media.
    func setTones(ring ringing: Bool, ringback: Bool) {
        let wishes = state.withLock { state -> Wishes? in
            let changed = state.ringing != ringing || state.ringback != ringback
            if ringing, !state.ringing { state.ringTone.restart() }
            if ringback, !state.ringback { state.ringbackTone.restart() }
            state.ringing = ringing
            state.ringback = ringback
            return changed ? state.wishes() : nil
        }
        if let wishes { updateStreams(wishes) }
    }

    /// The device latency of the playback stream, when it is open.
    var playbackLatency: Duration? { playback.latency }

    /// Stops every stream (at exit).
    func stop() {
        let (wishes, calls) = state.withLock { state in
            let calls = state.calls
            state.calls = [:]
            state.ringing = false
            state.ringback = false
            return (state.wishes(), calls)
        }
        _ = calls  // released here, outside the lock (rule 1)
        updateStreams(wishes)
    }

    // MARK: Streams

    /// Hands `wishes` to the slots, holding no lock (rule 2): a slot applies only a version newer
    /// than the last it applied, so a wish that lost a race to a newer one is dropped.
    private func updateStreams(_ wishes: Wishes) {
        // The streams' threads reach this object weakly: stopping it never waits for them.
        let backend = self.backend, devices = self.devices, me = Weak(self)
        playback.want(wishes.playback, version: wishes.version) { (failed) throws(AudioDeviceError) -> any AudioStream in
            try backend.openPlayback(device: devices.playback, streamName: "call",
                                     pull: { frame in me.value?.mix(into: &frame) }, failed: failed)
        }
        capture.want(wishes.capture, version: wishes.version) { (failed) throws(AudioDeviceError) -> any AudioStream in
            try backend.openCapture(device: devices.capture, streamName: "microphone",
                                    push: { frame in me.value?.captured(frame) }, failed: failed)
        }
        ring.want(wishes.ring, version: wishes.version) { (failed) throws(AudioDeviceError) -> any AudioStream in
            try backend.openPlayback(device: devices.ring, streamName: "ring tone",
                                     pull: { frame in me.value?.ringFrame(into: &frame) }, failed: failed)
        }
    }

    /// The next playback frame: every heard call's audio and the ringback, summed with saturation.
    /// Runs on the playback stream's thread; the calls are read under the lock, their audio
    /// decoded outside it (rule 1).
    func mix(into frame: inout [Int16]) {
        let count = AudioFormat.frameSamples
        var sum = [Int32](repeating: 0, count: count)
        let now = ContinuousClock.now
        let (receivers, tone) = state.withLock { state -> ([ReceiveChain], [Int16]?) in
            (state.calls.values.map(\.receive), state.ringback ? state.ringbackTone.nextFrame() : nil)
        }
        for receiver in receivers {
            let samples = receiver.nextFrame(at: now)
            for index in 0..<min(count, samples.count) { sum[index] += Int32(samples[index]) }
        }
        if let tone {
            for index in 0..<min(count, tone.count) { sum[index] += Int32(tone[index]) }
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
///
/// Its lock is a leaf (see `CallAudio`): under it only the slot's values change; the stream is
/// opened, stopped and released outside it, by a thread that holds no lock.
final class StreamSlot: Sendable {
    typealias Opener = @Sendable (_ failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream

    private struct State {
        var wanted = false
        /// The version of the last wish applied (`want`).
        var version: UInt64 = 0
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

    /// Opens the stream with `open` when `wanted` and none is open, or stops the open one when not;
    /// a wish older than `version`s already applied changes nothing. Call it holding no lock: it
    /// may release the slot's stream.
    func want(_ wanted: Bool, version: UInt64, open: Opener?) {
        var open = open
        let (toOpen, toStop) = state.withLock { state -> (Opener?, (any AudioStream)?) in
            guard version > state.version else { return (nil, nil) }
            state.version = version
            state.wanted = wanted
            // The opener replaced leaves in `open`, released outside the lock.
            if open != nil { swap(&state.opener, &open) }
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
    /// Runs on the sound thread, holding the backend's lock: takes only the slot's (leaf) lock.
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
