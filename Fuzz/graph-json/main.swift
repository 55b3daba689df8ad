// Fuzzes the Microsoft Graph JSON the client decodes (Sources/TeamsSync): every Decodable
// type that comes off the network — Graph answers, Graph and token-endpoint error bodies,
// token responses, webhook notification batches — and what the client then does with it.
import FuzzSupport
import Foundation
import SoftphoneCore
@testable import TeamsSync

@_cdecl("fuzz_graph_json_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    let decoder = JSONDecoder()

    // GraphClient.presence(of:): GET /users/{id}/presence.
    if let resource = try? decoder.decode(PresenceResource.self, from: body) { use(resource) }
    // GraphClient.presences(of:): POST /communications/getPresencesByUserId.
    if let list = try? decoder.decode(ValueList<PresenceResource>.self, from: body) { list.value.forEach(use) }
    // GraphClient.subscribe(to:…): POST /subscriptions.
    if let subscription = try? decoder.decode(SubscriptionResource.self, from: body) {
        _ = subscription.id; _ = subscription.expirationDateTime
    }
    // GraphClient.perform: the body of a Graph error status.
    if let error = try? decoder.decode(GraphErrorBody.self, from: body) {
        let failure = GraphError(.status(429, code: error.error.code, message: error.error.message), operation: "fuzz")
        _ = failure.description; _ = failure.isTransient
    }
    // TokenProvider.fetch: the token endpoint's answer and its error body.
    if let token = try? decoder.decode(TokenResponse.self, from: body) {
        let lifetime = TokenProvider.cacheLifetime(of: token)
        require(lifetime >= .zero, "negative token lifetime")
        _ = ContinuousClock.now + lifetime
    }
    if let error = try? decoder.decode(TokenErrorBody.self, from: body) {
        _ = GraphError(.token(400, code: error.error, message: error.error_description), operation: "token").description
    }
    // WebhookReceiver.answer: a POSTed notification batch.
    if let batch = try? decoder.decode(ChangeNotificationBatch.self, from: body) {
        for clientState in ["", "fuzz-state", batch.value.first?.clientState ?? "x"] {
            for event in WebhookReceiver.events(in: batch, clientState: clientState) {
                if case .changed(let ids) = event { require(Set(ids).count == ids.count, "a user id reported twice") }
            }
        }
        for notification in batch.value {
            if let resource = notification.resource { _ = WebhookReceiver.userID(inResource: resource) }
        }
    }
    // The same bytes as the query of a webhook POST and as a resource path.
    let text = lossyString(UnsafeBufferPointer(start: data, count: size))
    _ = WebhookReceiver.validationToken(inQuery: text)
    _ = WebhookReceiver.userID(inResource: text)
    // … and as a Retry-After header.
    _ = RetryPolicy().delay(attempt: 1, status: 429, retryAfterSeconds: Int(text), jitter: 0.5)
    return 0
}

/// What the sync engine does with a presence resource.
func use(_ resource: PresenceResource) {
    guard let graph = resource.graphPresence else { return }
    _ = GraphMapping.presence(from: graph)
}
