import Hummingbird
import SoftphoneCore

/// Everything the HTTP handlers share, and the gate every Graph and token request
/// passes: count it, add the latency, apply a pending fault, then handle it.
struct EmulatorRoutes: Sendable {
    let options: TeamsEmulatorOptions
    let engine: PresenceEngine
    let tokens: TokenIssuer
    let throttle: PresenceThrottle
    let stats: RequestStats
    let conditions: NetworkConditions
    let dispatcher: NotificationDispatcher
    let churn: ChurnDriver

    typealias Router = Hummingbird.Router<EmulatorRequestContext>
    typealias GraphHandler = @Sendable (Request, EmulatorRequestContext, _ caller: AccessGrant) async throws -> Response

    func register(on router: Router) {
        registerToken(on: router)
        registerPresence(on: router)
        registerUsers(on: router)
        registerMailbox(on: router)
        registerSubscriptions(on: router)
        registerControl(on: router)
    }

    /// Registers a Graph endpoint at `/v1.0` + `path`; the handler gets the caller's grant.
    /// It counts in the stats as e.g. `POST /v1.0/users/{id}/presence/setPresence`.
    /// A `presence` endpoint counts against the caller's presence budget (`PresenceThrottle`).
    func graph(_ method: HTTPRequest.Method, _ path: String, presence: Bool = false, on router: Router,
               _ handler: @escaping GraphHandler) {
        let name = "\(method.rawValue) /v1.0\(path)"
        router.on(RouterPath("/v1.0" + path), method: method) { request, context in
            try await gate(name, target: .graph, request, context) {
                let caller = try tokens.authenticate(request.headers[.authorization])
                if presence { try admitPresence(caller) }
                return try await handler(request, context, caller)
            }
        }
    }

    /// Counts a presence request against the caller application's budget; 429 when over it.
    func admitPresence(_ caller: AccessGrant) throws(GraphFailure) {
        if let retryAfter = throttle.admit(caller.clientID) { throw GraphFailure.tooManyRequests(retryAfter: retryAfter) }
    }

    /// Counts, delays, injects faults, and turns failures into error responses.
    func gate(_ name: String, target: NetworkConditions.Target, _ request: Request, _ context: EmulatorRequestContext,
              _ body: () async throws -> Response) async throws -> Response {
        stats.request(name)
        await conditions.delay()
        let clientRequestID = request.clientRequestID
        let response: Response
        if target == .graph, let retryAfter = throttle.forced() {
            response = GraphFailure.tooManyRequests(retryAfter: retryAfter).response(clientRequestID: clientRequestID)
            stats.status(429)
            return response
        }
        switch conditions.take(for: target) {
        case .dropConnection:
            stats.status(0)
            try? await context.channel.close()
            throw ConnectionDropped()
        case .status(let code, let retryAfter):
            response = Self.faultResponse(code: code, retryAfter: retryAfter, target: target, clientRequestID: clientRequestID)
        case nil:
            do {
                response = try await body()
            } catch let failure as GraphFailure {
                response = failure.response(clientRequestID: clientRequestID)
            } catch let failure as TokenFailure {
                response = failure.response()
            }
        }
        stats.status(Int(response.status.code))
        return response
    }

    static func faultResponse(code: Int, retryAfter: Int?, target: NetworkConditions.Target,
                              clientRequestID: String?) -> Response {
        let status = HTTPResponse.Status(code: code)
        var response: Response
        if target == .token {
            response = TokenFailure(status: status, error: code == 429 || code >= 500 ? "temporarily_unavailable" : "invalid_request",
                                    aadstsCode: 90_033, description: "Injected fault: \(code).").response()
        } else {
            let message = code == 429
                ? "Too many requests. Please retry after the time given in the Retry-After header."
                : "Injected fault: the service answered \(code) \(status.reasonPhrase)."
            response = GraphFailure(status: status, code: GraphFailure.code(for: status), message: message)
                .response(clientRequestID: clientRequestID)
        }
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    /// The user named in a Graph presence path by object id, which must exist (or is
    /// created with `autoCreateUsers`). Presence takes object ids only: anything that is not
    /// a GUID (a UPN, a short name) is a 400, as for `getPresencesByUserId`'s "user object IDs".
    func requireUser(_ context: EmulatorRequestContext, create: Bool? = nil) async throws -> String {
        let raw = try pathParameter("id", context)
        guard ObjectID.isGUID(raw) else { throw GraphFailure.notAnObjectID(raw) }
        let id = raw.lowercased()
        guard await engine.ensureUser(id, create: create ?? options.autoCreateUsers) else {
            throw GraphFailure.unknownUser(raw)
        }
        return id
    }

    /// The user named in a control-API path: object id, UPN or short alias.
    func controlUser(_ context: EmulatorRequestContext, _ name: String = "id") async throws -> String {
        let raw = try pathParameter(name, context)
        guard let id = await engine.resolve(raw) else { throw GraphFailure.unknownUser(raw) }
        return id
    }

    func pathParameter(_ name: String, _ context: EmulatorRequestContext) throws -> String {
        guard let raw = context.parameters.get(name) else {
            throw GraphFailure.badRequest("The path needs a '\(name)'.")
        }
        let value = raw.contains("%") ? (raw.removingPercentEncoding ?? raw) : raw
        guard !value.isEmpty else { throw GraphFailure.badRequest("The path needs a '\(name)'.") }
        return value
    }

    /// `http://host:port` as the client addressed us, for `@odata.context`.
    func serviceRoot(_ request: Request) -> String {
        "http://\(request.head.authority ?? "\(options.host):\(options.port)")/v1.0"
    }
}
