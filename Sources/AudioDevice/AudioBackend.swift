/// The one sample format of the softphone's sound devices: 48 kHz, mono, signed 16-bit, 20 ms frames.
public enum AudioFormat {
    /// Samples per second.
    public static let sampleRate = 48_000
    /// Samples in one 20 ms frame.
    public static let frameSamples = 960
    /// The length of one frame.
    public static let frameDuration = Duration.milliseconds(20)
}

/// A playback or capture device, by the name `[audio]` takes (`softphone devices` prints them).
public struct AudioDeviceInfo: Sendable, Hashable {
    /// Which way sound goes through the device.
    public enum Kind: Sendable, Hashable {
        /// A sink: where sound is played.
        case playback
        /// A source: where sound is recorded from.
        case capture
    }

    /// The server's name for the device (a PulseAudio sink or source name, as `pactl list short sinks` prints).
    public var name: String
    /// What the server calls it for people.
    public var description: String
    public var kind: Kind
    /// The server's default device of its kind (what `"default"` means).
    public var isDefault: Bool
    /// A capture device that records what a playback device plays (`<sink>.monitor`).
    public var isMonitor: Bool

    public init(name: String, description: String, kind: Kind, isDefault: Bool = false, isMonitor: Bool = false) {
        self.name = name
        self.description = description
        self.kind = kind
        self.isDefault = isDefault
        self.isMonitor = isMonitor
    }
}

/// An open playback or capture stream, called back on its backend's sound thread.
///
/// `stop()` is idempotent and safe from any thread, a stream's own callback included; the
/// callbacks are not called after it returns (from a callback: after that callback). A stream
/// released without `stop()` stops then.
///
/// Locks: a backend calls its streams back on its sound thread holding its own lock, and the first
/// `stop()` (or the release of a stream never stopped) takes that lock. So call `stop()` and drop
/// the last reference holding no lock that a callback may wait for, and in a callback wait only
/// for locks whose holders wait for nothing. Stopping or releasing a stream that has ended takes
/// no lock.
public protocol AudioStream: AnyObject, Sendable {
    /// Ends the stream; the callbacks are not called after the frame in progress.
    func stop()
    /// The device's reported latency (what is buffered between the stream and the speaker or
    /// microphone), as last measured; zero before the first frame.
    var latency: Duration { get }
}

/// Where sound goes to and comes from: PulseAudio (or PipeWire serving its API), or nothing.
public protocol AudioBackend: Sendable {
    /// The playback and capture devices, in the server's order.
    func devices() throws(AudioDeviceError) -> [AudioDeviceInfo]

    /// Plays 48 kHz mono Int16, 20 ms frames: `pull` is called on the backend's sound thread
    /// (one for all its streams, so a callback must not block) each time the device wants the
    /// next frame (it fills exactly 960 samples). `failed` is called once, on that thread, if the
    /// stream breaks (the server goes away); the stream then ends.
    /// `device` is a sink name or `"default"`.
    func openPlayback(device: String, streamName: String, pull: @escaping @Sendable (inout [Int16]) -> Void,
                      failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream

    /// Records 48 kHz mono Int16: `push` gets each 20 ms frame (960 samples) on the backend's
    /// sound thread. `failed` as for playback. `device` is a source name or `"default"`.
    func openCapture(device: String, streamName: String, push: @escaping @Sendable ([Int16]) -> Void,
                     failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream
}
