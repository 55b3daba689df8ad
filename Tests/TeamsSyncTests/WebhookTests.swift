import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SoftphoneCore
import Synchronization
import Testing
@testable import TeamsSync

/// POSTs to the receiver.
private func post(_ receiver: WebhookReceiver, query: String = "", body: String? = nil) async throws
    -> (status: Int, contentType: String?, body: String) {
    var request = HTTPClientRequest(url: receiver.localURL + query)
    request.method = .POST
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    let data = try await response.body.collect(upTo: 1 << 16)
    return (Int(response.status.code), response.headers.first(name: "Content-Type"), String(buffer: data))
}

private func notification(_ id: String, clientState: String, lifecycle: String? = nil) -> String {
    let event = lifecycle.map { #","lifecycleEvent":"\#($0)""# } ?? ""
    return #"{"subscriptionId":"s1","clientState":"\#(clientState)","changeType":"updated","#
        + #""resource":"communications/presences('\#(id)')","tenantId":"t"\#(event)}"#
}

@Suite("Webhook receiver")
struct WebhookReceiverTests {
    @Test("the validationToken handshake is answered 200 text/plain with the token decoded")
    func validation() async throws {
        let receiver = try await WebhookReceiver.start(host: "127.0.0.1", port: 0, clientState: "s") { _ in }
        let answer = try await post(receiver, query: "?validationToken=Validation%3A%20Testing%20client%20reachability")
        #expect(answer.status == 200)
        #expect(answer.contentType?.hasPrefix("text/plain") == true)
        #expect(answer.body == "Validation: Testing client reachability")
        // Graph form-encodes: + is a space.
        let plus = try await post(receiver, query: "?validationToken=Validation%3a+Testing+client+1%2B1")
        #expect(plus.body == "Validation: Testing client 1+1")
        await receiver.stop()
    }

    @Test("a notification is answered 202 and names the changed users; a foreign clientState is ignored; garbage gets 400")
    func notifications() async throws {
        let events = Mutex<[WebhookReceiver.Event]>([])
        let receiver = try await WebhookReceiver.start(host: "127.0.0.1", port: 0, clientState: "ours") { event in
            events.withLock { $0.append(event) }
        }
        let batch = #"{"value":[\#(notification("ada", clientState: "ours")),\#(notification("eve", clientState: "theirs")),"#
            + #"\#(notification("bob", clientState: "ours")),\#(notification("ada", clientState: "ours"))]}"#
        #expect(try await post(receiver, body: batch).status == 202)
        #expect(try await post(receiver, body: #"{"value":[\#(notification("ada", clientState: "theirs"))]}"#).status == 202)
        #expect(try await post(receiver, body: "{not json").status == 400)
        #expect(events.withLock { $0 } == [.changed(userIDs: ["ada", "bob"])])
        await receiver.stop()
    }

    @Test("lifecycle notifications are passed on; resource paths give the user id, quotes unescaped")
    func lifecycleAndResources() throws {
        let batch = try JSONDecoder().decode(ChangeNotificationBatch.self, from: Data(
            #"{"value":[\#(notification("ada", clientState: "k", lifecycle: "subscriptionRemoved")),\#(notification("o''neil", clientState: "k"))]}"#.utf8))
        #expect(WebhookReceiver.events(in: batch, clientState: "k") == [
            .changed(userIDs: ["o'neil"]), .lifecycle(subscriptionID: "s1", event: "subscriptionRemoved"),
        ])
        #expect(WebhookReceiver.userID(inResource: "communications/presences('a-1')") == "a-1")
        #expect(WebhookReceiver.userID(inResource: "communications/presences") == nil)
        #expect(WebhookReceiver.userID(inResource: "communications/presences/0f2c-77") == "0f2c-77")
    }

    @Test("a port in use is a readable error")
    func portInUse() async throws {
        let first = try await WebhookReceiver.start(host: "127.0.0.1", port: 0, clientState: "s") { _ in }
        await #expect(throws: WebhookError.self) {
            _ = try await WebhookReceiver.start(host: "127.0.0.1", port: first.port, clientState: "s") { _ in }
        }
        await first.stop()
    }
}

