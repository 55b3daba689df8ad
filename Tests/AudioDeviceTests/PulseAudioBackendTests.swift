import Foundation
import Glibc
import Synchronization
import Testing
@testable import AudioDevice

/// Frames a capture stream pushed, and a semaphore raised once `wanted` have arrived.
final class FrameCollector: Sendable {
    private let frames = Mutex<[[Int16]]>([])
    let enough = DispatchSemaphore(value: 0)
    let wanted: Int

    init(wanted: Int) { self.wanted = wanted }

    func push(_ frame: [Int16]) {
        let count = frames.withLock { $0.append(frame); return $0.count }
        if count == wanted { enough.signal() }
    }

    var all: [[Int16]] { frames.withLock { $0 } }
}

/// Counts the `failed` calls and raises a semaphore at the first.
final class FailureRecorder: Sendable {
    private let errors = Mutex<[AudioDeviceError]>([])
    let first = DispatchSemaphore(value: 0)

    func record(_ error: AudioDeviceError) {
        let count = errors.withLock { $0.append(error); return $0.count }
        if count == 1 { first.signal() }
    }

    var all: [AudioDeviceError] { errors.withLock { $0 } }
}

/// A continuous sine, 20 ms at a time.
final class SineSource: Sendable {
    private let phase = Mutex(0.0)
    let frequency: Double

    init(frequency: Double) { self.frequency = frequency }

    func fill(_ frame: inout [Int16]) {
        phase.withLock { phase in
            let step = 2 * Double.pi * frequency / Double(AudioFormat.sampleRate)
            for index in frame.indices {
                frame[index] = Int16(8_000 * sin(phase))
                phase += step
                if phase > 2 * Double.pi { phase -= 2 * Double.pi }
            }
        }
    }
}

/// Waits (bounded) until the stream's thread has ended and freed its connection.
func waitFinished(_ control: StreamControl) -> Bool {
    control.waitUntilFinished(timeout: .seconds(60)) && control.isFinished
}

@Suite("PulseAudio devices and streams, on a private server with null sinks",
       .enabled(if: PulseTestServer.isAvailable, "pulseaudio is not installed: apt install pulseaudio pulseaudio-utils"))
