#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesw
import Testing
@testable import TerminalUI

/// A pseudo-terminal for driving `NcursesTerminal` in a test: curses gets the slave
/// side as its terminal; the test reads what it wrote, and types, on the master side.
final class PseudoTerminal {
    let master: Int32
    let slave: Int32
    let output: UnsafeMutablePointer<FILE>
    let input: UnsafeMutablePointer<FILE>

    init(rows: Int32, columns: Int32) throws {
        master = posix_openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grantpt(master) == 0, unlockpt(master) == 0, let name = ptsname(master) else {
            throw TerminalError("no pseudo-terminal")
        }
        slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0, cnc_set_window_size(slave, rows, columns) == 0,
              let output = fdopen(dup(slave), "w"), let input = fdopen(dup(slave), "r")
        else { throw TerminalError("cannot open the pseudo-terminal's slave side") }
        self.output = output
        self.input = input
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        fclose(output)
        fclose(input)
        close(slave)
        close(master)
    }

    /// Everything written to the terminal until it has been quiet for a moment.
    func readOutput() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !InputWaiter.wait(for: [master], timeoutMilliseconds: 100).isEmpty {
            let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Types `text` on the terminal's keyboard and waits until curses can read it.
    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        _ = InputWaiter.wait(for: [slave], timeoutMilliseconds: 1000)
    }
}

private func hasTerminfo(_ name: String) -> Bool {
    ["/lib/terminfo", "/usr/share/terminfo", "/etc/terminfo"].contains { directory in
        access("\(directory)/\(name.first!)/\(name)", R_OK) == 0
    }
}

extension BackendProcessWideTests {
    @Suite("Backend: NcursesTerminal on a pseudo-terminal", .enabled(if: hasTerminfo("xterm-256color")))
    struct PseudoTerminalTests {
        init() {
            setlocale(LC_ALL, "C.UTF-8")
        }

        @Test("draws a word, then only what changed, and stops idempotently")
        func drawsWords() throws {
            let pty = try PseudoTerminal(rows: 6, columns: 30)
            let terminal = try NcursesTerminal(ascii: false, terminalType: "xterm-256color", output: pty.output, input: pty.input)
            #expect(terminal.size == (30, 6))
            #expect(terminal.supportsColor)
            _ = pty.readOutput()

            var grid = CellGrid(width: 30, height: 6)
            grid.put("Hello", x: 2, y: 1, style: Style(foreground: .green, bold: true))
            grid.put("corner", x: 24, y: 5)  // up to the bottom-right cell
            terminal.draw(grid)
            let first = pty.readOutput()
            #expect(first.contains("Hello"))
            #expect(first.contains("corne"))

            grid.put("World", x: 2, y: 3)
            terminal.draw(grid)
            let second = pty.readOutput()
            #expect(second.contains("World"))
            #expect(!second.contains("Hello"))

            terminal.invalidate()
            terminal.draw(grid)
            let repaint = pty.readOutput()
            #expect(repaint.contains("Hello") && repaint.contains("World"))

            terminal.stop()
            terminal.stop()
            terminal.draw(grid)
            #expect(terminal.readKeys() == [])
        }

        @Test("draws a wide character in its leading cell")
        func wideCharacters() throws {
            let pty = try PseudoTerminal(rows: 4, columns: 20)
            let terminal = try NcursesTerminal(ascii: false, terminalType: "xterm-256color", output: pty.output, input: pty.input)
            defer { terminal.stop() }
            #expect(terminal.isUTF8)
            var grid = CellGrid(width: 20, height: 4)
            grid.put("📞 Ring", x: 0, y: 0)
            terminal.draw(grid)
            #expect(pty.readOutput().contains("📞"))
        }

        @Test("ASCII mode writes ? for text beyond ASCII")
        func asciiMode() throws {
            let pty = try PseudoTerminal(rows: 4, columns: 20)
            let terminal = try NcursesTerminal(ascii: true, terminalType: "xterm-256color", output: pty.output, input: pty.input)
            defer { terminal.stop() }
            var grid = CellGrid(width: 20, height: 4)
            grid.put("📞 Ring", x: 0, y: 0)
            terminal.draw(grid)
            let output = pty.readOutput()
            #expect(!output.contains("📞"))
            #expect(output.contains("?"))
            #expect(output.contains("Ring"))
        }

        @Test("a monochrome terminal keeps reverse video", .enabled(if: hasTerminfo("xterm-mono")))
        func monochrome() throws {
            let pty = try PseudoTerminal(rows: 4, columns: 20)
            let terminal = try NcursesTerminal(ascii: false, terminalType: "xterm-mono", output: pty.output, input: pty.input)
            defer { terminal.stop() }
            #expect(!terminal.supportsColor)
            var grid = CellGrid(width: 20, height: 4)
            grid.put("Picked", x: 1, y: 1, style: Style(foreground: .black, background: .cyan, reverse: true))
            terminal.draw(grid)
            let output = pty.readOutput()
            #expect(output.contains("Picked"))
            #expect(output.contains("\u{1b}[7m"))
        }

        @Test("reads typed keys: characters, an escape sequence, UTF-8")
        func readsKeys() throws {
            let pty = try PseudoTerminal(rows: 4, columns: 20)
            let terminal = try NcursesTerminal(ascii: false, terminalType: "xterm-256color", output: pty.output, input: pty.input)
            defer { terminal.stop() }
            #expect(terminal.readKeys() == [])
            pty.type("q\u{1b}OA\té\r")
            #expect(terminal.readKeys() == [.character("q"), .up, .tab, .character("é"), .enter])
            #expect(terminal.readKeys() == [])
        }

        @Test("a size change is reported once as .resize, with the new size")
        func resize() throws {
            let pty = try PseudoTerminal(rows: 4, columns: 20)
            let terminal = try NcursesTerminal(ascii: false, terminalType: "xterm-256color", output: pty.output, input: pty.input)
            defer { terminal.stop() }
            terminal.draw(CellGrid(width: 20, height: 4))
            _ = pty.readOutput()
            #expect(cnc_set_window_size(pty.master, 8, 33) == 0)
            #expect(terminal.readKeys() == [.resize])
            #expect(terminal.size == (33, 8))
            #expect(terminal.readKeys() == [])
            var grid = CellGrid(width: 33, height: 8)
            grid.put("Bigger", x: 0, y: 7)
            terminal.draw(grid)
            #expect(pty.readOutput().contains("Bigger"))
        }

        @Test("size notices a resize before readKeys does; readKeys still reports it once")
        func sizeFollowsTheKernel() throws {
            let pty = try PseudoTerminal(rows: 4, columns: 20)
            let terminal = try NcursesTerminal(ascii: false, terminalType: "xterm-256color", output: pty.output, input: pty.input)
            defer { terminal.stop() }
            #expect(cnc_set_window_size(pty.master, 5, 25) == 0)
            #expect(terminal.size == (25, 5))
            #expect(terminal.readKeys() == [.resize])
            #expect(terminal.readKeys() == [])
        }

        @Test("an unknown terminal type is an error, not an exit")
        func unknownTerminal() throws {
            let pty = try PseudoTerminal(rows: 4, columns: 20)
            #expect(throws: TerminalError.self) {
                try NcursesTerminal(ascii: false, terminalType: "no-such-terminal", output: pty.output, input: pty.input)
            }
        }

        @Test("without a terminal on standard output, init throws a readable error",
              .enabled(if: isatty(STDOUT_FILENO) == 0))
        func noTerminal() {
            do {
                _ = try NcursesTerminal(ascii: false)
                Issue.record("expected an error")
            } catch let error as TerminalError {
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}
