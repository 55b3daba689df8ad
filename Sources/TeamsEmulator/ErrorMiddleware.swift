import Hummingbird

/// Turns anything a handler or the router throws into a Graph-style error response, so
/// no request ends without a JSON error body (unknown paths included).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = EmulatorRequestContext

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let clientRequestID = request.clientRequestID
        do {
            return try await next(request, context)
        } catch let failure as GraphFailure {
            return failure.response(clientRequestID: clientRequestID)
        } catch let failure as TokenFailure {
            return failure.response()
        } catch let dropped as ConnectionDropped {
            throw dropped
        } catch let error as HTTPResponseError {
            let status = error.status
            let message = status == .notFound
                ? "No resource at '\(request.uri.path)' for \(request.method.rawValue)."
                : "The request failed: \(status.code) \(status.reasonPhrase)."
            return GraphFailure(status: status, code: GraphFailure.code(for: status), message: message)
                .response(clientRequestID: clientRequestID)
        } catch {
            return GraphFailure(status: .internalServerError, code: "InternalServerError",
                                message: "The emulator failed to handle the request: \(error)")
                .response(clientRequestID: clientRequestID)
        }
    }
}
