@testable import SoftphoneCore
import Testing

/// Issue 13: sync slowed by Graph's limits is shown, and is not a lost connection.
@Suite("Teams sync slowed by Graph's limits")
struct TeamsSlowdownTests {
    @Test("Graph asked to wait: kept (the latest deadline wins), said once in the Log, never ❎")
    func askedToWait() {
        var h = Harness()
        _ = h.send(.teamsConnected)
        let effects = h.send(.teamsAskedToWait(.seconds(20), until: t0 + .seconds(20)))
        #expect(effects.isEmpty)
        #expect(h.state.teamsWait == TeamsWait(asked: .seconds(20), until: t0 + .seconds(20)))
        #expect(h.state.teamsConnected)
        #expect(h.state.log.events.last?.text.contains("Graph asked to wait 20 s") == true)
        let lines = h.state.log.events.count
        // An earlier deadline reported late does not shorten it.
        _ = h.send(.teamsAskedToWait(.seconds(5), until: t0 + .seconds(5)))
        #expect(h.state.teamsWait?.until == t0 + .seconds(20))
        #expect(h.state.log.events.count == lines)
    }

    @Test("Polling slowed by the budget: set and cleared, logged when it starts")
    func pollingSlowed() {
        var h = Harness()
        _ = h.send(.teamsConnected)
        _ = h.send(.teamsPollingSlowed(budget: 30))
        #expect(h.state.teamsSlowedByBudget == 30)
        #expect(h.state.teamsConnected)
        #expect(h.state.log.events.last?.text.contains("within 30 requests per 30 s") == true)
        let lines = h.state.log.events.count
        _ = h.send(.teamsPollingSlowed(budget: 30))
        #expect(h.state.log.events.count == lines)
        _ = h.send(.teamsPollingSlowed(budget: nil))
        #expect(h.state.teamsSlowedByBudget == nil)
    }
}
