#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SoftphoneCore
import TerminalUI

/// The program with a terminal: one thread runs ncurses, waits for keys, signals,
/// connector wake-ups and the next deadline without busy-waiting, and redraws when
/// something changed and once a second for the clock and timers.
public enum TerminalApp {
    /// Runs until the agent quits or a signal arrives. Returns the exit status.
    public static func run(_ options: AppOptions) -> Int32 {
        setlocale(LC_ALL, "")
        let ascii = options.ascii || !NcursesTerminal.localeIsUTF8()
        let wakeup: Wakeup
        do { wakeup = try Wakeup() } catch { return fail("\(error)") }
        let inbox = Inbox(wake: { wakeup.signal() })
        let start = WallClock.now()
        let runtime: Runtime
        var liveDemo: LiveDemo?
        defer { liveDemo?.stop() }
        if options.demo {
            do {
                liveDemo = try LiveDemo(at: start, inbox: inbox)
                runtime = liveDemo!.runtime
            } catch {
                return fail("cannot start the demo's Teams emulator: \(error)")
            }
        } else if let configuration = options.configuration {
            do {
                runtime = try ConfiguredRuntime.make(configuration, options: options, inbox: inbox)
            } catch {
                return fail("\(error)")
            }
        } else {
            return fail("no configuration")
        }

        let signalFD: Int32
        do { signalFD = try TerminalSignals.install() } catch { return fail("\(error)") }
        let terminal: NcursesTerminal
        do { terminal = try NcursesTerminal(ascii: ascii) } catch { return fail("\(error)") }
        defer { terminal.stop() }

        runtime.start(at: start)
        loop(runtime, terminal, ascii: ascii, signalFD: signalFD, wakeup: wakeup)
        runtime.shutdown(at: WallClock.now())
        return 0
    }

    private static func loop(_ runtime: Runtime, _ terminal: NcursesTerminal, ascii: Bool, signalFD: Int32, wakeup: Wakeup) {
        var lastSecond: Int64 = -1
        var firstFrame = true
        var emptyReads = 0
        while true {
            let now = WallClock.now()
            runtime.advance(to: now)
            let second = now.nanosecondsSinceEpoch / 1_000_000_000
            if runtime.takeDirty() || second != lastSecond {
                let size = terminal.size
                let model = runtime.screenModel(now: now, ascii: ascii, color: terminal.supportsColor)
                terminal.draw(Screen.render(model, width: size.width, height: size.height))
                lastSecond = second
                if firstFrame {
                    firstFrame = false
                    StartupReport.firstFrameDrawn()
                }
            }

            let ready = InputWaiter.wait(for: [STDIN_FILENO, signalFD, wakeup.fd],
                                         timeoutMilliseconds: timeout(now: now, deadline: runtime.nextDeadline))
            if ready.contains(signalFD) {
                // Termination signals end the loop; an empty drain means the terminal was resized.
                if !TerminalSignals.drain().isEmpty { return }
                _ = runtime.handle(.resize, at: WallClock.now())
            }
            if ready.contains(wakeup.fd) { wakeup.drain() }
            let keys = terminal.readKeys()
            if ready.contains(STDIN_FILENO) {
                // Readable but nothing to read, again and again: the terminal is gone.
                emptyReads = keys.isEmpty ? emptyReads + 1 : 0
                if emptyReads > 1000 { return }
            }
            for key in keys where !runtime.handle(key, at: WallClock.now()) { return }
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

/// For `make bench`: when `SOFTPHONE_FIRST_FRAME_FILE` is set, the wall-clock time
/// (nanoseconds since the epoch) of the first frame is written there.
enum StartupReport {
    static func firstFrameDrawn() {
        guard let path = getenv("SOFTPHONE_FIRST_FRAME_FILE").map({ String(cString: $0) }), !path.isEmpty else { return }
        let text = "\(WallClock.now().nanosecondsSinceEpoch)\n"
        guard let file = fopen(path, "w") else { return }
        fputs(text, file)
        fclose(file)
    }
}
