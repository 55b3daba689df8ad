import Testing
@testable import SoftphoneCore

/// Every state of the model through every call kind, with and without a call in
/// progress and with and without out of office, against the seed's rules written out as data.
@Suite("Signalling policy table")
struct PolicyTableTests {
    /// ⛔ (R2, with wrap-up per R11).
    static let blocked: Set<PresenceState> = [.doNotDisturb, .presenting, .focusing, .wrapUp]
    /// R7's list: Available, Be right back, Busy (and the Busy family), Offline, Away, Out of office.
    static let r7: Set<PresenceState> = [.available, .beRightBack, .busy, .inACall, .inAConferenceCall, .inAMeeting,
                                         .offline, .appearOffline, .away]
    /// States the policy judges; Ring and On a call are outputs (calls are counted), Logout is `loggedIn == false`.
    static let judged = PresenceState.allCases.filter { ![.ring, .onACall, .logout].contains($0) }

    static func expected(_ state: PresenceState, _ kind: CallKind, calls: Int) -> Bool {
        switch kind {
        case .direct: !blocked.contains(state)
        case .queue(let q) where q.presenceBasedRouting: calls == 0 && state == .available
        case .queue: calls == 0 && r7.contains(state)
        }
    }

    @Test("Every state × direct, queue with and without presence-based routing", arguments: judged)
    func table(state: PresenceState) {
        for kind in [CallKind.direct, .queue(sales), .queue(support)] {
            for calls in [0, 1] {
                for ooo in [false, true] {
                    let decision = SignallingPolicy.decide(kind, context(Presence(state, outOfOffice: ooo), calls: calls))
                    #expect(decision.isSignalled == Self.expected(state, kind, calls: calls),
                            "\(state) ooo=\(ooo) \(kind.label) calls=\(calls): \(decision.reason)")
                    #expect(!decision.reason.isEmpty)
                    if case .divert(let d) = decision {
                        #expect(d.reason.hasPrefix("not signalled: "))
                        #expect(d.sipStatus == (kind == .direct ? 486 : 480))
                    }
                }
            }
        }
    }

    @Test("Logged out refuses every kind with 480 (R1)")
    func loggedOut() {
        for state in Self.judged {
            for kind in [CallKind.direct, .queue(sales), .queue(support)] {
                let d = SignallingPolicy.decide(kind, context(Presence(state), loggedIn: false))
                #expect(d == .refuse(sipStatus: 480, .r1, reason: "not signalled: logged out"))
            }
        }
    }

    @Test("Outbound is possible except in ⛔ states and when logged out")
    func outbound() {
        for state in Self.judged {
            #expect(SignallingPolicy.outbound(context(Presence(state))).isAllowed == !Self.blocked.contains(state))
        }
        #expect(!SignallingPolicy.outbound(context(Presence(.available), loggedIn: false)).isAllowed)
    }
}
