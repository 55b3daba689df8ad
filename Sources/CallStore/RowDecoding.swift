import GRDB
import SoftphoneCore

/// Thrown while decoding a row that does not describe a valid value; the store
/// turns it into `CallStoreError.Cause.invalidRow`.
struct UnreadableRow: Error {
    var detail: String
}

extension Row {
    /// Decodes a TEXT column holding an enumeration's raw value, failing with a
    /// clear message on an unknown value (for example one written by a newer version).
    func decodeRawValue<Value: RawRepresentable>(
        _ type: Value.Type, atIndex index: Int, field: String, of subject: @autoclosure () -> String
    ) throws -> Value where Value.RawValue == String {
        let raw = try decode(String.self, atIndex: index)
        guard let value = Value(rawValue: raw) else {
            throw UnreadableRow(detail: "\(subject()) has an unknown \(field) \"\(raw)\"")
        }
        return value
    }

    /// Decodes an optional TEXT column holding an enumeration's raw value.
    func decodeRawValueIfPresent<Value: RawRepresentable>(
        _ type: Value.Type, atIndex index: Int, field: String, of subject: @autoclosure () -> String
    ) throws -> Value? where Value.RawValue == String {
        guard try decode(String?.self, atIndex: index) != nil else { return nil }
        return try decodeRawValue(type, atIndex: index, field: field, of: subject())
    }

    /// Decodes an INTEGER column of nanoseconds since the epoch.
    func decodeInstant(atIndex index: Int) throws -> Instant {
        Instant(nanosecondsSinceEpoch: try decode(Int64.self, atIndex: index))
    }

    /// Decodes an optional INTEGER column of nanoseconds since the epoch.
    func decodeInstantIfPresent(atIndex index: Int) throws -> Instant? {
        try decode(Int64?.self, atIndex: index).map(Instant.init(nanosecondsSinceEpoch:))
    }
}
