#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import SoftphoneLogging
import SoftphoneCore
import TerminalUI

/// What a runtime is built with: where connectors post, the event loop it will run on
/// (give it to the SIP line, so the line and the runtime share a thread), and the start.
public struct RuntimeContext: Sendable {
    public let inbox: Inbox
    public let loop: EventLoop
    public let start: Instant

    public init(inbox: Inbox, loop: EventLoop, start: Instant) {
        self.inbox = inbox
        self.loop = loop
        self.start = start
    }
}

/// A runtime ready to run, and what to stop after it (the demo's servers).
public struct Launch {
    public var runtime: Runtime
    public var stop: () -> Void

    public init(runtime: Runtime, stop: @escaping () -> Void = {}) {
        self.runtime = runtime
        self.stop = stop
    }
}

/// The program with a terminal. The runtime runs on the SIP line's event loop
/// (`RuntimeHost`); this thread runs ncurses: it waits for keys, signals and new frames
/// without busy-waiting, passes keys on, and draws the newest frame when one came and
/// once a second for the clock and timers.
public enum TerminalApp {
    /// Runs until the agent quits or a signal arrives. Returns the exit status.
    public static func run(ascii forceASCII: Bool, launch: (RuntimeContext) throws -> Launch) -> Int32 {
        setlocale(LC_ALL, "")
        let ascii = forceASCII || !NcursesTerminal.localeIsUTF8()
        let wakeup: Wakeup
        do { wakeup = try Wakeup() } catch { return fail("\(error)") }
        let start = WallClock.now()
        let context = RuntimeContext(inbox: Inbox(), loop: MultiThreadedEventLoopGroup.singleton.next(), start: start)
        let launched: Launch
        do { launched = try launch(context) } catch { return fail("\(error)") }
        defer { launched.stop() }

        let signalFD: Int32
        let terminal: NcursesTerminal
        do {
            signalFD = try TerminalSignals.install()
            terminal = try NcursesTerminal(ascii: ascii)
        } catch {
            launched.runtime.closeConnectors()
            return fail("\(error)")
        }
        defer { terminal.stop() }
        let host = RuntimeHost(runtime: launched.runtime, loop: context.loop, frameReady: { wakeup.signal() })

        host.start(at: start)
        loop(host, terminal, ascii: ascii, signalFD: signalFD, wakeup: wakeup)
        host.shutdown()
        return 0
    }

    private static func loop(_ host: RuntimeHost, _ terminal: NcursesTerminal, ascii: Bool, signalFD: Int32,
                             wakeup: Wakeup) {
        var lastSecond: Int64 = -1
        var frame: Frame?
        var redraw = false
        var firstFrame = true
        var emptyReads = 0
        var bell = BellPolicy()
        while !host.quitRequested {
            let now = WallClock.now()
            if let newer = host.takeFrame() {
                frame = newer
                redraw = true
                if bell.shouldRing(for: newer.app.core) { terminal.bell() }
            }
            let second = now.nanosecondsSinceEpoch / 1_000_000_000
            if let frame, redraw || second != lastSecond {
                let size = terminal.size
                let model = frame.screenModel(now: now, ascii: ascii, color: terminal.supportsColor)
                terminal.draw(Screen.render(model, width: size.width, height: size.height))
                lastSecond = second
                redraw = false
                if firstFrame {
                    firstFrame = false
                    // In the log for a support case (and read by `make bench` for the start-up time).
                    SoftphoneLog.logger(SoftphoneLog.app).info("first frame drawn")
                }
            }

            let ready = InputWaiter.wait(for: [STDIN_FILENO, signalFD, wakeup.fd],
                                         timeoutMilliseconds: timeout(now: now, deadline: nil))
            if ready.contains(signalFD) {
                // Termination signals end the loop; an empty drain means the terminal was resized.
                if !TerminalSignals.drain().isEmpty { return }
                redraw = true
            }
            if ready.contains(wakeup.fd) { wakeup.drain() }
            let keys = terminal.readKeys()
            if ready.contains(STDIN_FILENO) {
                // Readable but nothing to read, again and again: the terminal is gone.
                emptyReads = keys.isEmpty ? emptyReads + 1 : 0
                if emptyReads > 1000 { return }
            }
            for key in keys {
                if key == .resize { redraw = true } else { host.key(key) }
            }
        }
    }

    /// Milliseconds until the next second boundary or the next deadline, whichever is first.
    static func timeout(now: Instant, deadline: Instant?) -> Int {
        let nanos = now.nanosecondsSinceEpoch % 1_000_000_000
        var wait = (1_000_000_000 - nanos) / 1_000_000 + 1
        if let deadline {
            wait = min(wait, max(0, (deadline.nanosecondsSinceEpoch - now.nanosecondsSinceEpoch + 999_999) / 1_000_000))
        }
        return Int(wait)
    }

    private static func fail(_ message: String) -> Int32 {
        let line = "softphone: \(message)\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        return 1
    }
}
