#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesw
import CTerminalGuard

/// Whether some `NcursesTerminal` has the terminal in curses mode; the exit handler
/// restores the terminal only then.
nonisolated(unsafe) private var cursesModeActive = false

/// Registers the exit handler once, the first time a terminal starts.
private let exitHandlerRegistration: Void = {
    atexit {
        if cursesModeActive {
            cursesModeActive = false
            endwin()
        }
    }
}()

/// The terminal, through ncursesw: the only code that touches it. Draws `CellGrid`s
/// (only what changed) and reads keys without blocking. Not thread-safe: create, use
/// and stop it on the UI thread.
///
/// The terminal is restored by `stop()`, when the object goes away, and at a normal
/// process exit (`exit`, returning from `main`).
public final class NcursesTerminal {
    /// Whether non-ASCII text is replaced by `?` when drawing (ASCII mode).
    public let ascii: Bool
    /// Whether the terminal shows colours; without them styles keep their attributes only.
    public let supportsColor: Bool
    /// Whether the locale's character set is UTF-8.
    public let isUTF8: Bool

    let screen: OpaquePointer
    let window: UnsafeMutablePointer<WINDOW>
    /// The descriptor ncurses writes to; asked for the real size after a resize.
    let outputFD: Int32
    let palette: ColorPalette?
    /// The frame on the screen, or nil when the next draw must repaint everything.
    var lastDrawn: CellGrid?
    private(set) var stopped = false

    /// Starts curses on the process's terminal (standard input and output, `TERM`).
    /// Sets the locale from the environment first. Throws, without touching the
    /// terminal, when there is none.
    public convenience init(ascii: Bool) throws {
        setlocale(LC_ALL, "")
        guard let term = getenv("TERM"), term.pointee != 0 else {
            throw TerminalError("TERM is not set: cannot drive the terminal")
        }
        guard isatty(STDOUT_FILENO) == 1 else { throw TerminalError("standard output is not a terminal") }
        guard isatty(STDIN_FILENO) == 1 else { throw TerminalError("standard input is not a terminal") }
        try self.init(ascii: ascii, terminalType: nil, output: cnc_stdout(), input: cnc_stdin())
    }

    /// Starts curses on the given streams (tests use a pseudo-terminal); `terminalType`
    /// nil means `TERM`. Does not set the locale.
    /// The stream curses writes to.
    private let outputFile: UnsafeMutablePointer<FILE>

    init(ascii: Bool, terminalType: String?, output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>) throws {
        terminal_guard_save_modes(fileno(output))
        let created: OpaquePointer? = if let terminalType {
            terminalType.withCString { newterm($0, output, input) }
        } else {
            newterm(nil, output, input)
        }
        guard let created, let window = cnc_stdscr() else {
            let name = terminalType ?? getenv("TERM").map { String(cString: $0) } ?? "?"
            throw TerminalError("cannot open the terminal (TERM=\(name)): unknown terminal type or no terminal")
        }
        self.ascii = ascii
        screen = created
        self.window = window
        outputFD = fileno(output)
        outputFile = output
        isUTF8 = Self.codesetIsUTF8()

        cbreak()
        noecho()
        nonl()
        intrflush(window, false)
        keypad(window, true)
        nodelay(window, true)
        set_escdelay(25)
        curs_set(0)
        if has_colors(), start_color() == OK {
            let palette = ColorPalette(available: Int(cnc_color_pairs()), defaultColors: use_default_colors() == OK)
            palette.install()
            self.palette = palette
        } else {
            palette = nil
        }
        supportsColor = palette != nil

        _ = exitHandlerRegistration
        cursesModeActive = true
        // Prepared now, written by the crash handler: attributes off, leave the
        // alternate screen, show the cursor.
        let capabilities: [String] = ["sgr0", "rmcup", "cnorm"]
        let reset = capabilities.compactMap { name in
            name.withCString { cnc_terminfo_string($0) }.map { String(cString: $0) }
        }.joined()
        reset.withCString { terminal_guard_arm($0, strlen($0)) }
    }

    deinit {
        stop()
        delscreen(screen)
    }

    /// The terminal's size in cells. Asks the kernel, so it is current even before
    /// `readKeys` has reported the `.resize`.
    public var size: (width: Int, height: Int) {
        if !stopped { _ = followKernelSize() }
        return (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    /// Catches a resize curses has not seen yet (its own SIGWINCH handler is installed
    /// only when nothing else handles the signal, and acts only when keys are read):
    /// when the kernel's size differs from curses', resizes curses, which also queues a
    /// KEY_RESIZE for `readKeys`, and makes the next draw repaint everything.
    /// Returns whether it resized.
    func followKernelSize() -> Bool {
        var rows: Int32 = 0, columns: Int32 = 0
        guard cnc_window_size(outputFD, &rows, &columns) == 0, rows > 0, columns > 0 else { return false }
        guard rows != getmaxy(window) || columns != getmaxx(window) else { return false }
        resizeterm(rows, columns)
        lastDrawn = nil
        return true
    }

    /// Sets the locale from the environment (as the program must, for `TextWidth`) and
    /// tells whether its character set is UTF-8. Usable before a terminal exists: the
    /// app picks ASCII mode when this is false.
    public static func localeIsUTF8() -> Bool {
        setlocale(LC_ALL, "")
        return codesetIsUTF8()
    }

    /// Whether the current locale's character set (`nl_langinfo(CODESET)`) is UTF-8.
    static func codesetIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Leaves curses mode and gives the terminal back as it was. Idempotent; afterwards
    /// `draw` and `readKeys` do nothing.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        endwin()
        cnc_show_cursor_after_endwin(outputFile)
        terminal_guard_disarm()
        cursesModeActive = false
    }
}
