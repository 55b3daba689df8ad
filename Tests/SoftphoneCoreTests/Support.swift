@testable import SoftphoneCore

let t0 = Instant(secondsSinceEpoch: 1_800_000_000)
let sales = Queue(name: "Sales", number: "700", presenceBasedRouting: true)
let support = Queue(name: "Support", number: "701", presenceBasedRouting: false)
let caller = Party(number: "+4930123456", name: "Carla Caller")

func context(_ presence: Presence, loggedIn: Bool = true, calls: Int = 0,
             answering: AnsweringConfig = AnsweringConfig()) -> PolicyContext {
    PolicyContext(presence: presence, loggedIn: loggedIn, callsInProgress: calls, answering: answering)
}

func call(_ id: CallID, _ kind: CallKind = .direct, from: Party = caller) -> IncomingCall {
    IncomingCall(id: id, from: from, kind: kind)
}

/// Drives the real reducer on virtual time, keeps every effect, and fires
/// the timers the reducer started when virtual time passes them.
struct Harness {
    var state: SoftphoneState
    var now = t0
    var effects: [Effect] = []
    /// Timers started and neither cancelled nor fired yet.
    var timers: [TimerID: Instant] = [:]

    init(settings: CoreSettings = CoreSettings(), loggedIn: Bool = true, choice: UserChoice = .available) {
        state = SoftphoneState(settings: settings)
        if loggedIn { send(.login) }
        if choice != .available { send(.choosePresence(choice)) }
        effects = []
    }

    /// Sends an action `after` the previous one and returns only its effects.
    @discardableResult
    mutating func send(_ action: Action, after: Duration = .zero) -> [Effect] {
        now = now + after
        let new = Reducer.reduce(&state, action, at: now)
        for effect in new {
            switch effect {
            case .startTimer(let id, let at): timers[id] = at
            case .cancelTimer(let id): timers[id] = nil
            default: break
            }
        }
        effects += new
        return new
    }

    /// A report from Teams over a settled connection: everything asked of Teams was
    /// delivered first, and the report reflects it.
    @discardableResult
    mutating func teams(_ graph: GraphPresence) -> [Effect] {
        send(.teamsDelivered(revision: state.teamsRevision))
        return send(.teamsPresence(graph, asOf: state.teamsRevision))
    }

    /// Lets `span` pass, firing due timers in order.
    mutating func advance(_ span: Duration) {
        let end = now + span
        while let (id, at) = timers.filter({ $0.value <= end }).min(by: { $0.value < $1.value }) {
            timers[id] = nil
            now = at
            send(.timerFired(id))
        }
        now = end
    }
}

extension Array where Element == Effect {
    var lineCommands: [LineCommand] { compactMap { if case .line(let c) = $0 { c } else { nil } } }
    /// The line commands about calls and registration, without presence publications.
    var callCommands: [LineCommand] { lineCommands.filter { if case .publish = $0 { false } else { true } } }
    var callRecords: [CallRecord] { compactMap { if case .recordCall(let r) = $0 { r } else { nil } } }
    var transitions: [PresenceTransition] { compactMap { if case .recordPresence(let t) = $0 { t } else { nil } } }
    var teamsCommands: [TeamsCommand] { compactMap { if case .teams(let c) = $0 { c } else { nil } } }
    var rings: Bool { lineCommands.contains { if case .ring = $0 { true } else { false } } }
}
