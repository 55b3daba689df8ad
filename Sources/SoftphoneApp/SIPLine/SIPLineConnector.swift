import NIOCore
import NIOPosix
import RTPMedia
import SIPNetwork
import SIPUserAgent
import SoftphoneCore
import Synchronization

/// The phone line over SIP: the user agent with its transport, timers and RTP media on
/// one event loop. Commands from the runtime hop onto the loop; what the line reports
/// goes to the runtime's inbox.
public final class SIPLineConnector: LineConnector, Sendable {
    let stack: LineStack

    /// The address the line listens on.
    public var local: SIPEndpoint { stack.transport.local }

    private init(stack: LineStack) { self.stack = stack }

    /// Binds the line's address and starts the agent. Throws when the address cannot be
    /// bound; a WAV file that cannot be read is reported in the Log tab and silence sent instead.
    /// `trace` (`--trace-sip`) sees every SIP message the line sends and receives.
    public static func start(_ settings: SIPLineSettings, inbox: Inbox,
                             loop: EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
                             seed: UInt64 = UInt64.random(in: 1...UInt64.max),
                             trace: SIPTracer? = nil) async throws -> SIPLineConnector {
        var audio = AudioSource.silence
        if let path = settings.audioFile {
            do { audio = .wav(try WAVFile(contentsOfFile: path)) } catch {
                inbox.post(.note(.line, "cannot play \(path): \(error); sending silence"))
            }
        }
        let sound = settings.sound.lineAudio(fallback: audio) { inbox.post(.note(.line, $0)) }
        let problems = ProblemThrottle(inbox: inbox)
        let colleagues = settings.colleagues
        let stack = try await LineStack.start(settings.agent, host: settings.listenHost, port: settings.listenPort,
                                              audio: sound, loop: loop, seed: seed, trace: trace, tlsCAFile: settings.tlsCAFile,
                                              queues: settings.queues,
                                              report: { inbox.post($0) }, problem: { problems.report($0) },
                                              watched: { uri, presence in
                                                  let row = colleagues[uri] ?? (id: uri, name: uri)
                                                  inbox.post(.colleague(id: row.id, name: row.name, presence: presence))
                                              })
        return SIPLineConnector(stack: stack)
    }

    public func perform(_ command: LineCommand, at now: Instant) {
        stack.sendNow(.command(command))
    }

    public func setTones(ring: Bool, ringback: Bool) {
        stack.audio.engine?.setTones(ring: ring, ringback: ringback)
    }

    /// On quit (after logout asked to de-register): waits up to `timeout` for the
    /// registrar's answer, then stops timers, media and the transport.
    public func close(timeout: Duration) {
        let stack = self.stack
        _ = try? blocking(timeout: timeout + .seconds(3)) { await stack.close(timeout: timeout) }
    }
}

/// Passes transport problems to the Log tab without flooding it: the first five at once,
/// then at most one every ten seconds, saying how many were left out meanwhile — so a
/// scanner's garbage cannot hide a later problem for long.
final class ProblemThrottle: Sendable {
    private struct Counts {
        var shown = 0
        var skipped = 0
        var lastShown: ContinuousClock.Instant?
    }

    private let inbox: Inbox
    private let counts = Mutex(Counts())
    static let burst = 5
    static let interval: Duration = .seconds(10)

    init(inbox: Inbox) { self.inbox = inbox }

    func report(_ text: String) {
        let now = ContinuousClock.now
        let skipped: Int? = counts.withLock { counts in
            if counts.shown >= Self.burst, let last = counts.lastShown, now - last < Self.interval {
                counts.skipped += 1
                return nil
            }
            defer { counts.skipped = 0 }
            counts.shown += 1
            counts.lastShown = now
            return counts.skipped
        }
        guard let skipped else { return }
        let suffix = skipped > 0 ? " (and \(skipped) more problems in the last seconds)" : ""
        inbox.post(.note(.line, text + suffix))
    }
}
