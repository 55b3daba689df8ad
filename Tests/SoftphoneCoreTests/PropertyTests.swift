import PropertyBased
import Testing
@testable import SoftphoneCore

/// Random states and random action sequences through the real reducer.
@Suite("Properties")
struct PropertyTests {
    static let graphSamples: [GraphPresence] = GraphMapping.specTable.map(\.graph) + [
        GraphPresence(.away, .away), GraphPresence(.availableIdle, .inactive), GraphPresence(.offline, .offline),
        GraphPresence(.busy, .inACall), GraphPresence(.doNotDisturb, .presenting, outOfOffice: true),
        GraphPresence(.presenceUnknown, .presenceUnknown),
    ]
    static let ids: [CallID] = ["c0", "c1", "c2"]
    static let kinds: [CallKind] = [.direct, .queue(sales), .queue(support)]

    /// One random step: which action, a parameter, and how many seconds pass before it.
    typealias Step = (code: Int, parameter: Int, seconds: Int)
    static let steps = zip(Gen.int(in: 0...21), Gen.int(in: 0...50), Gen.int(in: 0...40)).array(of: 1...80)

    static func action(_ step: Step) -> Action? {
        let p = step.parameter
        let id = ids[p % ids.count]
        switch step.code {
        case 0: return .login
        case 1: return .logout
        case 2: return .choosePresence(UserChoice.allCases[p % UserChoice.allCases.count])
        case 3: return .teamsPresence(graphSamples[p % graphSamples.count], asOf: p % 12)
        case 4, 5: return .incomingCall(IncomingCall(id: id, from: Party(number: "\(p)"), kind: kinds[p % kinds.count]))
        case 6: return .accept(id)
        case 7: return .decline(id)
        case 8: return .callerCancelled(id)
        case 9: return .hangUp(id)
        case 10: return .remoteHangUp(id)
        case 11: return .hold(id)
        case 12: return .resume(id)
        case 13: return .dial(CallID("o\(p % 2)"), to: "100\(p % 3)")
        case 14: return .remoteAnswered(CallID("o\(p % 2)"))
        case 15: return .timerFired(.noAnswer(id))
        case 16: return .timerFired(.wrapUpEnd)
        case 17: return .prolongWrapUp
        case 18: return p % 2 == 0 ? .teamsConnected : .teamsDisconnected(reason: "timeout")
        case 19: return .teamsDelivered(revision: p)
        case 20: return .resyncRequested
        default: return nil  // time passes only
        }
    }

    static let settings = [
        CoreSettings(),
        CoreSettings(answering: AnsweringConfig(rule: .forward(target: "sip:1002@127.0.0.1"), noAnswerSeconds: 10),
                     wrapUpSeconds: 15),
        CoreSettings(answering: AnsweringConfig(rule: .voicemail(target: "sip:vm@127.0.0.1")), wrapUpSeconds: 5,
                     sync: .fromTeams),
    ]

    /// Runs a sequence, checking `invariant(before, action, effects, after)` at every step.
    static func run(_ steps: [Step], settings: CoreSettings,
                    _ invariant: (SoftphoneState, Action, [Effect], SoftphoneState) -> Void) {
        var state = SoftphoneState(settings: settings)
        var now = t0
        for step in steps {
            now = now + .seconds(step.seconds)
            guard let action = action(step) else { continue }
            let before = state
            let effects = Reducer.reduce(&state, action, at: now)
            invariant(before, action, effects, state)
        }
    }

    @Test("A ⛔ state never signals a direct call (policy, random contexts)")
    func doNotDisturbNeverSignalsPolicy() async {
        let blocked: [PresenceState] = [.doNotDisturb, .presenting, .focusing, .wrapUp]
        await propertyCheck(count: 1000, input: Gen.int(in: 0...3), Gen.bool, Gen.int(in: 0...4), Gen.bool) {
            s, ooo, calls, loggedIn in
            let ctx = PolicyContext(presence: Presence(blocked[s], outOfOffice: ooo), loggedIn: loggedIn,
                                    callsInProgress: calls, answering: AnsweringConfig())
            #expect(!SignallingPolicy.decide(.direct, ctx).isSignalled)
        }
    }

    @Test("A ⛔ state never signals a direct call (reducer, random action sequences)")
    func doNotDisturbNeverSignalsReducer() async {
        await propertyCheck(count: 300, input: Self.steps, Gen.int(in: 0...2)) { steps, s in
            Self.run(steps, settings: Self.settings[s]) { before, action, effects, _ in
                // ⛔ worked out from the state itself, not from the reducer's own policyPresence.
                let blocked = before.wrapUp != nil
                    || [.doNotDisturb, .presenting, .focusing].contains(before.base.state)
                guard case .call(.incomingCall(let call)) = action, call.kind == .direct, blocked else { return }
                #expect(!effects.rings, "\(action) in \(before.base), wrap-up \(before.wrapUp != nil)")
            }
        }
    }

    @Test("Nothing is recorded while logged out (R1, R10)")
    func nothingRecordedWhileLoggedOut() async {
        await propertyCheck(count: 300, input: Self.steps, Gen.int(in: 0...2)) { steps, s in
            Self.run(steps, settings: Self.settings[s]) { before, action, effects, _ in
                if !before.loggedIn { #expect(effects.callRecords.isEmpty, "\(action)") }
            }
        }
    }

    @Test("Invariants hold over random sequences: no ring without a signal, counts match, transitions chain")
    func invariants() async {
        await propertyCheck(count: 300, input: Self.steps, Gen.int(in: 0...2)) { steps, s in
            var lastShown = Presence(.logout)
            Self.run(steps, settings: Self.settings[s]) { before, action, effects, after in
                // Ringing only for a call the policy signalled, and then exactly one call was added.
                if effects.rings {
                    guard case .call(.incomingCall(let call)) = action else { Issue.record("ring from \(action)"); return }
                    #expect(SignallingPolicy.decide(call.kind, before.policyContext).isSignalled)
                }
                let missed = effects.callRecords.filter { $0.outcome == .missed }.count
                #expect(after.missedCount == before.missedCount + missed)
                #expect(Set(after.calls.map(\.id)).count == after.calls.count)
                for t in effects.transitions {
                    #expect(t.from == lastShown)
                    lastShown = t.to
                }
                #expect(after.presence == lastShown)
                if !after.loggedIn { #expect(after.calls.isEmpty && after.wrapUp == nil) }
                #expect(after.teamsDeliveredRevision <= after.teamsRevision)
            }
        }
    }

    @Test("Mapping round trips: Presence → Graph → Presence, and Graph → Presence is stable")
    func mappingRoundTrips() async {
        let representable = PresenceState.allCases.filter { $0.origin != .softphone || $0 == .unknown }
        await propertyCheck(count: 500, input: Gen.int(in: 0...(representable.count - 1)), Gen.bool,
                            Gen<Availability>.case, Gen<Activity>.case) { s, ooo, a, act in
            let p = Presence(representable[s], outOfOffice: ooo)
            #expect(GraphMapping.presence(from: GraphMapping.graph(from: p)) == p)
            let decoded = GraphMapping.presence(from: GraphPresence(a, act, outOfOffice: ooo))
            #expect(GraphMapping.presence(from: GraphMapping.graph(from: decoded)) == decoded)
        }
    }
}
