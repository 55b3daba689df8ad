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
        inbox.onPost { [weak self] in self?.wake() }
    }

    /// Starts the day on the loop.
    public func start(at now: Instant) {
        loop.execute { [self] in
            runtime.value.start(at: now)
            step()
        }
    }

    /// A key from the terminal.
    public func key(_ key: KeyInput) {
        let at = clock()
        loop.execute { [self] in
            if !runtime.value.handle(key, at: at) {
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

    /// Logs out on the loop, then — on the caller's thread, which must not be the loop —
    /// lets the connectors deliver logout's requests and the call log finish writing.
    public func shutdown() {
        let clock = self.clock, runtime = self.runtime, timer = self.timer
        try? loop.submit {
            timer.value?.task.cancel()
            timer.value = nil
            runtime.value.logOut(at: clock())
        }.wait()
        closer.close()
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
        let wait = max(.zero, next - clock())
        let task = loop.scheduleTask(in: .nanoseconds(wait.nanoseconds)) { [self] in
            timer.value = nil
            step()
        }
        timer.value = (task, next)
    }
}
