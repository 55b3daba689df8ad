import CPulse
import Foundation
import Synchronization
import Timekeeping

/// One playback or capture stream: a `pa_stream` on its backend's shared threaded main loop.
///
/// Releasing the last reference to a stream that is still running stops it, which takes the
/// loop's lock: the last reference must never be dropped while holding a lock that a callback may
/// wait for (see `PulseLoop`). Once the stream has ended, releasing it takes no lock.
///
/// No thread of its own: the loop's thread calls the stream back. Playback: when the server asks
/// for bytes, `pull` fills whole 20 ms frames until the request is covered and each is written.
/// Capture: recorded bytes are gathered into 20 ms frames and each is pushed. A stream that breaks
/// (the server goes away) calls `failed` once and ends.
final class PulseStream: AudioStream {
    enum Work: Sendable {
        case playback(@Sendable (inout [Int16]) -> Void)
        case capture(@Sendable ([Int16]) -> Void)
    }

    private let core: StreamCore

    var control: StreamControl { core.control }

    private init(core: StreamCore) {
        self.core = core
    }

    deinit { core.stop() }

    func stop() { core.stop() }

    var latency: Duration { control.latency }

    static func open(backend: PulseAudioBackend, kind: AudioDeviceInfo.Kind, device: String, streamName: String,
                     work: Work, failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> PulseStream {
        let deadline = ContinuousClock.now.advanced(by: backend.timeout)
        let shared = backend.loop
        guard let loop = shared.mainloop() else {
            throw AudioDeviceError(.noServer(server: backend.serverDescription, detail: "cannot create a main loop"))
        }
        if shared.isLoopThread(loop) {
            // Waiting for the server here would wait for this very thread.
            throw AudioDeviceError(.streamFailed(kind: kind, device: device,
                                                 detail: "a stream cannot be opened from a stream's callback"))
        }
        let core = StreamCore(shared: shared, loop: loop, kind: kind, device: device, work: work, failed: failed)
        try shared.withLock(loop) { () throws(AudioDeviceError) in
            let context: OpaquePointer
            switch Result(catching: { () throws(PulseLoop.ContextFailure) in try shared.readyContext(loop, until: deadline) }) {
            case .success(let ready): context = ready
            case .failure(.timedOut): throw backend.timeoutError
            case .failure(.failed(let code)): throw backend.noServer(code)
            }
            if let code = core.connect(context: context, streamName: streamName) {
                throw backend.openingError(code, kind: kind, device: device)
            }
            let settled = shared.wait(loop, until: deadline) { core.hasSettled }
            if !settled {
                core.tearDown()
                throw backend.timeoutError
            }
            if let code = core.openingFailure {
                core.tearDown()
                throw backend.openingError(code, kind: kind, device: device)
            }
        }
        return PulseStream(core: core)
    }
}

/// The stream's side that the loop's thread calls back. Its variables are touched only under the
/// loop's lock (the callbacks run holding it).
final class StreamCore: @unchecked Sendable {
    let control = StreamControl()
    private let shared: PulseLoop
    private let loop: OpaquePointer
    private let kind: AudioDeviceInfo.Kind
    private let device: String
    private let work: PulseStream.Work
    private let failed: @Sendable (AudioDeviceError) -> Void

    private var stream: OpaquePointer?
    /// The stream reached READY (the opener returned it).
    private var running = false
    private var stopped = false
    /// The context's error when the stream failed.
    private var failureCode: Int32?
    /// The frame handed to `pull`, and the recorded samples not yet a whole frame.
    private var frame = [Int16](repeating: 0, count: AudioFormat.frameSamples)
    private var gathered: [Int16] = []

    private static let frameBytes = AudioFormat.frameSamples * MemoryLayout<Int16>.size

    init(shared: PulseLoop, loop: OpaquePointer, kind: AudioDeviceInfo.Kind, device: String,
         work: PulseStream.Work, failed: @escaping @Sendable (AudioDeviceError) -> Void) {
        self.shared = shared
        self.loop = loop
        self.kind = kind
        self.device = device
        self.work = work
        self.failed = failed
        gathered.reserveCapacity(2 * AudioFormat.frameSamples)
    }

    // MARK: Opening (under the lock, on the opener's thread)

