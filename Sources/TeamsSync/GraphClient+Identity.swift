import Foundation
import NIOHTTP1

/// `GET /me`: the signed-in user (delegated tokens only).
public struct GraphUser: Codable, Sendable, Hashable {
    public var id: String
    public var userPrincipalName: String?
    public var displayName: String?
}

/// One answer inside a `$batch` response.
struct BatchResponseItem: Decodable, Sendable {
    struct IDBody: Decodable, Sendable { var id: String? }
    var id: String
    var status: Int
    var body: IDBody?
    /// The item's `Retry-After` header, in seconds (a throttled item).
    var retryAfter: Int?

    private enum CodingKeys: String, CodingKey { case id, status, body, headers }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try container.decode(Int.self, forKey: .status)
        let headers = (try? container.decodeIfPresent([String: String].self, forKey: .headers)) ?? [:]
        retryAfter = headers.first { $0.key.caseInsensitiveCompare("Retry-After") == .orderedSame }
            .flatMap { header in
                // Seconds, non-negative and at most a week, as for any other answer (an item's
                // date form, which Graph does not use in batches, is taken as no header).
                if case .seconds(let seconds)? = RetryAfter(header: header.value) { return seconds }
                return nil
            }
        // An error item's body is `{"error": {...}}`: no id, which is all we read.
        body = try? container.decodeIfPresent(IDBody.self, forKey: .body)
    }
}

struct BatchResponse: Decodable, Sendable {
    var responses: [BatchResponseItem]
}

struct BatchRequest: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var id: String
        var method: String
        var url: String
    }
    var requests: [Item]
}

extension GraphClient {
    /// Graph takes at most this many requests in one `$batch`.
    public static let batchLimit = 20

    /// The same client (token source, gate, retries) acting for another user id: the
    /// agent's object id once a UPN is resolved.
    public func acting(as userID: String) -> GraphClient {
        var configuration = self.configuration
        configuration.userID = userID
        return GraphClient(configuration: configuration, httpClient: http, tokens: tokens, gate: gate,
                           jitter: jitter, sleep: sleep)
    }

    /// `GET /me?$select=id,userPrincipalName,displayName`.
    public func me() async throws(GraphError) -> GraphUser {
        let data = try await perform(.GET, "/me?$select=id,userPrincipalName,displayName", body: nil, operation: "GET /me")
        return try decodeJSON(GraphUser.self, operation: "GET /me", from: data)
    }

    /// `GET /users/{upn}?$select=id`: the object id of a user given by UPN (or id).
    public func objectID(of user: String) async throws(GraphError) -> String {
        let operation = "GET user id"
        let data = try await perform(.GET, Self.userIDPath(user), body: nil, operation: operation)
        let found = try decodeJSON(BatchResponseItem.IDBody.self, operation: operation, from: data)
        guard let id = found.id, !id.isEmpty else { throw GraphError(.malformed("the user has no id"), operation: operation) }
        return id
    }

    /// The object ids of `users` (UPNs), through `POST /$batch` with at most 20 requests
    /// each. Every user gets an answer: its id, or the error that item got (a 404 for an
    /// unknown user). Items throttled (429) or failing with a 5xx are asked again in a
    /// later batch, after their `Retry-After` (or the retry policy's backoff), as often
    /// as the client retries. A batch that fails as a whole fails all of its users.
    public func objectIDs(of users: [String]) async -> [String: Result<String, GraphError>] {
        var results: [String: Result<String, GraphError>] = [:]
        var seen = Set<String>()
        var pending = users.filter { seen.insert($0).inserted }
        var attempt = 0
        while !pending.isEmpty {
            attempt += 1
            var again: [String] = []
            var wait: Duration = .zero
            var start = 0
            while start < pending.count {
                let chunk = Array(pending[start..<min(pending.count, start + Self.batchLimit)])
                start += chunk.count
                let round = await batch(chunk)
                for user in chunk {
                    let (result, retryAfter) = round[user] ?? (.failure(GraphError(
                        .malformed("no answer for this user in the batch"), operation: "GET user id of \(user)")), nil)
                    results[user] = result
                    guard case .failure(let error) = result, case .status(let status, _, _) = error.kind else { continue }
                    // An item throttled inside a batch throttles the tenant: the gate holds every request.
                    if let retryAfter, status == 429 || status == 503 { await gate.retryAfter(.seconds(retryAfter)) }
                    guard let delay = retry.delay(attempt: attempt, status: status, retryAfter: retryAfter.map { .seconds($0) },
                                                  jitter: jitter()) else { continue }
                    again.append(user)
                    wait = max(wait, delay)
                }
            }
            guard !again.isEmpty else { break }
            do { try await sleep(wait) } catch { break }
            pending = again
        }
        return results
    }

    /// One `$batch` of at most 20 users: per user, the id or the item's error and its `Retry-After`.
    private func batch(_ chunk: [String]) async -> [String: (Result<String, GraphError>, Int?)] {
        let operation = "resolve user ids ($batch)"
        let request = BatchRequest(requests: chunk.enumerated().map { index, user in
            .init(id: String(index + 1), method: "GET", url: Self.userIDPath(user))
        })
        var round: [String: (Result<String, GraphError>, Int?)] = [:]
        do throws(GraphError) {
            let body: Data
            do { body = try JSONEncoder().encode(request) } catch {
                throw GraphError(.malformed("cannot encode the batch: \(error)"), operation: operation)
            }
            let data = try await perform(.POST, "/$batch", body: body, operation: operation)
            let answer = try decodeJSON(BatchResponse.self, operation: operation, from: data)
            for item in answer.responses {
                guard let index = Int(item.id), (1...chunk.count).contains(index) else { continue }
                let user = chunk[index - 1]
                if (200..<300).contains(item.status), let id = item.body?.id, !id.isEmpty {
                    round[user] = (.success(id), nil)
                } else {
                    round[user] = (.failure(GraphError(.status(item.status, code: nil, message: nil),
                                                       operation: "GET user id of \(user)")), item.retryAfter)
                }
            }
        } catch {
            for user in chunk { round[user] = (.failure(error), nil) }
        }
        return round
    }

    /// `/users/{upn}?$select=id`, the UPN escaped as Graph documents: `#` as `%23`, and
    /// a UPN starting with `$` written `/users('$x@y')`.
    static func userIDPath(_ user: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        if user.hasPrefix("$") {
            let quoted = user.replacingOccurrences(of: "'", with: "''")
            return "/users('\(quoted.addingPercentEncoding(withAllowedCharacters: allowed) ?? quoted)')?$select=id"
        }
        return "/users/\(user.addingPercentEncoding(withAllowedCharacters: allowed) ?? user)?$select=id"
    }

    private func decodeJSON<T: Decodable>(_ type: T.Type, operation: String, from data: Data) throws(GraphError) -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw GraphError(.malformed("\(error)"), operation: operation)
        }
    }
}
