#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end of the signal pipe, read by the handler; -1 when not installed.
/// Set before the handlers are installed and reset after they are removed.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

/// The SIGWINCH handler that was installed before ours (ncurses' own, when the terminal
/// started first); ours calls it so that ncurses still learns about resizes.
nonisolated(unsafe) private var chainedResizeHandler: (@convention(c) (Int32) -> Void)?

/// The installed pipe and the actions ours replaced; touched only outside handlers.
nonisolated(unsafe) private var installation: (pipe: SelfPipe, previous: [(Int32, sigaction)])?

/// The handler for every watched signal. Async-signal-safe: it only writes the signal
/// number to the pipe (and hands SIGWINCH on), keeping `errno` intact.
private func recordSignal(_ number: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteFD, &byte, 1)
    if number == SIGWINCH, let chained = chainedResizeHandler { chained(number) }
    errno = savedErrno
}

/// Turns SIGINT, SIGTERM and SIGHUP into bytes on a self-pipe, so the UI loop can stop
/// the terminal and exit cleanly instead of dying with the terminal in curses mode.
/// Also ignores SIGPIPE (a peer closing a socket is an error to handle, not a death),
/// and lets SIGWINCH wake the loop (then `NcursesTerminal.readKeys` returns `.resize`).
///
/// Signal handlers belong to the process, so this is a set of static functions. Call
/// `install()` once, before starting `NcursesTerminal` (so ncurses does not install its
/// own SIGINT/SIGTERM handlers, which would exit without the app's cleanup); poll the
/// descriptor it returns; when it is readable, `drain()`. Use from the UI thread.
public enum TerminalSignals {
    /// The signals that ask the program to end.
    public static let terminationSignals: Set<Int32> = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handlers and returns the descriptor to poll: readable when a signal
    /// arrived. Installing again returns the same descriptor.
    @discardableResult
    public static func install() throws -> Int32 {
        if let installation { return installation.pipe.readFD }
        let pipe = try SelfPipe()
        signalPipeWriteFD = pipe.writeFD
        var previous: [(Int32, sigaction)] = []

        var resize = sigaction()
        sigaction(SIGWINCH, nil, &resize)
        chainedResizeHandler = plainHandler(resize)  // before ours can run

        for number in [SIGINT, SIGTERM, SIGHUP, SIGWINCH] {
            previous.append((number, replace(number, with: recordSignal)))
        }
        previous.append((SIGPIPE, replace(SIGPIPE, with: SIG_IGN)))
        installation = (pipe, previous)
        return pipe.readFD
    }

    /// The descriptor `install()` returned, or nil when not installed.
    public static var fd: Int32? { installation?.pipe.readFD }

    /// The termination signals received since the last drain, oldest first. Empty after
    /// the descriptor was readable means only the terminal's size changed (SIGWINCH):
    /// read keys to get the `.resize`.
    public static func drain() -> [Int32] {
        guard let installation else { return [] }
        return installation.pipe.drain().map { Int32($0) }.filter(isTermination)
    }

    /// Whether `signal` asks the program to end (SIGINT, SIGTERM, SIGHUP).
    public static func isTermination(_ signal: Int32) -> Bool {
        terminationSignals.contains(signal)
    }

    /// Puts the handlers that were there before back and closes the pipe. Idempotent.
    public static func uninstall() {
        guard let current = installation else { return }
        for (number, action) in current.previous.reversed() {
            var action = action
            sigaction(number, &action, nil)
        }
        chainedResizeHandler = nil
        signalPipeWriteFD = -1
        current.pipe.closeBoth()
        installation = nil
    }

    /// Installs `handler` for `number` (restarting interrupted system calls) and returns
    /// the action it replaced.
    private static func replace(_ number: Int32, with handler: (@convention(c) (Int32) -> Void)?) -> sigaction {
        var action = sigaction()
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        var old = sigaction()
        sigaction(number, &action, &old)
        return old
    }

    /// The old action's handler when it is a function we may call: not default, not
    /// ignore, not a three-argument `SA_SIGINFO` handler.
    private static func plainHandler(_ action: sigaction) -> (@convention(c) (Int32) -> Void)? {
        guard action.sa_flags & SA_SIGINFO == 0 else { return nil }
        #if canImport(Glibc)
        guard let handler = action.__sigaction_handler.sa_handler else { return nil }
        #else
        guard let handler = action.__sigaction_u.__sa_handler else { return nil }
        #endif
        let bits = unsafeBitCast(handler, to: Int.self)
        guard bits != unsafeBitCast(SIG_IGN, to: Int.self), bits != -1 else { return nil }
        return handler
    }
}
