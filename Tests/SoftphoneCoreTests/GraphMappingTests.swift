import Testing
@testable import SoftphoneCore

@Suite("Graph mapping")
struct GraphMappingTests {
    @Test("Every row of SPEC's table maps to the state Teams shows, and back",
          arguments: GraphMapping.specTable.map { ($0.shows, $0.graph) })
    func specRows(shows: String, graph: GraphPresence) {
        let presence = GraphMapping.presence(from: graph)
        #expect(presence.label == shows)
        #expect(GraphMapping.graph(from: presence) == graph)
    }

    @Test("Teams-representable presences survive a round trip through Graph")
    func presenceRoundTrip() {
        for state in PresenceState.allCases where state.origin != .softphone || state == .unknown {
            for ooo in [false, true] {
                let p = Presence(state, outOfOffice: ooo)
                #expect(GraphMapping.presence(from: GraphMapping.graph(from: p)) == p, "\(p)")
            }
        }
    }

    @Test("Every pair Graph can send decodes, and decoding is stable")
    func totalDecoding() {
        for a in Availability.allCases {
            for act in Activity.allCases {
                for ooo in [false, true] {
                    let p = GraphMapping.presence(from: GraphPresence(a, act, outOfOffice: ooo))
                    #expect(GraphMapping.presence(from: GraphMapping.graph(from: p)) == p, "\(a)/\(act)")
                }
            }
        }
    }

    @Test("The softphone's own states tell Teams what R12 and R11 ask")
    func softphoneStatesToGraph() {
        #expect(GraphMapping.graph(from: Presence(.ring)).pair == PresencePair(.busy, .inACall))
        #expect(GraphMapping.graph(from: Presence(.onACall)).pair == PresencePair(.busy, .inACall))
        #expect(GraphMapping.graph(from: Presence(.wrapUp)).pair == PresencePair(.doNotDisturb, .doNotDisturb))
    }

    @Test("Idle and special activities decode sensibly")
    func specialPairs() {
        #expect(GraphMapping.state(for: PresencePair(.availableIdle, .inactive)) == .away)
        #expect(GraphMapping.state(for: PresencePair(.available, .inactive)) == .available)
        #expect(GraphMapping.state(for: PresencePair(.busyIdle, .busy)) == .busy)
        #expect(GraphMapping.state(for: PresencePair(.doNotDisturb, .urgentInterruptionsOnly)) == .doNotDisturb)
        #expect(GraphMapping.state(for: PresencePair(.presenceUnknown, .presenceUnknown)) == .unknown)
        #expect(GraphMapping.state(for: PresencePair(.offline, .offWork)) == .appearOffline)
    }

    @Test("Each choice's preferred pair decodes to the choice's state")
    func choicesDecode() {
        for choice in UserChoice.allCases {
            #expect(GraphMapping.state(for: choice.preferredPair) == choice.state)
        }
    }
}
