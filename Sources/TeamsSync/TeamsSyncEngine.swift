import SoftphoneCore

/// The driver of a `SyncPlan`: hands it the reducer's commands, webhook events, request
/// results and fired timers with the time from `clock`, and carries out what it says —
/// requests through `GraphClient` (one at a time), timers in a `DeadlineQueue`, reports
/// to `report`. All decisions are the plan's.
public actor TeamsSyncEngine {
    public typealias Options = SyncPlan.Options
    public typealias Webhook = SyncPlan.Webhook

    let client: GraphClient
    let options: Options
    let report: @Sendable (TeamsReport) -> Void
    private let clock: any SyncClock
    private var plan: SyncPlan
    private var running = false
    private var timers = DeadlineQueue<SyncPlan.Timer, Instant>()
    private var timerTask: Task<Void, Never>?
    /// Numbers each arming of the timer task, so a late sleeper cannot fire a later deadline.
    private var timerGeneration = 0
    private var request: Task<Void, Never>?
    private var flushWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    public init(client: GraphClient, options: Options, clock: any SyncClock = SystemSyncClock(),
                jitterSeed: UInt64 = UInt64.random(in: .min ... .max),
                report: @escaping @Sendable (TeamsReport) -> Void) {
        self.client = client
        self.options = options
        self.clock = clock
        self.report = report
        plan = SyncPlan(options: options, agentID: client.configuration.userID, jitterSeed: jitterSeed)
    }

    /// Starts the background work (delivery, keep-alive, polling).
    public func start() {
        guard !running else { return }
        running = true
        handle(.start)
    }

    public func stop() {
        guard running else { return }
        running = false
        carryOut(plan.stop())
        request?.cancel()
        request = nil
        timerTask?.cancel()
        timerTask = nil
        releaseFlushWaiters()
    }

    /// Returns once every command performed so far is delivered, or at once while Teams
    /// is unreachable (on quit, so logout's clearing reaches Teams), or after `timeout`.
    public func flush(timeout: Duration? = nil) async {
        guard running, !plan.isSettled else { return }
        nextWaiter += 1
        let id = nextWaiter
        var deadline: Task<Void, Never>?
        if let timeout {
            let clock = self.clock, until = clock.now + timeout
            deadline = Task { [weak self] in
                guard (try? await clock.sleep(until: until)) != nil else { return }
                await self?.releaseFlushWaiter(id)
            }
        }
        await withCheckedContinuation { flushWaiters[id] = $0 }
        deadline?.cancel()
    }

    /// A command from the reducer.
    public func perform(_ command: TeamsCommand) { handle(.command(command)) }

    /// The colleagues to read, when they changed (ids resolved after the start).
    public func setColleagues(_ ids: [String]) { handle(.colleagues(ids)) }

    /// An event from the `WebhookReceiver`.
    public func notified(_ event: WebhookReceiver.Event) { handle(.notified(event)) }

    /// Deletes the subscriptions (on quit); Graph would expire them within the hour anyway.
    public func unsubscribe() async {
        for delete in plan.unsubscribe() { _ = await client.execute(delete) }
    }

    // MARK: Running the plan

    private func handle(_ event: SyncPlan.Event) {
        guard running else { return }
        carryOut(plan.handle(event, at: clock.now))
        if plan.isSettled { releaseFlushWaiters() }
    }

    private func carryOut(_ outputs: [SyncPlan.Output]) {
        var rearm = false
        for output in outputs {
            switch output {
            case .send(let graphRequest):
                let client = self.client
                request = Task { [weak self] in
                    let result = await client.execute(graphRequest)
                    guard !Task.isCancelled else { return }
                    await self?.handle(.completed(result))
                }
            case .startTimer(let timer, let at):
                timers.start(timer, at: at)
                rearm = true
            case .cancelTimer(let timer):
                timers.cancel(timer)
                rearm = true
            case .report(let item):
                report(item)
            }
        }
        if rearm { armTimer() }
    }

    /// One sleeper for the earliest deadline.
    private func armTimer() {
        timerTask?.cancel()
        timerTask = nil
        timerGeneration += 1
        guard running, let next = timers.nextDeadline() else { return }
        let generation = timerGeneration, clock = self.clock
        timerTask = Task { [weak self] in
            guard (try? await clock.sleep(until: next)) != nil else { return }
            await self?.timersDue(generation: generation, deadline: next)
        }
    }

    private func timersDue(generation: Int, deadline: Instant) {
        guard generation == timerGeneration else { return }
        for timer in timers.takeDue(at: max(clock.now, deadline)) { handle(.timerFired(timer)) }
        if generation == timerGeneration { armTimer() }
    }

    private func releaseFlushWaiters() {
        let waiters = flushWaiters
        flushWaiters = [:]
        for waiter in waiters.values { waiter.resume() }
    }

    private func releaseFlushWaiter(_ id: Int) {
        flushWaiters.removeValue(forKey: id)?.resume()
    }
}
