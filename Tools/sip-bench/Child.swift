import Foundation

/// The line under test in its own process, so its memory is measured alone.
final class Child {
    let process: Process
    let port: Int
    private let input: Pipe

    private init(process: Process, port: Int, input: Pipe) {
        self.process = process
        self.port = port
        self.input = input
    }

    /// Starts `sip-bench --line MODE` and reads the port it listens on.
    static func start(_ mode: String) throws -> Child {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--line"] + (mode.isEmpty ? [] : [mode])
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5).prefix { $0.isNumber }) else {
            kill(process.processIdentifier, SIGKILL)
            throw BenchError("the line under test did not start: \(text)")
        }
        return Child(process: process, port: port, input: input)
    }

    /// VmRSS of the child, from /proc.
    func residentKilobytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// Closes the child's standard input (it exits), then makes sure with SIGKILL.
    func stop() {
        try? input.fileHandleForWriting.close()
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