    /// Creates and connects the stream: 48 kHz mono s16le, buffers for low latency. The error code
    /// when that fails at once.
    func connect(context: OpaquePointer, streamName: String) -> Int32? {
        var spec = pa_sample_spec(format: PA_SAMPLE_S16LE, rate: UInt32(AudioFormat.sampleRate), channels: 1)
        guard let stream = pa_stream_new(context, streamName, &spec, nil) else { return pa_context_errno(context) }
        self.stream = stream
        // The callbacks hold the core until the stream is torn down.
        let userdata = Unmanaged.passRetained(self).toOpaque()
        pa_stream_set_state_callback(stream, { stream, userdata in
            Unmanaged<StreamCore>.fromOpaque(userdata!).takeUnretainedValue().stateChanged()
        }, userdata)
        let frameBytes = UInt32(Self.frameBytes)
        let unset = UInt32.max
        let flags = pa_stream_flags_t(PA_STREAM_ADJUST_LATENCY.rawValue | PA_STREAM_INTERPOLATE_TIMING.rawValue
                                      | PA_STREAM_AUTO_TIMING_UPDATE.rawValue)
        let deviceName: String? = device == "default" ? nil : device
        let result: Int32
        switch kind {
        case .playback:
            // Two frames in the server's buffer, start after the first, ask for one at a time.
            var attributes = pa_buffer_attr(maxlength: unset, tlength: 2 * frameBytes, prebuf: frameBytes,
                                            minreq: frameBytes, fragsize: unset)
            pa_stream_set_write_callback(stream, { _, bytes, userdata in
                Unmanaged<StreamCore>.fromOpaque(userdata!).takeUnretainedValue().write(bytes)
            }, userdata)
            result = withOptionalCString(deviceName) {
                pa_stream_connect_playback(stream, $0, &attributes, flags, nil, nil)
            }
        case .capture:
            // Hand over a frame as soon as one is recorded.
            var attributes = pa_buffer_attr(maxlength: unset, tlength: unset, prebuf: unset, minreq: unset,
                                            fragsize: frameBytes)
            pa_stream_set_read_callback(stream, { _, _, userdata in
                Unmanaged<StreamCore>.fromOpaque(userdata!).takeUnretainedValue().read()
            }, userdata)
            result = withOptionalCString(deviceName) { pa_stream_connect_record(stream, $0, &attributes, flags) }
        }
        if result < 0 {
            let code = pa_context_errno(context)
            tearDown()
            return code
        }
        return nil
    }

    /// Whether the stream is ready or has failed.
    var hasSettled: Bool {
        guard let stream else { return true }
        let state = pa_stream_get_state(stream)
        return state == PA_STREAM_READY || state == PA_STREAM_FAILED || state == PA_STREAM_TERMINATED
    }

    /// The error code when the opening failed; otherwise the stream runs from now on.
    var openingFailure: Int32? {
        guard let stream else { return Int32(PA_ERR_INTERNAL.rawValue) }
        if pa_stream_get_state(stream) == PA_STREAM_READY {
            running = true
            return nil
        }
        return failureCode ?? pa_context_errno(pa_stream_get_context(stream))
    }

    // MARK: Stopping

    /// Stops the stream: at once from another thread; from the loop's thread (a callback, which
    /// may be this stream's own) on the loop's next turn, after the callback has returned.
    ///
    /// A stream that has ended returns at once without the loop's lock, so stopping it again and
    /// releasing it (`PulseStream.deinit`) are free anywhere. Only the first stop, or the release
    /// of a stream never stopped, takes the lock: do that holding no lock a callback may wait for
    /// (see `PulseLoop`).
    func stop() {
        if control.isFinished { return }
        shared.withLock(loop) {
            guard !stopped else { return }
            stopped = true
            if shared.isLoopThread(loop) {
                tearDownLater()
            } else {
                tearDown()
            }
        }
    }

    /// Disconnects and frees the stream; its callbacks are not called again. Under the lock, never
    /// from inside one of this stream's callbacks.
    func tearDown() {
        stopped = true
        guard let stream else { return }
        self.stream = nil
        pa_stream_set_state_callback(stream, nil, nil)
        switch kind {
        case .playback: pa_stream_set_write_callback(stream, nil, nil)
        case .capture: pa_stream_set_read_callback(stream, nil, nil)
        }
        pa_stream_disconnect(stream)
        pa_stream_unref(stream)
        control.finished()
        // The callbacks' hold, taken in `connect`; the caller holds the core too.
        Unmanaged.passUnretained(self).release()
    }

    private func tearDownLater() {
        pa_mainloop_api_once(pa_threaded_mainloop_get_api(loop), { _, userdata in
            let core = Unmanaged<StreamCore>.fromOpaque(userdata!)
            core.takeUnretainedValue().tearDown()
            core.release()
        }, Unmanaged.passRetained(self).toOpaque())
    }

