import Foundation
import Hummingbird

/// Builds JSON responses. Graph answers carry Graph's OData content type.
enum JSONReply {
    static let graphContentType =
        "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"

    /// Encodes a JSON-compatible value (dictionaries, arrays, strings, numbers, booleans, `NSNull`).
    static func object(_ value: Any, status: HTTPResponse.Status = .ok,
                       contentType: String = graphContentType) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: contentType],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An answer with no body (`200 OK` for the presence actions, `204` for deletes).
    static func empty(_ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentLength: "0"], body: .init())
    }
}
