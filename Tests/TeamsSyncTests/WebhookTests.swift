import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SoftphoneCore
import Synchronization
import Testing
@testable import TeamsSync

/// A sync loop in webhook mode: a receiver on a free loopback port whose events go to
/// the loop's engine. Polling is set so slow that only notifications can deliver a
/// change within a test's wait.
private func webhookLoop(_ emulator: Emulator, colleagueIDs: [String] = [], pollInterval: Duration = .seconds(120),
                         notificationURL: String? = nil) -> SyncLoop {
    SyncLoop(client: emulator.client(maxRetries: 1), pollInterval: pollInterval, colleagueIDs: colleagueIDs,
             webhook: .init(host: "127.0.0.1", port: 0, publicURL: notificationURL),
             webhookTiming: .init(notificationURL: "", clientState: "", driftCheck: .seconds(120), retry: .seconds(120)))
}

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

@Suite("Sync in webhook mode against the emulator", .serialized)
struct WebhookSyncTests {
    @Test("Changes in Teams arrive by notification, for the agent and a colleague, with polling too slow to matter")
    func changesArriveByNotification() async throws {
        let emulator = try await Emulator.start()
        let loop = webhookLoop(emulator, colleagueIDs: ["bob", "cat"])
        loop.send(.login)
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        #expect(await eventually { loop.notes.contains { $0.hasPrefix("Teams change notifications on (3 people, 1 subscription)") } })
        #expect(await eventually { loop.colleague("cat") == Presence(.available) })

        try await emulator.control(.PUT, "/users/ada/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"DoNotDisturb","activity":"Presenting"}"#)
        #expect(await eventually { loop.state.presence == Presence(.presenting) })
        try await emulator.control(.PUT, "/users/cat/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"Busy","activity":"InAMeeting"}"#)
        #expect(await eventually { loop.colleague("cat") == Presence(.inAMeeting) })
        // The colleague's change read only the colleague, not everyone.
        let stats = try await emulator.stats()
        #expect(stats["GET /v1.0/users/{id}/presence"] ?? 0 <= 4)
        await loop.stop()
        await emulator.stop()
    }

    @Test("The agent's own change is pushed and not echoed though Teams notifies about it")
    func noEchoWithNotifications() async throws {
        let emulator = try await Emulator.start()
        let loop = webhookLoop(emulator)
        loop.send(.login)
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        #expect(await eventually { loop.state.teamsConnected && !loop.state.teamsPending })
        try await Task.sleep(for: .milliseconds(300))
        try await emulator.control(.POST, "/stats/reset")
        loop.send(.choosePresence(.doNotDisturb))
        #expect(try await eventually { try await emulator.aggregate() == "DoNotDisturb/DoNotDisturb" })
        try await Task.sleep(for: .seconds(1))
        let writes = try await emulator.stats().filter { $0.key.hasPrefix("POST") }
        #expect(writes == ["POST /v1.0/users/{id}/presence/setUserPreferredPresence": 1])
        #expect(loop.state.presence == Presence(.doNotDisturb))
        await loop.stop()
        await emulator.stop()
    }

    @Test("When Graph cannot reach the receiver, the Log says so and polling carries the changes")
    func fallsBackToPolling() async throws {
        let emulator = try await Emulator.start(validationTimeout: .seconds(1))
        // Nothing listens on port 9 of loopback: the validation handshake fails.
        let loop = webhookLoop(emulator, pollInterval: .milliseconds(100), notificationURL: "http://127.0.0.1:9/notifications")
        loop.send(.login)
        #expect(await eventually { loop.notes.contains { $0.contains("Teams change notifications could not be set up") } })
        #expect(await eventually { loop.state.teamsConnected })
        try await emulator.control(.PUT, "/users/ada/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"Busy","activity":"InAMeeting"}"#)
        #expect(await eventually { loop.state.presence == Presence(.inAMeeting) })
        await loop.stop()
        await emulator.stop()
    }

    @Test("Teams restarts and forgets the subscription: the engine subscribes again and notifications resume")
    func resubscribesAfterRestart() async throws {
        var emulator = try await Emulator.start()
        let port = emulator.server.port
        let loop = webhookLoop(emulator)
        loop.send(.login)
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        await emulator.stop()
        // The engine notices at its next request: a keep-alive, or here the agent's choice
        // (Available, so that the Teams app's Presenting shows afterwards).
        loop.send(.choosePresence(.available))
        #expect(await eventually(15) { !loop.state.teamsConnected })
        emulator = try await Emulator.start(port: port)
        #expect(await eventually(30) { loop.state.teamsConnected && !loop.state.teamsPending })
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        try await emulator.control(.PUT, "/users/ada/sessions/teams-desktop",
                                   #"{"kind":"teamsClient","availability":"DoNotDisturb","activity":"Presenting"}"#)
        #expect(await eventually { loop.state.presence == Presence(.presenting) })
        await loop.stop()
        await emulator.stop()
    }

    @Test("Quitting right after logout still clears the softphone's session in Teams and deletes the subscription")
    func closeDeliversLogout() async throws {
        let emulator = try await Emulator.start()
        let loop = webhookLoop(emulator)
        loop.send(.login)
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        #expect(await eventually { !loop.state.teamsPending })
        func sessions() async throws -> [String] {
            (try await emulator.control(.GET, "/users/ada")["sessions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await sessions().contains(emulator.options.clientID))
        loop.send(.logout)
        await loop.close()
        #expect(try await !sessions().contains(emulator.options.clientID))
        #expect((try await emulator.control(.GET, "/subscriptions")["value"] as? [Any])?.isEmpty == true)
        await emulator.stop()
    }

    @Test("A subscriptionRemoved lifecycle notification makes the engine subscribe again; unsubscribe deletes it")
    func lifecycleRemovedAndUnsubscribe() async throws {
        let emulator = try await Emulator.start()
        let loop = webhookLoop(emulator)
        loop.send(.login)
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 1 })
        await loop.engine.notified(.lifecycle(subscriptionID: nil, event: "subscriptionRemoved"))
        #expect(try await eventually { try await emulator.stats()["POST /v1.0/subscriptions"] == 2 })
        func live() async throws -> Int { (try await emulator.control(.GET, "/subscriptions")["value"] as? [Any])?.count ?? -1 }
        // Whatever was left of the old one is deleted before the new one is made.
        #expect(try await live() == 1)
        await loop.engine.unsubscribe()
        #expect(try await live() == 0)
        await loop.stop()
        await emulator.stop()
    }
}
