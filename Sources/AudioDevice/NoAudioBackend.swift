/// No sound (`backend = "none"`): no devices, and streams that do nothing.
public struct NoAudioBackend: AudioBackend {
    public init() {}

    public func devices() throws(AudioDeviceError) -> [AudioDeviceInfo] { [] }

    public func openPlayback(device: String, streamName: String, pull: @escaping @Sendable (inout [Int16]) -> Void,
                             failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        SilentStream()
    }

    public func openCapture(device: String, streamName: String, push: @escaping @Sendable ([Int16]) -> Void,
                            failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        SilentStream()
    }
}

/// A stream that never calls back.
final class SilentStream: AudioStream {
    func stop() {}
    var latency: Duration { .zero }
}
