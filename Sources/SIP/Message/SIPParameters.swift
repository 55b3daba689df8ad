/// One `;name=value` parameter of a URI or header value.
public struct SIPParameter: Hashable, Sendable {
    /// The parameter name as written.
    public var name: String
    /// The value (unquoted, escapes resolved), or nil for a flag parameter like `;lr`.
    public var value: String?
    /// Whether the value was (and will be written as) a quoted string.
    public var isQuoted: Bool

    /// Creates a parameter.
    public init(name: String, value: String? = nil, isQuoted: Bool = false) {
        self.name = name
        self.value = value
        self.isQuoted = isQuoted
    }
}

/// An ordered list of parameters; names compare case-insensitively (RFC 3261 §7.3.1).
public struct SIPParameters: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// The parameters in order of appearance.
    public var items: [SIPParameter]

    /// Creates a list.
    public init(_ items: [SIPParameter] = []) { self.items = items }

    public init(dictionaryLiteral elements: (String, String?)...) {
        items = elements.map { SIPParameter(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[SIPParameter]> { items.makeIterator() }
    /// Number of parameters.
    public var count: Int { items.count }
    /// Whether there are none.
    public var isEmpty: Bool { items.isEmpty }

    /// Whether a parameter with this name is present (with or without a value).
    public func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// The value of the named parameter: `nil` if absent, `.some(nil)` for a flag.
    public subscript(name: String) -> String?? {
        get { index(of: name).map { items[$0].value } }
    }

    /// The value of the named parameter, or nil if absent or valueless.
    public func value(_ name: String) -> String? { self[name] ?? nil }

    /// Sets (or adds) a parameter; `nil` value makes it a flag.
    public mutating func set(_ name: String, _ value: String?) {
        if let i = index(of: name) {
            items[i].value = value
            items[i].isQuoted = false
        } else {
            items.append(SIPParameter(name: name, value: value))
        }
    }

    /// Removes the named parameter if present.
    public mutating func remove(_ name: String) {
        if let i = index(of: name) { items.remove(at: i) }
    }

    func index(of name: String) -> Int? {
        items.firstIndex { $0.name.asciiCaseInsensitiveEquals(name) }
    }

    /// `;a=b;c` serialisation.
    public var serialized: String {
        var out = ""
        for p in items {
            out += ";" + p.name
            if let v = p.value {
                out += "=" + (p.isQuoted ? quoteString(v) : v)
            }
        }
        return out
    }
}

/// Writes a quoted-string with `"` and `\` escaped.
func quoteString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c.value {
        case 0x0A, 0x0D:
            out += " "  // CR and LF cannot be quoted (RFC 3261 quoted-pair)
            continue
        case 0x22, 0x5C, 0x00...0x08, 0x0B...0x0C, 0x0E...0x1F, 0x7F:
            out += "\\"
        default:
            break
        }
        out.unicodeScalars.append(c)
    }
    return out + "\""
}
