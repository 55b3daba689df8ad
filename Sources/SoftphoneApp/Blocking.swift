import Dispatch
import Synchronization

/// Runs async work from synchronous code (start-up and shutdown), waiting at most `timeout`.
public func blocking<T: Sendable>(timeout: Duration = .seconds(30),
                                  _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<Result<T, Error>?>(nil)
    Task {
        let outcome: Result<T, Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    let wait = DispatchTimeInterval.nanoseconds(Int(clamping: timeout.nanoseconds))
    guard done.wait(timeout: .now() + wait) == .success, let value = result.withLock({ $0 }) else {
        throw BlockingTimeout()
    }
    return try value.get()
}

/// `blocking(timeout:_:)` gave up waiting.
struct BlockingTimeout: Error, CustomStringConvertible {
    var description: String { "timed out" }
}
