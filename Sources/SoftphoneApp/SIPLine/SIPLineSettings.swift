import SIP
import SIPAuth
import SIPUserAgent
import SoftphoneConfig
import SoftphoneCore

/// What the SIP line needs to start: the user agent's configuration, where to listen, what to send as audio.
public struct SIPLineSettings: Sendable {
    public var agent: LineAgentConfiguration
    /// The address to bind (UDP and TCP); port 0 picks a free one.
    public var listenHost: String
    public var listenPort: Int
    /// A WAV file to play to the other party when there are no sound devices; silence when nil.
    public var audioFile: String?
    /// Sound devices (`[audio]`); none by default.
    public var sound: AudioSettings
    /// A PEM file of CA certificates trusted for TLS instead of the system's (`sip.tls_ca_file`).
    public var tlsCAFile: String?
    /// The Team tab's row (id and name) of each watched SIP URI (`agent.watched`).
    public var colleagues: [String: (id: String, name: String)]
    /// Recognises queue calls from what an INVITE says (SPEC section 6).
    public var queues: QueueDirectory

    public init(agent: LineAgentConfiguration, listenHost: String, listenPort: Int, audioFile: String? = nil,
                colleagues: [String: (id: String, name: String)] = [:], queues: QueueDirectory = QueueDirectory([]),
                sound: AudioSettings = AudioSettings(backend: .none), tlsCAFile: String? = nil) {
        self.tlsCAFile = tlsCAFile
        self.sound = sound
        self.agent = agent
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.audioFile = audioFile
        self.colleagues = colleagues
        self.queues = queues
    }
}