@Suite("Sync in webhook mode on virtual time")
struct WebhookSyncTests {
    @Test("Changes in Teams arrive by notification, for the agent and a colleague, with polling too slow to matter")
    func changesArriveByNotification() {
        var loop = PlanLoop.webhook(colleagueIDs: ["bob", "cat"])
        loop.send(.login)
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        #expect(loop.eventually { $0.graph.subscribeRequests == 1 })
        #expect(loop.eventually { $0.notes.contains { $0.hasPrefix("Teams change notifications on (3 people, 1 subscription)") } })
        #expect(loop.eventually { $0.colleague("cat") == Presence(.available) })
        #expect(loop.graph.subscriptions.values.first == ["ada", "bob", "cat"])
        loop.run(for: .seconds(1))  // login's resync done
        let readsBefore = loop.graph.agentReads

        loop.graph.setTeamsApp(PresencePair(.doNotDisturb, .presenting))
        #expect(loop.eventually { $0.state.presence == Presence(.presenting) })
        #expect(loop.graph.requests.last == .readAgent)
        loop.graph.requests = []
        loop.graph.setColleague("cat", PresencePair(.busy, .inAMeeting))
        #expect(loop.eventually { $0.colleague("cat") == Presence(.inAMeeting) })
        // The colleague's change read only the colleague, not everyone.
        #expect(readsBefore <= 4)
        #expect(loop.graph.requests == [.readColleagues(["cat"])])
    }

    @Test("The agent's own change is pushed and not echoed though Teams notifies about it")
    func noEchoWithNotifications() {
        var loop = PlanLoop.webhook()
        loop.send(.login)
        #expect(loop.eventually { $0.graph.subscribeRequests == 1 })
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.run(for: .milliseconds(300))
        loop.graph.requests = []
        loop.send(.choosePresence(.doNotDisturb))
        #expect(loop.eventually { $0.graph.aggregateText == "DoNotDisturb/DoNotDisturb" })
        loop.run(for: .seconds(1))
        #expect(loop.graph.writes == [.setPreferred(PresencePair(.doNotDisturb, .doNotDisturb))])
        #expect(loop.graph.subscribeRequests == 0)
        #expect(loop.state.presence == Presence(.doNotDisturb))
    }

    @Test("When Graph cannot reach the receiver, the Log says so and polling carries the changes")
    func fallsBackToPolling() {
        var loop = PlanLoop.webhook(pollInterval: .milliseconds(100))
        loop.graph.subscribeStatus = 400  // the validation handshake failed
        loop.send(.login)
        #expect(loop.eventually { $0.notes.contains { $0.contains("Teams change notifications could not be set up") } })
        #expect(loop.notes.contains { $0.contains("trying again in 2 min") })
        #expect(loop.eventually { $0.state.teamsConnected })
        loop.graph.setTeamsApp(PresencePair(.busy, .inAMeeting))
        #expect(loop.eventually { $0.state.presence == Presence(.inAMeeting) })
        // Tries again after `retry`, doubling.
        loop.graph.requests = []
        loop.run(for: .seconds(121))
        #expect(loop.graph.subscribeRequests == 1)
    }

    @Test("Graph refuses this app subscriptions (403): polls for good, says so once")
    func refusedForGood() {
        var loop = PlanLoop.webhook(pollInterval: .milliseconds(100))
        loop.graph.subscribeStatus = 403
        loop.send(.login)
        #expect(loop.eventually { $0.notes.contains { $0.contains("not trying again until restart") } })
        loop.run(for: .seconds(600))
        #expect(loop.graph.subscribeRequests == 1)
    }

