import CPulse
import Foundation
import Timekeeping

/// Sound through PulseAudio's client API (PipeWire serves it too).
///
/// Device listing uses the asynchronous API on a private main loop with a deadline, so a stuck
/// server is an error, not a stall. The streams share one threaded main loop and one context per
/// backend (created on the first opening; copies of the backend share them too), each stream a
/// `pa_stream` called back on that loop's thread (see `PulseStream`); opening waits at most
/// `timeout` for the server and the stream.
public struct PulseAudioBackend: AudioBackend {
    /// The server to use (`unix:/path/native`, `tcp:host:port`); nil: libpulse's own choice, which
    /// honours `PULSE_SERVER` and otherwise uses `$XDG_RUNTIME_DIR/pulse/native`.
    public let server: String?
    /// The client name the server shows (`pactl list clients`).
    public let applicationName: String
    /// How long a listing or an opening waits for the server.
    public let timeout: Duration
    private let environment: [String: String]
    /// The streams' main loop and context, shared by every copy of this backend.
    let loop: PulseLoop

    public init(server: String? = nil, applicationName: String = "softphone", timeout: Duration = .seconds(2),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.server = server
        self.applicationName = applicationName
        self.timeout = timeout
        self.environment = environment
        loop = PulseLoop(server: server, applicationName: applicationName)
    }

    /// Where the client connects, in the words of the messages.
    var serverDescription: String {
        if let server { return server }
        if let fromEnvironment = environment["PULSE_SERVER"], !fromEnvironment.isEmpty { return fromEnvironment }
        let runtime = environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/run/user/\(getuid())"
        return "unix:\(runtime)/pulse/native"
    }

    private var timeoutSeconds: Int { max(1, Int(timeout.wholeSeconds)) }

    // MARK: Devices

    public func devices() throws(AudioDeviceError) -> [AudioDeviceInfo] {
        guard let loop = pa_mainloop_new() else {
            throw AudioDeviceError(.noServer(server: serverDescription, detail: "cannot create a main loop"))
        }
        defer { pa_mainloop_free(loop) }
        guard let context = pa_context_new(pa_mainloop_get_api(loop), applicationName) else {
            throw AudioDeviceError(.noServer(server: serverDescription, detail: "cannot create a context"))
        }
        defer { pa_context_unref(context) }
        let deadline = ContinuousClock.now.advanced(by: timeout)

        let connected = withOptionalCString(server) { pa_context_connect(context, $0, PA_CONTEXT_NOAUTOSPAWN, nil) }
        if connected < 0 { throw noServer(pa_context_errno(context)) }
        defer { pa_context_disconnect(context) }

        // Connect.
        try iterate(loop, until: deadline) {
            let state = pa_context_get_state(context)
            return state == PA_CONTEXT_READY || cpulse_context_is_good(state) == 0
        }
        if pa_context_get_state(context) != PA_CONTEXT_READY { throw noServer(pa_context_errno(context)) }

        // Ask for the defaults, the sinks and the sources at once.
        let listing = Listing()
        let userdata = Unmanaged.passUnretained(listing).toOpaque()
        let operations = [
            pa_context_get_server_info(context, { _, info, userdata in
                let listing = Unmanaged<Listing>.fromOpaque(userdata!).takeUnretainedValue()
                if let info {
                    listing.defaultSink = info.pointee.default_sink_name.map { String(cString: $0) }
                    listing.defaultSource = info.pointee.default_source_name.map { String(cString: $0) }
                }
                listing.finished += 1
            }, userdata),
            pa_context_get_sink_info_list(context, { _, info, eol, userdata in
                let listing = Unmanaged<Listing>.fromOpaque(userdata!).takeUnretainedValue()
                if eol != 0 || info == nil {
                    listing.finished += 1
                    return
                }
                let sink = info!.pointee
                listing.sinks.append(AudioDeviceInfo(
                    name: sink.name.map { String(cString: $0) } ?? "",
                    description: sink.description.map { String(cString: $0) } ?? "",
                    kind: .playback))
            }, userdata),
            pa_context_get_source_info_list(context, { _, info, eol, userdata in
                let listing = Unmanaged<Listing>.fromOpaque(userdata!).takeUnretainedValue()
                if eol != 0 || info == nil {
                    listing.finished += 1
                    return
                }
                let source = info!.pointee
                listing.sources.append(AudioDeviceInfo(
                    name: source.name.map { String(cString: $0) } ?? "",
                    description: source.description.map { String(cString: $0) } ?? "",
                    kind: .capture, isMonitor: source.monitor_of_sink != cpulse_invalid_index()))
            }, userdata),
        ]
        defer { for operation in operations where operation != nil { pa_operation_unref(operation) } }
        if operations.contains(where: { $0 == nil }) { throw noServer(pa_context_errno(context)) }
        try iterate(loop, until: deadline) {
            listing.finished == operations.count || cpulse_context_is_good(pa_context_get_state(context)) == 0
        }
        if listing.finished < operations.count { throw noServer(pa_context_errno(context)) }

        let sinks = listing.sinks.map { device in
            var device = device
            device.isDefault = device.name == listing.defaultSink
            return device
        }
        let sources = listing.sources.map { device in
            var device = device
            device.isDefault = device.name == listing.defaultSource
            return device
        }
        return sinks + sources
    }

