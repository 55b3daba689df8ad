import GraphModel
import Foundation
import HTTPTypes
import Hummingbird
import SoftphoneCore

/// A failed Graph (or control API) request, answered with Graph's error body:
/// `{"error":{"code":"…","message":"…","innerError":{"date":"…","request-id":"…","client-request-id":"…"}}}`.
struct GraphFailure: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields = [:]

    static func badRequest(_ message: String, code: String = "BadRequest") -> GraphFailure {
        GraphFailure(status: .badRequest, code: code, message: message)
    }

    static func notFound(_ message: String, code: String = "NotFound") -> GraphFailure {
        GraphFailure(status: .notFound, code: code, message: message)
    }

    static func unknownUser(_ id: String) -> GraphFailure {
        notFound("Resource '\(id)' does not exist or one of its queried reference-property objects are not present.",
                 code: "Request_ResourceNotFound")
    }

    /// Presence paths and ids take the user's object id (a GUID) only.
    static func notAnObjectID(_ id: String) -> GraphFailure {
        badRequest("Invalid user id '\(id)': presence takes the user's object id (a GUID), not a user principal name.")
    }

    static func forbidden(_ message: String) -> GraphFailure {
        GraphFailure(status: .forbidden, code: "Forbidden", message: message)
    }

    static func tooManyRequests(retryAfter: Int) -> GraphFailure {
        GraphFailure(status: .tooManyRequests, code: "TooManyRequests",
                     message: "Too many requests. Please retry after the time given in the Retry-After header.",
                     headers: [.retryAfter: String(retryAfter)])
    }

    static func unauthorized(_ message: String) -> GraphFailure {
        GraphFailure(status: .unauthorized, code: "InvalidAuthenticationToken", message: message,
                     headers: [.wwwAuthenticate: "Bearer realm=\"\", error=\"invalid_token\""])
    }

    /// The code Graph uses for a bare status (faults, framework errors).
    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "BadRequest"
        case 401: "InvalidAuthenticationToken"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 413: "RequestEntityTooLarge"
        case 415: "UnsupportedMediaType"
        case 429: "TooManyRequests"
        case 503: "ServiceUnavailable"
        case 504: "GatewayTimeout"
        case 500...599: "InternalServerError"
        default: "UnknownError"
        }
    }

    /// Graph's error body.
    func body(requestID: String, clientRequestID: String?) -> [String: Any] {
        [
            "error": [
                "code": code,
                "message": message,
                "innerError": [
                    "date": String(GraphDateTime.format(wallClockNow()).prefix(19)),
                    "request-id": requestID,
                    "client-request-id": clientRequestID ?? requestID,
                ],
            ],
        ]
    }

    func response(clientRequestID: String?) -> Response {
        let requestID = UUID().uuidString.lowercased()
        let body = body(requestID: requestID, clientRequestID: clientRequestID)
        var response = JSONReply.object(body, status: status)
        response.headers[HTTPField.Name("request-id")!] = requestID
        for field in headers { response.headers.append(field) }
        return response
    }
}

/// A failed token request, answered with the Microsoft identity platform's error body:
/// `{"error":"invalid_client","error_description":"AADSTS…","error_codes":[…],"timestamp":"…","trace_id":"…","correlation_id":"…"}`.
struct TokenFailure: Error, Sendable {
    var status: HTTPResponse.Status
    var error: String
    var aadstsCode: Int
    var description: String

    static func invalidRequest(_ code: Int, _ description: String) -> TokenFailure {
        TokenFailure(status: .badRequest, error: "invalid_request", aadstsCode: code, description: description)
    }

    func response() -> Response {
        let stamp = String(GraphDateTime.format(wallClockNow()).prefix(19)) + "Z"
        let trace = UUID().uuidString.lowercased()
        let body: [String: Any] = [
            "error": error,
            "error_description": "AADSTS\(aadstsCode): \(description) Trace ID: \(trace) Timestamp: \(stamp)",
            "error_codes": [aadstsCode],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": UUID().uuidString.lowercased(),
        ]
        return JSONReply.object(body, status: status, contentType: "application/json; charset=utf-8")
    }
}

/// Wall-clock time for stamps in error bodies.
func wallClockNow() -> Instant {
    Instant(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
}

extension Request {
    /// The `client-request-id` header, which Graph echoes in error bodies.
    var clientRequestID: String? { headers[HTTPField.Name("client-request-id")!] }
}
