/// One header field: the name as received and the value with folding undone
/// (each CRLF + whitespace run became one SP) and surrounding whitespace trimmed.
public struct SIPHeader: Hashable, Sendable {
    /// The name as written (possibly a compact form such as `v`).
    public var name: String
    /// The raw field value.
    public var value: String
    /// The normalised name used for lookup.
    public let key: HeaderName

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
        self.key = HeaderName(name)
    }

    init(name: String, value: String, key: HeaderName) {
        self.name = name
        self.value = value
        self.key = key
    }
}

/// The header fields of a message, in their original order. Lookups are by `HeaderName`,
/// so they are case-insensitive and understand compact forms.
public struct SIPHeaders: Sendable, Equatable, Sequence, ExpressibleByArrayLiteral {
    /// The fields in order.
    public var fields: [SIPHeader]

    /// Creates a header list.
    public init(_ fields: [SIPHeader] = []) { self.fields = fields }

    public init(arrayLiteral elements: (String, String)...) {
        fields = elements.map { SIPHeader(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[SIPHeader]> { fields.makeIterator() }
    /// Number of fields.
    public var count: Int { fields.count }

    /// The first field value with this name.
    public func first(_ name: HeaderName) -> String? {
        for f in fields where f.key == name { return f.value }
        return nil
    }

    /// The first field value with this name (same as `first(_:)`).
    public subscript(name: HeaderName) -> String? { first(name) }

    /// Every field value with this name, unsplit, in order.
    public func all(_ name: HeaderName) -> [String] {
        fields.compactMap { $0.key == name ? $0.value : nil }
    }

    /// How many fields have this name.
    public func count(of name: HeaderName) -> Int { fields.reduce(0) { $0 + ($1.key == name ? 1 : 0) } }

    /// Whether a field with this name is present.
    public func contains(_ name: HeaderName) -> Bool { fields.contains { $0.key == name } }

    /// All values of a header: for list headers (Via, Contact, Route, Allow, …) each field
    /// is split at commas outside quotes and `<…>`; other headers (WWW-Authenticate,
    /// Authorization, Date, unknown headers, …) give one value per field. Empty list
    /// elements are dropped.
    public func values(_ name: HeaderName) -> [String] {
        var out: [String] = []
        for f in fields where f.key == name {
            if name.isList {
                out.append(contentsOf: SIPHeaders.splitList(f.value).filter { !$0.isEmpty })
            } else {
                out.append(f.value)
            }
        }
        return out
    }

    /// Appends a field.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(SIPHeader(name: name, value: value))
    }

    /// Replaces every field with this name by one field (added at the position of the
    /// first one, or at the end).
    public mutating func set(_ name: String, _ value: String) {
        let key = HeaderName(name)
        if let i = fields.firstIndex(where: { $0.key == key }) {
            fields[i] = SIPHeader(name: name, value: value, key: key)
            var j = i + 1
            while j < fields.count {
                if fields[j].key == key { fields.remove(at: j) } else { j += 1 }
            }
        } else {
            fields.append(SIPHeader(name: name, value: value, key: key))
        }
    }

    /// Removes every field with this name.
    public mutating func remove(_ name: HeaderName) {
        fields.removeAll { $0.key == name }
    }

    /// Splits a header value at commas that are outside quoted strings and `<…>`;
    /// elements are trimmed of whitespace, and empty elements are kept.
    public static func splitList(_ value: String) -> [String] {
        var out: [String] = []
        var copy = value
        copy.withUTF8 { buf in
            var start = 0
            var i = 0
            var inQuotes = false
            var inAngle = false
            while i < buf.count {
                let b = buf[i]
                if inQuotes {
                    if b == UInt8(ascii: "\\") { i += 1 } else if b == UInt8(ascii: "\"") { inQuotes = false }
                } else if b == UInt8(ascii: "\"") {
                    inQuotes = true
                } else if b == UInt8(ascii: "<") {
                    inAngle = true
                } else if b == UInt8(ascii: ">") {
                    inAngle = false
                } else if b == UInt8(ascii: ","), !inAngle {
                    out.append(trimmed(buf, start, i))
                    start = i + 1
                }
                i += 1
            }
            out.append(trimmed(buf, start, Swift.min(i, buf.count)))
        }
        return out
    }

    private static func trimmed(_ buf: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> String {
        var a = a, b = b
        while a < b, ByteClass.isLWS(buf[a]) { a += 1 }
        while b > a, ByteClass.isLWS(buf[b - 1]) { b -= 1 }
        return String(buf, a..<b)
    }
}