    /// Runs the main loop until `done` holds, or throws when the deadline passes first.
    private func iterate(_ loop: OpaquePointer, until deadline: ContinuousClock.Instant,
                         _ done: () -> Bool) throws(AudioDeviceError) {
        while !done() {
            let left = deadline - ContinuousClock.now
            if left <= .zero { throw AudioDeviceError(.serverTimeout(server: serverDescription, seconds: timeoutSeconds)) }
            let microseconds = Int32(clamping: max(1, left.nanoseconds / 1_000))
            if pa_mainloop_prepare(loop, microseconds) < 0 || pa_mainloop_poll(loop) < 0 || pa_mainloop_dispatch(loop) < 0 {
                throw AudioDeviceError(.noServer(server: serverDescription, detail: "the main loop failed"))
            }
        }
    }

    /// The error for a connection that failed with PulseAudio error `code`.
    func noServer(_ code: Int32) -> AudioDeviceError {
        AudioDeviceError(.noServer(server: serverDescription, detail: pulseErrorText(code)))
    }

    // MARK: Streams

    public func openPlayback(device: String, streamName: String, pull: @escaping @Sendable (inout [Int16]) -> Void,
                             failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        try PulseStream.open(backend: self, kind: .playback, device: device, streamName: streamName,
                             work: .playback(pull), failed: failed)
    }

    public func openCapture(device: String, streamName: String, push: @escaping @Sendable ([Int16]) -> Void,
                            failed: @escaping @Sendable (AudioDeviceError) -> Void) throws(AudioDeviceError) -> any AudioStream {
        try PulseStream.open(backend: self, kind: .capture, device: device, streamName: streamName,
                             work: .capture(push), failed: failed)
    }

    /// The error for a server that did not answer within `timeout`.
    var timeoutError: AudioDeviceError {
        AudioDeviceError(.serverTimeout(server: serverDescription, seconds: timeoutSeconds))
    }

    /// The error for an opening that failed with PulseAudio error `code`.
    func openingError(_ code: Int32, kind: AudioDeviceInfo.Kind, device: String) -> AudioDeviceError {
        switch UInt32(bitPattern: code) {
        case PA_ERR_NOENTITY.rawValue:
            return AudioDeviceError(.noDevice(kind: kind, name: device))
        case PA_ERR_CONNECTIONREFUSED.rawValue, PA_ERR_INVALIDSERVER.rawValue, PA_ERR_ACCESS.rawValue,
             PA_ERR_AUTHKEY.rawValue, PA_ERR_VERSION.rawValue:
            return noServer(code)
        default:
            return AudioDeviceError(.streamFailed(kind: kind, device: device, detail: pulseErrorText(code)))
        }
    }
}

/// What the listing callbacks collect; touched only on the listing's own thread.
private final class Listing {
    var sinks: [AudioDeviceInfo] = []
    var sources: [AudioDeviceInfo] = []
    var defaultSink: String?
    var defaultSource: String?
    var finished = 0
}

/// PulseAudio's words for an error code, in lower case to sit inside a sentence.
func pulseErrorText(_ code: Int32) -> String {
    guard let text = pa_strerror(code) else { return "error \(code)" }
    return String(cString: text).lowercased()
}

/// Calls `body` with a C string for `string`, or NULL for nil.
func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let string else { return try body(nil) }
    return try string.withCString(body)
}
