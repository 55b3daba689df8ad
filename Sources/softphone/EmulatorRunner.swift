import Foundation
import Synchronization
import TeamsEmulator

/// Runs the Teams emulator in the foreground until Ctrl-C or SIGTERM
/// (`softphone teams-emulator`). Returns the exit status.
public enum EmulatorRunner {
    public static func run(_ options: TeamsEmulatorOptions, announce: String) -> Int32 {
        FileHandle.standardOutput.write(Data((announce + "\n").utf8))
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<Error?>(nil)
        let task = Task {
            do {
                try await TeamsEmulatorServer.run(options: options)
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        signal(SIGINT, onStopSignal)
        signal(SIGTERM, onStopSignal)
        // A graceful stop is given two seconds; then the process ends anyway
        // (exiting closes every socket).
        var giveUpAt: DispatchTime?
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            guard stopRequested != 0 else { continue }
            if giveUpAt == nil {
                task.cancel()
                giveUpAt = .now() + .seconds(2)
            } else if DispatchTime.now() >= giveUpAt! {
                break
            }
        }
        if let error = failure.withLock({ $0 }) {
            FileHandle.standardError.write(Data("softphone teams-emulator: \(error)\n".utf8))
            return 1
        }
        return 0
    }
}

/// Set by SIGINT/SIGTERM; the waiting thread polls it (async-signal-safe).
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0
private func onStopSignal(_ signal: Int32) { stopRequested = 1 }
