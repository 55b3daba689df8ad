import CPulse
import Foundation
import Synchronization
import Timekeeping

/// A `pa_simple` connection owned by exactly one thread at a time.
struct SimpleConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// One playback or capture stream: a blocking `pa_simple` connection driven by a thread of its own.
///
/// The thread opens the connection (so a stuck server cannot hold the caller longer than the
/// backend's timeout), then loops one 20 ms frame at a time: playback pulls a frame and writes it
/// (the write blocks at the device's pace), capture reads a frame and pushes it. A stop flag is
/// checked every frame; the thread frees the connection when it ends. A broken connection calls
/// `failed` once and ends the thread.
final class PulseStream: AudioStream {
    enum Work: Sendable {
        case playback(@Sendable (inout [Int16]) -> Void)
        case capture(@Sendable ([Int16]) -> Void)
    }

    let control: StreamControl

    private init(control: StreamControl) {
        self.control = control
    }

    deinit { control.stop() }

    func stop() { control.stop() }

    var latency: Duration { control.latency }

    static func open(backend: PulseAudioBackend, kind: AudioDeviceInfo.Kind, device: String, streamName: String,
                     work: Work, failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> PulseStream {
        let control = StreamControl()
        let opened = DispatchSemaphore(value: 0)
        let thread = Thread {
            var code: Int32 = 0
            let connection = openConnection(backend: backend, kind: kind, device: device, streamName: streamName, error: &code)
            guard control.opened(connection.map(SimpleConnection.init), error: code) else {
                // The opener gave up waiting (or it failed): nothing more to do.
                if let connection { pa_simple_free(connection) }
                control.finished()
                opened.signal()
                return
            }
            opened.signal()
            run(connection!, control: control, work: work, kind: kind, device: device, backend: backend, failed: failed)
        }
        thread.name = "softphone-\(kind.word)"
        thread.stackSize = 512 * 1024
        thread.start()
        let waited = opened.wait(timeout: .now() + .nanoseconds(Int(clamping: backend.timeout.nanoseconds)))
        switch control.takeOpening(timedOut: waited == .timedOut) {
        case .running:
            return PulseStream(control: control)
        case .failed(let code):
            throw backend.openingError(code, kind: kind, device: device)
        case .timedOut:
            throw AudioDeviceError(.serverTimeout(server: backend.serverDescription,
                                                  seconds: max(1, Int(backend.timeout.wholeSeconds))))
        }
    }

    /// Opens the blocking connection: 48 kHz mono s16le, buffers for low latency.
    private static func openConnection(backend: PulseAudioBackend, kind: AudioDeviceInfo.Kind, device: String,
                                streamName: String, error: inout Int32) -> OpaquePointer? {
        var spec = pa_sample_spec(format: PA_SAMPLE_S16LE, rate: UInt32(AudioFormat.sampleRate), channels: 1)
        let frameBytes = UInt32(AudioFormat.frameSamples * MemoryLayout<Int16>.size)
        let unset = UInt32.max
        // Playback: two frames in the server's buffer, start after the first, ask for one at a time.
        // Capture: hand over a frame as soon as one is recorded.
        var attributes = switch kind {
        case .playback: pa_buffer_attr(maxlength: unset, tlength: 2 * frameBytes, prebuf: frameBytes,
                                       minreq: frameBytes, fragsize: unset)
        case .capture: pa_buffer_attr(maxlength: unset, tlength: unset, prebuf: unset, minreq: unset,
                                      fragsize: frameBytes)
        }
        let direction = kind == .playback ? PA_STREAM_PLAYBACK : PA_STREAM_RECORD
        let deviceName: String? = device == "default" ? nil : device
        return withOptionalCString(backend.server) { server in
            withOptionalCString(deviceName) { deviceName in
                pa_simple_new(server, backend.applicationName, direction, deviceName, streamName,
                              &spec, nil, &attributes, &error)
            }
        }
    }

    /// The stream's loop, on its own thread; frees the connection at the end.
    private static func run(_ connection: OpaquePointer, control: StreamControl, work: Work, kind: AudioDeviceInfo.Kind,
                            device: String, backend: PulseAudioBackend,
                            failed: @Sendable (AudioDeviceError) -> Void) {
        defer {
            pa_simple_free(connection)
            control.finished()
        }
        var frame = [Int16](repeating: 0, count: AudioFormat.frameSamples)
        var code: Int32 = 0
        while !control.isStopped {
            let result: Int32
            switch work {
            case .playback(let pull):
                pull(&frame)
                if frame.count != AudioFormat.frameSamples {
                    // A puller that got the size wrong is padded or cut, never trusted with memory.
                    frame = Array(frame.prefix(AudioFormat.frameSamples))
                    frame += [Int16](repeating: 0, count: AudioFormat.frameSamples - frame.count)
                }
                result = frame.withUnsafeBytes { pa_simple_write(connection, $0.baseAddress, $0.count, &code) }
            case .capture(let push):
                result = frame.withUnsafeMutableBytes { pa_simple_read(connection, $0.baseAddress, $0.count, &code) }
                if result >= 0 && !control.isStopped { push(frame) }
            }
            if result < 0 {
                if !control.isStopped {
                    failed(AudioDeviceError(.streamFailed(kind: kind, device: device, detail: pulseErrorText(code))))
                }
                return
            }
            let microseconds = pa_simple_get_latency(connection, &code)
            if microseconds != UInt64.max { control.setLatency(microseconds) }
        }
    }
}

/// What the caller and the stream's thread share, under one lock.
final class StreamControl: Sendable {
    enum Opening: Sendable {
        case running, failed(Int32), timedOut
    }

    private struct State {
        var stopped = false
        var finished = false
        var abandoned = false
        var openResult: Result<Void, OpeningError>?
        var latencyMicroseconds: UInt64 = 0
    }

    struct OpeningError: Error {
        let code: Int32
    }

    private let state = Mutex(State())
    /// Left when the thread ends (for those who must wait for that, such as tests).
    private let running = DispatchGroup()

    init() { running.enter() }

    /// Waits at most `timeout` for the thread to end; true when it has.
    func waitUntilFinished(timeout: Duration) -> Bool {
        running.wait(timeout: .now() + .nanoseconds(Int(clamping: timeout.nanoseconds))) == .success
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Whether the stream's thread has ended and freed its connection.
    var isFinished: Bool { state.withLock { $0.finished } }

    var latency: Duration { .microseconds(Int64(clamping: state.withLock { $0.latencyMicroseconds })) }

    func stop() { state.withLock { $0.stopped = true } }

    func setLatency(_ microseconds: UInt64) { state.withLock { $0.latencyMicroseconds = microseconds } }

    func finished() {
        let first = state.withLock { state in
            defer { state.finished = true }
            return !state.finished
        }
        if first { running.leave() }
    }

    /// The thread reports the opening; false when the thread must not run (the opening failed,
    /// or the opener stopped waiting).
    func opened(_ connection: SimpleConnection?, error: Int32) -> Bool {
        state.withLock { state in
            if state.abandoned { return false }
            if connection == nil {
                state.openResult = .failure(OpeningError(code: error))
                return false
            }
            state.openResult = .success(())
            return true
        }
    }

    /// The opener collects the outcome; when it timed out without one, the thread is told to give up.
    func takeOpening(timedOut: Bool) -> Opening {
        state.withLock { state in
            switch state.openResult {
            case .success: return .running
            case .failure(let error): return .failed(error.code)
            case nil:
                state.abandoned = true
                state.stopped = true
                return .timedOut
            }
        }
    }
}