struct PulseAudioBackendTests {
    @Test("devices() lists the null sinks, their monitors, and the defaults")
    func listsDevices() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let devices = try backend.devices()
        let playback = devices.filter { $0.kind == .playback }
        let capture = devices.filter { $0.kind == .capture }
        #expect(Set(playback.map(\.name)) == Set(PulseTestServer.sinks))
        #expect(Set(capture.map(\.name)) == Set(PulseTestServer.sinks.map { "\($0).monitor" }))
        #expect(capture.allSatisfy { $0.isMonitor })
        #expect(playback.allSatisfy { !$0.isMonitor && !$0.description.isEmpty })
        // The first sink loaded is the server's default, and its monitor the default source.
        #expect(playback.filter(\.isDefault).map(\.name) == ["sp_play"])
        #expect(capture.filter(\.isDefault).map(\.name) == ["sp_play.monitor"])
    }

    @Test("a 1 kHz tone played on sp_play is recorded from sp_play.monitor")
    func toneRoundTrip() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let sine = SineSource(frequency: 1_000)
        let failures = FailureRecorder()
        // Two seconds of recording: the first part may be silence before playback starts.
        let recording = FrameCollector(wanted: 100)
        let capture = try backend.openCapture(device: "sp_play.monitor", streamName: "test capture",
                                              push: recording.push, failed: failures.record)
        let playback = try backend.openPlayback(device: "sp_play", streamName: "test tone",
                                                pull: sine.fill, failed: failures.record)
        let recorded = waitGenerously(recording.enough, seconds: 60)
        playback.stop()
        capture.stop()
        #expect(recorded, "the capture stream delivered \(recording.all.count) frames")
        #expect(failures.all.isEmpty, "\(failures.all)")
        let frames = recording.all
        #expect(frames.allSatisfy { $0.count == AudioFormat.frameSamples })
        // The last second, well after playback started, frame by frame (20 whole cycles of 1 kHz
        // each): a loaded machine may underrun the device now and then, and a gap shifts the
        // tone's phase, which a detector over the whole second would count against it.
        let sounding = frames.suffix(50).filter { frame in frame.contains { abs(Int($0)) > 1_000 } }
        #expect(sounding.count >= 25, "\(sounding.count) of the last 50 frames carry sound")
        let atTone = sounding.map { relativeTonePower($0, frequency: 1_000) }.reduce(0, +) / Double(max(1, sounding.count))
        let offTone = sounding.map { relativeTonePower($0, frequency: 1_500) }.reduce(0, +) / Double(max(1, sounding.count))
        #expect(atTone > 0.5, "1 kHz carries \(atTone) of the energy")
        #expect(offTone < 0.05, "1.5 kHz carries \(offTone) of the energy")
        stopAndWait(playback)
        stopAndWait(capture)
    }

    @Test("the default devices are the server's defaults")
    func defaultDevices() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let recording = FrameCollector(wanted: 5)
        let failures = FailureRecorder()
        let capture = try backend.openCapture(device: "default", streamName: "test default", push: recording.push,
                                              failed: failures.record)
        let playback = try backend.openPlayback(device: "default", streamName: "test default",
                                                pull: { frame in frame = [Int16](repeating: 0, count: 960) },
                                                failed: failures.record)
        #expect(waitGenerously(recording.enough, seconds: 60))
        stopAndWait(playback)
        stopAndWait(capture)
        #expect(failures.all.isEmpty)
    }

    @Test("opening a device that does not exist is a clear error")
    func missingDevice() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let failures = FailureRecorder()
        #expect(throws: AudioDeviceError(.noDevice(kind: .playback, name: "foo"))) {
            try backend.openPlayback(device: "foo", streamName: "test", pull: { _ in }, failed: failures.record)
        }
        #expect(throws: AudioDeviceError(.noDevice(kind: .capture, name: "bar"))) {
            try backend.openCapture(device: "bar", streamName: "test", push: { _ in }, failed: failures.record)
        }
        #expect(failures.all.isEmpty)
    }

    @Test("stop() ends the thread; it is idempotent; a stream released without stop() stops")
    func stopping() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let recording = FrameCollector(wanted: 3)
        var stream: PulseStream? = try #require(
            try backend.openCapture(device: "sp_mic.monitor", streamName: "test", push: recording.push,
                                    failed: { _ in }) as? PulseStream)
        #expect(waitGenerously(recording.enough, seconds: 60))
        let control = try #require(stream?.control)
        #expect(!control.isFinished)
        stream?.stop()
        stream?.stop()
        #expect(waitFinished(control))
        stream = nil

        var released: PulseStream? = try #require(
            try backend.openPlayback(device: "sp_mic", streamName: "test", pull: { _ in }, failed: { _ in })
                as? PulseStream)
        let releasedControl = try #require(released?.control)
        released = nil
        #expect(released == nil)
        #expect(waitFinished(releasedControl))
    }

    @Test("stop() from inside the stream's own callback ends it; the backend's loop then opens more streams")
    func stopFromCallback() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let holder = Mutex<PulseStream?>(nil)
        let pulls = Mutex(0)
        let stoppedInside = DispatchSemaphore(value: 0)
        let playback = try #require(
            try backend.openPlayback(device: "sp_play", streamName: "test", pull: { frame in
                let count = pulls.withLock { $0 += 1; return $0 }
                if count == 3, let stream = holder.withLock({ $0 }) {
                    stream.stop()
                    stream.stop()
                    stoppedInside.signal()
                }
            }, failed: { _ in }) as? PulseStream)
        holder.withLock { $0 = playback }
        #expect(waitGenerously(stoppedInside, seconds: 60))
        #expect(waitFinished(playback.control))
        let pulledAfterStop = pulls.withLock { $0 }
        holder.withLock { $0 = nil }
        // The same backend (its loop and context) serves the next streams.
        let recording = FrameCollector(wanted: 3)
        let capture = try backend.openCapture(device: "sp_play.monitor", streamName: "test", push: recording.push,
                                              failed: { _ in })
        #expect(waitGenerously(recording.enough, seconds: 60))
        stopAndWait(capture)
        #expect(pulls.withLock { $0 } == pulledAfterStop)
    }

    @Test("a server that dies mid-stream calls failed once and ends the stream")
    func serverDies() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let recording = FrameCollector(wanted: 3)
        let failures = FailureRecorder()
        let capture = try #require(
            try backend.openCapture(device: "sp_mic.monitor", streamName: "test", push: recording.push,
                                    failed: failures.record) as? PulseStream)
        let playback = try #require(
            try backend.openPlayback(device: "sp_mic", streamName: "test", pull: { _ in }, failed: failures.record)
                as? PulseStream)
        #expect(waitGenerously(recording.enough, seconds: 60))
        server.stop(kill: true)
        #expect(waitFinished(capture.control))
        #expect(waitFinished(playback.control))
        let errors = failures.all
        #expect(errors.count == 2, "\(errors)")
        for error in errors {
            guard case .streamFailed = error.reason else {
                Issue.record("unexpected \(error)")
                continue
            }
        }
        capture.stop()
        playback.stop()
    }
}

