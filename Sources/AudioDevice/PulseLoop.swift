import CPulse
import Foundation
import Synchronization

/// One PulseAudio threaded main loop and one context, shared by every stream of a backend.
///
/// The loop (one thread, libpulse's own) is created and started on the first opening; the context
/// is connected then and reused by later openings, and connected again when it has failed. Every
/// stream's callbacks run on the loop's thread with the loop's lock held; everything else that
/// touches the context or a stream takes that lock first (`withLock`), unless it already runs on
/// the loop's thread (a callback), where locking again is not needed.
///
/// ## The loop's lock and every other lock
///
/// The loop's lock is a recursive priority-inheritance pthread mutex (`pa_mutex_new(true, true)`),
/// and so is Swift's `Mutex` on Linux (a `FUTEX_LOCK_PI` futex): the kernel follows one graph of
/// owners and waiters through both, and when a lock attempt would close a cycle it returns
/// EDEADLK, which glibc turns into an assertion failure (`__pthread_mutex_lock_full: Assertion
/// 'e != EDEADLK ...'`) and Swift into "Recursive call to lock Mutex". The loop's thread holds the
/// lock while it calls the streams back, and the callbacks may take their owner's locks. Hence the
/// rule for every user of this module:
///
/// - **Take the loop's lock holding no other lock** — open a stream, stop a running one, and drop
///   the last reference to a running one (which stops it) only from a thread that holds no lock a
///   callback may wait for. Stopping or releasing a stream that has ended takes no lock.
/// - **In a callback, wait only for leaf locks** — locks whose holders never wait for anything
///   while holding them (no other lock, no stream opened, stopped or released under them).
///
/// Inside this module the only other lock is `created`, held while the loop is created and
/// started (which takes no lock the loop's thread holds) and never taken on the loop's thread.
final class PulseLoop: @unchecked Sendable {
    let server: String?
    let applicationName: String

    /// The threaded main loop, created on first use.
    private let created = Mutex<Handle?>(nil)
    /// The context: touched only under the loop's lock.
    private var context: OpaquePointer?

    struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Why the context is not ready.
    enum ContextFailure: Error {
        case failed(Int32)
        case timedOut
    }

    init(server: String?, applicationName: String) {
        self.server = server
        self.applicationName = applicationName
    }

    deinit {
        guard let handle = created.withLock({ $0 }) else { return }
        let context = self.context.map(Handle.init)
        let teardown: @Sendable () -> Void = {
            pa_threaded_mainloop_lock(handle.pointer)
            if let context {
                pa_context_set_state_callback(context.pointer, nil, nil)
                pa_context_disconnect(context.pointer)
                pa_context_unref(context.pointer)
            }
            pa_threaded_mainloop_unlock(handle.pointer)
            pa_threaded_mainloop_stop(handle.pointer)
            pa_threaded_mainloop_free(handle.pointer)
        }
        // The last stream may let go of the loop from inside the loop's own thread, which cannot
        // stop itself: another thread does it once this callback has returned.
        if pa_threaded_mainloop_in_thread(handle.pointer) != 0 {
            Thread.detachNewThread(teardown)
        } else {
            teardown()
        }
    }

    /// The running main loop, created and started on the first call; nil when that fails.
    func mainloop() -> OpaquePointer? {
        created.withLock { created in
            if let created { return created.pointer }
            guard let loop = pa_threaded_mainloop_new() else { return nil }
            pa_threaded_mainloop_set_name(loop, "softphone-sound")
            guard pa_threaded_mainloop_start(loop) >= 0 else {
                pa_threaded_mainloop_free(loop)
                return nil
            }
            created = Handle(pointer: loop)
            return loop
        }
    }

    /// Whether the caller runs on the loop's thread (inside a stream's callback).
    func isLoopThread(_ loop: OpaquePointer) -> Bool {
        pa_threaded_mainloop_in_thread(loop) != 0
    }

    /// Runs `body` holding the loop's lock (or directly on the loop's thread, which holds it).
    func withLock<R, E: Error>(_ loop: OpaquePointer, _ body: () throws(E) -> R) throws(E) -> R {
        let inThread = isLoopThread(loop)
        if !inThread { pa_threaded_mainloop_lock(loop) }
        defer { if !inThread { pa_threaded_mainloop_unlock(loop) } }
        return try body()
    }

    /// Waits, holding the lock (not on the loop's thread), until `done` holds; false when `deadline`
    /// passes first. A timer on the loop wakes the wait at the deadline.
    func wait(_ loop: OpaquePointer, until deadline: ContinuousClock.Instant, _ done: () -> Bool) -> Bool {
        let api = pa_threaded_mainloop_get_api(loop)!
        while !done() {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            var when = timeval()
            pa_gettimeofday(&when)
            pa_timeval_add(&when, pa_usec_t(max(1, left.nanoseconds / 1_000)))
            let timer = api.pointee.time_new(api, &when, { _, _, _, userdata in
                pa_threaded_mainloop_signal(OpaquePointer(userdata), 0)
            }, UnsafeMutableRawPointer(loop))
            pa_threaded_mainloop_wait(loop)
            if let timer { api.pointee.time_free(timer) }
        }
        return true
    }

    /// The connected context, connecting (again) when there is none or it failed. Under the lock,
    /// not on the loop's thread.
    func readyContext(_ loop: OpaquePointer, until deadline: ContinuousClock.Instant) throws(ContextFailure) -> OpaquePointer {
        if let context, cpulse_context_is_good(pa_context_get_state(context)) == 0 { dropContext() }
        if context == nil {
            guard let fresh = pa_context_new(pa_threaded_mainloop_get_api(loop), applicationName) else {
                throw .failed(Int32(PA_ERR_INTERNAL.rawValue))
            }
            pa_context_set_state_callback(fresh, { _, userdata in
                pa_threaded_mainloop_signal(OpaquePointer(userdata), 0)
            }, UnsafeMutableRawPointer(loop))
            context = fresh
            let connected = withOptionalCString(server) { pa_context_connect(fresh, $0, PA_CONTEXT_NOAUTOSPAWN, nil) }
            if connected < 0 {
                let code = pa_context_errno(fresh)
                dropContext()
                throw .failed(code)
            }
        }
        let context = context!
        let settled = wait(loop, until: deadline) {
            let state = pa_context_get_state(context)
            return state == PA_CONTEXT_READY || cpulse_context_is_good(state) == 0
        }
        if !settled {
            // A server that accepts and never answers: start afresh next time.
            dropContext()
            throw .timedOut
        }
        if pa_context_get_state(context) != PA_CONTEXT_READY {
            let code = pa_context_errno(context)
            dropContext()
            throw .failed(code)
        }
        return context
    }

    /// The context's last error (under the lock).
    var contextErrno: Int32 {
        context.map { pa_context_errno($0) } ?? Int32(PA_ERR_CONNECTIONTERMINATED.rawValue)
    }

    private func dropContext() {
        guard let context else { return }
        pa_context_set_state_callback(context, nil, nil)
        pa_context_disconnect(context)
        pa_context_unref(context)
        self.context = nil
    }
}