    @Test("Teams restarts and forgets the subscription: the plan subscribes again and notifications resume")
    func resubscribesAfterRestart() {
        var loop = PlanLoop.webhook()
        loop.send(.login)
        #expect(loop.eventually { $0.graph.subscribeRequests == 1 })
        #expect(loop.eventually { $0.state.teamsConnected && !$0.state.teamsPending })
        loop.graph.down = true
        // The plan notices at its next request: a keep-alive, or here the agent's choice
        // (Available, so that the Teams app's Presenting shows afterwards).
        loop.send(.choosePresence(.available))
        #expect(loop.eventually(within: .seconds(15)) { !$0.state.teamsConnected })
        loop.graph.restart()
        loop.graph.requests = []
        #expect(loop.eventually(within: .seconds(30)) { $0.state.teamsConnected && !$0.state.teamsPending })
        #expect(loop.eventually { $0.graph.subscribeRequests == 1 })
        #expect(loop.graph.subscriptions.count == 1)
        loop.graph.setTeamsApp(PresencePair(.doNotDisturb, .presenting))
        #expect(loop.eventually { $0.state.presence == Presence(.presenting) })
    }

    @Test("Logout then quit: settles once the session is cleared; unsubscribe deletes the subscription")
    func closeDeliversLogout() {
        var loop = PlanLoop.webhook()
        loop.send(.login)
        #expect(loop.eventually { $0.graph.subscribeRequests == 1 })
        #expect(loop.eventually { !$0.state.teamsPending })
        #expect(loop.graph.sessions[FakeGraph.softphoneSession] != nil)
        loop.send(.logout)
        #expect(!loop.plan.isSettled)
        #expect(loop.eventually { $0.plan.isSettled })
        #expect(loop.graph.sessions[FakeGraph.softphoneSession] == nil)
        loop.unsubscribe()
        #expect(loop.graph.subscriptions.isEmpty)
    }

    @Test("A subscriptionRemoved lifecycle notification makes the plan subscribe again; unsubscribe deletes it")
    func lifecycleRemovedAndUnsubscribe() {
        var loop = PlanLoop.webhook()
        loop.send(.login)
        #expect(loop.eventually { $0.graph.subscribeRequests == 1 })
        #expect(loop.eventually { $0.plan.phase == .idle })
        loop.handle(.notified(.lifecycle(subscriptionID: nil, event: "subscriptionRemoved")))
        #expect(loop.eventually { $0.graph.subscribeRequests == 2 })
        // Whatever was left of the old one is deleted before the new one is made.
        #expect(loop.graph.subscriptions.count == 1)
        #expect(loop.graph.requests.contains(.delete(subscriptionID: "sub-1")))
        loop.unsubscribe()
        #expect(loop.graph.subscriptions.isEmpty)
    }

    @Test("Subscriptions are renewed before they expire; a failed renewal is tried again shortly; reauthorizationRequired renews now")
    func renewal() {
        var loop = PlanLoop.webhook()
        loop.send(.login)
        #expect(loop.eventually { $0.graph.subscribeRequests == 1 })
        let subscribed = loop.now
        func renewals(_ loop: PlanLoop) -> [Instant] {
            loop.graph.requests.compactMap { if case .renew(_, let until) = $0 { until } else { nil } }
        }
        #expect(loop.eventually(within: .seconds(51 * 60)) { !renewals($0).isEmpty })
        // 55 min asked, renewed 5 min before the end, for another 55 min.
        #expect(loop.now - subscribed >= .seconds(50 * 60) && loop.now - subscribed < .seconds(50 * 60 + 1))
        #expect(renewals(loop).first.map { $0 - loop.now } ?? .zero > .seconds(54 * 60))
        loop.graph.renewStatus = 503
        loop.graph.requests = []
        loop.run(for: .seconds(51 * 60))
        #expect(loop.notes.contains { $0.hasPrefix("renewing the Teams change subscription failed") })
        loop.run(for: .seconds(31))
        #expect(renewals(loop).count >= 2, "tried again within 30 s")
        loop.graph.renewStatus = nil
        loop.run(for: .seconds(30))
        loop.graph.requests = []
        loop.handle(.notified(.lifecycle(subscriptionID: "sub-1", event: "reauthorizationRequired")))
        #expect(loop.eventually(within: .seconds(1)) { !renewals($0).isEmpty })
    }
}
