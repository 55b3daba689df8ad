import Foundation
import Hummingbird

/// A JSON object from a request body, read field by field so that every mistake gets
/// a message naming the field (Graph-style 400s rather than decoder dumps).
struct JSONBody {
    private let fields: [String: Any]

    init(fields: [String: Any]) { self.fields = fields }

    /// The most a body may hold; Graph rejects bigger payloads too.
    static let maxSize = 1 << 20

    /// Reads the body of `request` as a JSON object.
    ///
    /// - An empty body is `{}` unless `required`, then a 400 ("Empty Payload").
    /// - A non-empty body must be `application/json` (else 415) and a JSON object (else 400).
    static func read(_ request: Request, required: Bool = true) async throws -> JSONBody {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxSize)
        } catch {
            throw GraphFailure(status: .contentTooLarge, code: "RequestEntityTooLarge",
                               message: "The request body is larger than \(maxSize) bytes.")
        }
        if buffer.readableBytes == 0 {
            if required {
                throw GraphFailure.badRequest("Empty Payload. JSON content expected.")
            }
            return JSONBody(fields: [:])
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw GraphFailure(
                status: .unsupportedMediaType, code: "UnsupportedMediaType",
                message: contentType.isEmpty
                    ? "A request body needs the header 'Content-Type: application/json'."
                    : "Content-Type '\(contentType)' is not supported; send application/json.")
        }
        let data = Data(buffer.readableBytesView)
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw GraphFailure.badRequest(
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
        }
        guard let object = parsed as? [String: Any] else {
            throw GraphFailure.badRequest("The request body must be a JSON object.")
        }
        return JSONBody(fields: object)
    }

    /// The value for `key` (exact match first, then case-insensitively); `nil` when absent or null.
    private func value(_ key: String) -> Any? {
        let found = fields[key] ?? fields.first { $0.key.caseInsensitiveCompare(key) == .orderedSame }?.value
        if found is NSNull { return nil }
        return found
    }

    func has(_ key: String) -> Bool { value(key) != nil }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v as? String else { throw GraphFailure.badRequest("Property '\(key)' must be a string.") }
        return s
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key), !s.isEmpty else {
            throw GraphFailure.badRequest("Property '\(key)' is required.")
        }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v as? Bool else { throw GraphFailure.badRequest("Property '\(key)' must be true or false.") }
        return b
    }

    func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        if let i = v as? Int { return i }
        if let d = v as? Double, d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        throw GraphFailure.badRequest("Property '\(key)' must be a whole number.")
    }

    func number(_ key: String) throws -> Double? {
        guard let v = value(key) else { return nil }
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        throw GraphFailure.badRequest("Property '\(key)' must be a number.")
    }

    func object(_ key: String) throws -> JSONBody? {
        guard let v = value(key) else { return nil }
        guard let o = v as? [String: Any] else { throw GraphFailure.badRequest("Property '\(key)' must be an object.") }
        return JSONBody(fields: o)
    }

    func objects(_ key: String) throws -> [JSONBody]? {
        guard let v = value(key) else { return nil }
        guard let a = v as? [Any], let objects = a as? [[String: Any]] else {
            throw GraphFailure.badRequest("Property '\(key)' must be an array of objects.")
        }
        return objects.map { JSONBody(fields: $0) }
    }

    func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        guard let a = v as? [Any], let strings = a as? [String] else {
            throw GraphFailure.badRequest("Property '\(key)' must be an array of strings.")
        }
        return strings
    }
}