/// A stream handed from one thread to another, so that the receiving thread holds the last reference.
final class StreamHandover: Sendable {
    private let stream: Mutex<PulseStream?>
    init(_ stream: PulseStream) { self.stream = Mutex(stream) }
    func take() -> PulseStream? { stream.withLock { $0.take() } }
}

@Suite("PulseAudio streams and locks, on a private server with null sinks",
       .enabled(if: PulseTestServer.isAvailable, "pulseaudio is not installed: apt install pulseaudio pulseaudio-utils"))
struct PulseStreamLockTests {
    @Test("a stream that has ended is stopped again and released without the loop's lock")
    func endedStreamTakesNoLock() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        let (handover, control) = try endedStream(backend)
        #expect(waitFinished(control))
        let loop = try #require(backend.loop.mainloop())
        let done = DispatchSemaphore(value: 0)
        // Another thread holds the loop's lock (as the loop's thread does while it calls back)
        // while this one stops the ended stream again and drops its last reference.
        let released = backend.loop.withLock(loop) { () -> Bool in
            Thread.detachNewThread {
                var stream = handover.take()
                stream?.stop()
                stream = nil
                done.signal()
            }
            return waitGenerously(done)
        }
        #expect(released, "stopping or releasing an ended stream waited for the loop's lock")
    }

    /// A stream opened and stopped, whose only reference is in the handover.
    private func endedStream(_ backend: PulseAudioBackend) throws -> (StreamHandover, StreamControl) {
        let stream = try #require(
            try backend.openPlayback(device: "sp_play", streamName: "test", pull: { _ in }, failed: { _ in })
                as? PulseStream)
        stream.stop()
        return (StreamHandover(stream), stream.control)
    }

    @Test("threads opening, stopping and releasing streams while callbacks take their owner's lock: no deadlock, every stream ends")
    func openStopReleaseUnderLoad() throws {
        let server = try PulseTestServer()
        let backend = PulseAudioBackend(server: server.server)
        // The owner's lock, as `CallAudio`'s: a leaf, taken by the callbacks on the loop's thread
        // and by the workers, who never open, stop or release a stream while holding it.
        let owner = Mutex(0)
        let controls = Mutex<[StreamControl]>([])
        let workers = 3, rounds = 8
        let finished = DispatchSemaphore(value: 0)
        let failures = Mutex<[String]>([])
        for worker in 0..<workers {
            Thread.detachNewThread {
                for round in 0..<rounds {
                    do {
                        let first = DispatchSemaphore(value: 0)
                        let playback = try backend.openPlayback(
                            device: PulseTestServer.sinks[worker % PulseTestServer.sinks.count],
                            streamName: "stress", pull: { frame in
                                let count = owner.withLock { $0 += 1; return $0 }
                                for index in frame.indices { frame[index] = Int16(truncatingIfNeeded: count) }
                                first.signal()
                            }, failed: { _ in })
                        let capture = try backend.openCapture(
                            device: "\(PulseTestServer.sinks[(worker + 1) % PulseTestServer.sinks.count]).monitor",
                            streamName: "stress", push: { _ in owner.withLock { $0 += 1 } }, failed: { _ in })
                        for stream in [playback, capture] {
                            if let pulse = stream as? PulseStream { controls.withLock { $0.append(pulse.control) } }
                        }
                        _ = waitGenerously(first)
                        owner.withLock { $0 += 1 }
                        // Stopped explicitly, released without a stop, or stopped by another thread.
                        switch round % 3 {
                        case 0:
                            playback.stop()
                            capture.stop()
                        case 1:
                            break
                        default:
                            let handover = [playback, capture]
                            let stopped = DispatchSemaphore(value: 0)
                            Thread.detachNewThread {
                                for stream in handover { stream.stop() }
                                stopped.signal()
                            }
                            _ = waitGenerously(stopped)
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                finished.signal()
            }
        }
        for _ in 0..<workers { #expect(waitGenerously(finished, seconds: 120)) }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let all = controls.withLock { $0 }
        #expect(all.count == 2 * workers * rounds)
        for control in all { #expect(waitFinished(control)) }
    }
}

@Suite("PulseAudio without a usable server")
struct PulseAudioNoServerTests {
    @Test("no server at the socket: devices() and opening fail with the clear message")
    func deadSocket() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("softphone-nopulse-\(UUID().uuidString)")
        let server = "unix:\(directory.path)/native"
        let backend = PulseAudioBackend(server: server)
        let expected = AudioDeviceError(.noServer(server: server, detail: "connection refused"))
        #expect(throws: expected) { try backend.devices() }
        #expect(throws: expected) {
            try backend.openPlayback(device: "sp_play", streamName: "test", pull: { _ in }, failed: { _ in })
        }
        #expect(throws: expected) {
            try backend.openCapture(device: "default", streamName: "test", push: { _ in }, failed: { _ in })
        }
        #expect(expected.description == "no sound server (PulseAudio/PipeWire): connection refused at \(server)")
    }

    @Test("PULSE_SERVER names the server in the message when none is given")
    func serverFromEnvironment() throws {
        let backend = PulseAudioBackend(environment: ["PULSE_SERVER": "unix:/nowhere/native"])
        #expect(backend.serverDescription == "unix:/nowhere/native")
        let fallback = PulseAudioBackend(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"])
        #expect(fallback.serverDescription == "unix:/run/user/1000/pulse/native")
    }

    @Test("a server that accepts and never answers is a timeout, not a stall")
    func stuckServer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sp-stuck-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("native").path
        let listener = try #require(listeningSocket(at: path))
        defer { close(listener) }
        let server = "unix:\(path)"
        let backend = PulseAudioBackend(server: server, timeout: .milliseconds(300))
        let expected = AudioDeviceError(.serverTimeout(server: server, seconds: 1))
        #expect(throws: expected) { try backend.devices() }
        #expect(throws: expected) {
            try backend.openCapture(device: "default", streamName: "test", push: { _ in }, failed: { _ in })
        }
        #expect(expected.description == "the sound server at \(server) did not answer within 1 s")
    }

    /// A Unix socket that listens and never accepts: connections wait in its backlog.
    private func listeningSocket(at path: String) -> Int32? {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}

@Suite("Sound without a backend, and the messages")
struct NoAudioBackendTests {
    @Test("NoAudioBackend has no devices and streams that do nothing")
    func none() throws {
        let backend = NoAudioBackend()
        #expect(try backend.devices().isEmpty)
        let playback = try backend.openPlayback(device: "default", streamName: "x",
                                                pull: { _ in Issue.record("pulled") }, failed: { _ in Issue.record("failed") })
        let capture = try backend.openCapture(device: "default", streamName: "x",
                                              push: { _ in Issue.record("pushed") }, failed: { _ in Issue.record("failed") })
        #expect(playback.latency == .zero)
        playback.stop()
        playback.stop()
        capture.stop()
    }

    @Test("errors read as sentences")
    func messages() {
        #expect(AudioDeviceError(.noServer(server: "unix:/run/user/0/pulse/native", detail: "connection refused")).description
            == "no sound server (PulseAudio/PipeWire): connection refused at unix:/run/user/0/pulse/native")
        #expect(AudioDeviceError(.noDevice(kind: .playback, name: "foo")).description
            == "no playback device named \"foo\" (softphone devices lists them)")
        #expect(AudioDeviceError(.noDevice(kind: .capture, name: "mic")).description
            == "no capture device named \"mic\" (softphone devices lists them)")
        #expect(AudioDeviceError(.streamFailed(kind: .playback, device: "sp_play", detail: "connection terminated")).description
            == "the playback stream on \"sp_play\" failed: connection terminated")
    }
}

/// Stops a stream and waits (bounded) for its thread to end.
func stopAndWait(_ stream: any AudioStream) {
    stream.stop()
    if let pulse = stream as? PulseStream { #expect(waitFinished(pulse.control)) }
}
