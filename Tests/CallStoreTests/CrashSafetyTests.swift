import CallStore
import Foundation
import SoftphoneCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the `callstore-crash-writer` executable that the build put beside the tests.
private enum CrashWriterLocator {
    private final class BundleToken {}

    static let name = "callstore-crash-writer"

    /// Directories where the products of this build live, most likely first.
    static var candidateDirectories: [URL] {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let testBundle = Bundle(for: BundleToken.self).bundleURL
        return [
            // Linux: `.build/debug/<package>PackageTests.xctest` is itself the test executable.
            testBinary.deletingLastPathComponent(),
            // macOS: `.build/debug/<package>PackageTests.xctest` is a bundle run by a host tool.
            testBundle.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
    }

    static func locate() -> URL? {
        candidateDirectories
            .map { $0.appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

@Suite("Crash safety")
struct CrashSafetyTests {
    @Test("every commit reported before SIGKILL is in the reopened, intact database",
          .timeLimit(.minutes(2)))
    func killDuringWrites() throws {
        let writer = try #require(
            CrashWriterLocator.locate(),
            "\(CrashWriterLocator.name) not found in \(CrashWriterLocator.candidateDirectories.map(\.path)); build the package with its executables"
        )
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("crash.sqlite").path
            let output = Pipe()
            let process = Process()
            process.executableURL = writer
            process.arguments = [path]
            process.standardOutput = output
            try process.run()
            let pid = process.processIdentifier
            // Whatever happens below, the writer does not outlive the test.
            defer {
                if process.isRunning { kill(pid, SIGKILL) }
                process.waitUntilExit()
            }
            let reader = CommitReader(output.fileHandleForReading)

            let target = 300
            let reached = reader.wait(forAtLeast: target, until: Date().addingTimeInterval(30))
            try #require(reader.problem == nil, "\(reader.problem ?? "")")
            try #require(reached, "the writer reported only \(reader.committed) of \(target) commits within 30 s")

            #expect(kill(pid, SIGKILL) == 0)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(process.terminationStatus == SIGKILL)
            // Everything written before the kill has been read once stdout ends.
            try #require(reader.waitForEnd(until: Date().addingTimeInterval(30)), "the writer's stdout did not end")
            try #require(reader.problem == nil, "\(reader.problem ?? "")")

            let reported = reader.committed
            let store = try CallStore(path: path)
            #expect(try store.integrityCheck() == "ok")
            let stored = Set(try store.history(limit: .max).map(\.id.rawValue))
            let lost = (1...reported).filter { !stored.contains("call-\($0)") }
            #expect(lost.isEmpty, "committed but missing after the crash: \(lost.prefix(20))")
            #expect(try store.callCount() >= reported)
        }
    }
}
