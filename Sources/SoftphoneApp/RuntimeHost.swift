import NIOCore
import SoftphoneCore
import Synchronization
import TerminalUI

/// Runs a `Runtime` on one event loop — the SIP line's own — and publishes frames for
/// the terminal thread to draw.
///
/// An INVITE arrives on the line's loop; the line posts the incoming call; the host
/// hands it to the reducer on the same loop, and the reducer's `ring` goes back to the
/// line without crossing a thread, so the `180 Ringing` leaves before anything is drawn.
/// Drawing happens on the terminal thread, from the latest published `Frame`.
public final class RuntimeHost: Sendable {
    public let loop: EventLoop
    private let runtime: NIOLoopBoundBox<Runtime>
    private let clock: @Sendable () -> Instant
    private let frameReady: @Sendable () -> Void
    private let closer: Runtime.Closer
    private let published = Mutex<Frame?>(nil)
    /// A step is already queued on the loop: posts meanwhile need no other.
    private let stepQueued = Atomic<Bool>(false)
    private let quit = Atomic<Bool>(false)
    /// Set when shutdown has handled the last actions: nothing more is stepped.
    private let stopped = Atomic<Bool>(false)
    /// The one task waiting for the runtime's next deadline, and that deadline.
    private let timer: NIOLoopBoundBox<(task: Scheduled<Void>, at: Instant)?>

    /// `frameReady` is called (on the loop) each time a new frame is published or the agent quits.
    public init(runtime: Runtime, loop: EventLoop, clock: @escaping @Sendable () -> Instant = WallClock.now,
                frameReady: @escaping @Sendable () -> Void) {
        self.loop = loop
        self.clock = clock
        self.frameReady = frameReady
        self.closer = runtime.closer
        let inbox = runtime.inbox
        // Created off the loop: the runtime is handed over here and from now on touched only
        // on the loop (the caller keeps no other use of it, which the compiler cannot see).
        nonisolated(unsafe) let handedOver = runtime
        self.runtime = NIOLoopBoundBox.makeBoxSendingValue(handedOver, eventLoop: loop)
        self.timer = NIOLoopBoundBox.makeEmptyBox(valueType: (task: Scheduled<Void>, at: Instant).self, eventLoop: loop)
        self.inbox = inbox
    }

    private let inbox: Inbox

    /// Starts the day on the loop. What connectors posted before is handled right after
    /// the start (login first), in the order it was posted.
    public func start(at now: Instant) {
        loop.execute { [self] in
            runtime.value.start(at: now)
            inbox.onPost { [weak self] in self?.wake() }
            step()
        }
    }

    /// A key from the terminal, handled on the loop at the loop's time, after everything
    /// that was due or posted before it. Keys after quit are dropped.
    public func key(_ key: KeyInput) {
        loop.execute { [self] in
            guard !quitRequested, !stopped.load(ordering: .sequentiallyConsistent) else { return }
            let runtime = self.runtime.value, at = clock()
            runtime.advance(to: at)
            if !runtime.handle(key, at: at) {
                quit.store(true, ordering: .sequentiallyConsistent)
                frameReady()
            }
            step()
        }
    }

    /// The agent asked to quit.
    public var quitRequested: Bool { quit.load(ordering: .sequentiallyConsistent) }

    /// The newest frame published since the last call, if any.
    public func takeFrame() -> Frame? {
        published.withLock { frame in
            defer { frame = nil }
            return frame
        }
    }

    /// Logs out on the loop; then, on the caller's thread (which must not be the loop),
    /// lets the connectors deliver logout's requests; handles what they reported meanwhile
    /// (the call records among it) in one last step; and waits for the call log's writes.
    public func shutdown() {
        let clock = self.clock, runtime = self.runtime
        try? loop.submit { [self] in
            runtime.value.logOut(at: clock())
            step()
        }.wait()
        closer.closeConnectors()
        try? loop.submit { [self] in
            step()
            stopped.store(true, ordering: .sequentiallyConsistent)
            timer.value?.task.cancel()
            timer.value = nil
        }.wait()
        closer.flushCallLog()
    }

    // MARK: On the loop

    /// Something was posted to the inbox (from any thread).
    private func wake() {
        guard stepQueued.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
        else { return }
        loop.execute { [self] in
            stepQueued.store(false, ordering: .sequentiallyConsistent)
            step()
        }
    }

    /// Handles what is due, waits for the next deadline, and publishes a frame if anything changed.
    private func step() {
        guard !stopped.load(ordering: .sequentiallyConsistent) else { return }
        let runtime = self.runtime.value
        runtime.advance(to: clock())
        armTimer(runtime)
        if runtime.takeDirty() {
            let frame = runtime.frame()
            published.withLock { $0 = frame }
            frameReady()
        }
    }

    private func armTimer(_ runtime: Runtime) {
        guard let next = runtime.nextDeadline else { return }
        if let current = timer.value, current.at <= next { return }
        timer.value?.task.cancel()
        // Deadlines are wall-clock instants and the loop waits on a monotonic clock: waiting
        // at most a second at a time keeps a timer on time when the wall clock jumps ahead.
        let now = clock()
        let wait = min(max(.zero, next - now), .seconds(1))
        let task = loop.scheduleTask(in: .nanoseconds(wait.nanoseconds)) { [self] in
            timer.value = nil
            step()
        }
        timer.value = (task, now + wait)
    }
}