    // MARK: Callbacks (on the loop's thread, holding the lock)

    private func stateChanged() {
        guard let stream else { return }
        let state = pa_stream_get_state(stream)
        if state == PA_STREAM_FAILED, failureCode == nil {
            // Taken now: libpulse may overwrite the context's error before the opener reads it.
            failureCode = pa_context_errno(pa_stream_get_context(stream))
        }
        pa_threaded_mainloop_signal(loop, 0)
        guard running, !stopped, state == PA_STREAM_FAILED || state == PA_STREAM_TERMINATED else { return }
        stopped = true
        let code = failureCode ?? pa_context_errno(pa_stream_get_context(stream))
        tearDownLater()
        failed(AudioDeviceError(.streamFailed(kind: kind, device: device, detail: pulseErrorText(code))))
    }

    /// The server wants more: whole frames from `pull` while a whole frame fits in what it asks
    /// for (`pa_stream_writable_size`, which `bytes` reports too). Never more: a frame beyond the
    /// request would sit in the server's buffer above `tlength` and add to the delay; a remainder
    /// under one frame is asked for again, with more, on the next request.
    private func write(_ bytes: Int) {
        guard case .playback(let pull) = work else { return }
        while !stopped, let stream, pa_stream_writable_size(stream) >= Self.frameBytes {
            pull(&frame)
            if stopped { return }
            if frame.count != AudioFormat.frameSamples {
                // A puller that got the size wrong is padded or cut, never trusted with memory.
                frame = Array(frame.prefix(AudioFormat.frameSamples))
                frame += [Int16](repeating: 0, count: AudioFormat.frameSamples - frame.count)
            }
            let result = frame.withUnsafeBytes {
                pa_stream_write(stream, $0.baseAddress, $0.count, nil, 0, PA_SEEK_RELATIVE)
            }
            if result < 0 { return }
        }
        measureLatency()
    }

    /// Recorded bytes are waiting: gather them into frames and push each whole one.
    private func read() {
        guard case .capture(let push) = work else { return }
        while !stopped, let stream {
            var data: UnsafeRawPointer?
            var bytes = 0
            guard pa_stream_peek(stream, &data, &bytes) >= 0, bytes > 0 else { break }
            if let data {
                let samples = UnsafeBufferPointer(start: data.assumingMemoryBound(to: Int16.self),
                                                  count: bytes / MemoryLayout<Int16>.size)
                gathered.append(contentsOf: samples)
            } else {
                // A hole in the recording: silence of its length.
                gathered.append(contentsOf: repeatElement(0, count: bytes / MemoryLayout<Int16>.size))
            }
            pa_stream_drop(stream)
            while gathered.count >= AudioFormat.frameSamples, !stopped {
                let whole = Array(gathered.prefix(AudioFormat.frameSamples))
                gathered.removeFirst(AudioFormat.frameSamples)
                push(whole)
            }
        }
        measureLatency()
    }

    private func measureLatency() {
        guard let stream else { return }
        var microseconds: pa_usec_t = 0
        var negative: Int32 = 0
        if pa_stream_get_latency(stream, &microseconds, &negative) == 0 {
            control.setLatency(negative != 0 ? 0 : microseconds)
        }
    }
}

/// What callers and tests see of a stream's life: its measured latency, and whether it has ended
/// (its `pa_stream` freed, no callback to come).
final class StreamControl: Sendable {
    private let finishedFlag = Atomic(false)
    private let latencyMicroseconds = Atomic<UInt64>(0)
    /// Left when the stream ends (for those who must wait for that, such as tests).
    private let running = DispatchGroup()

    init() { running.enter() }

    /// Waits at most `timeout` for the stream to end; true when it has.
    func waitUntilFinished(timeout: Duration) -> Bool {
        running.wait(timeout: .now() + .nanoseconds(Int(clamping: timeout.nanoseconds))) == .success
    }

    /// Whether the stream has ended and freed its `pa_stream`.
    var isFinished: Bool { finishedFlag.load(ordering: .acquiring) }

    var latency: Duration { .microseconds(Int64(clamping: latencyMicroseconds.load(ordering: .relaxed))) }

    func setLatency(_ microseconds: UInt64) { latencyMicroseconds.store(microseconds, ordering: .relaxed) }

    func finished() {
        let (exchanged, _) = finishedFlag.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
        if exchanged { running.leave() }
    }
}
