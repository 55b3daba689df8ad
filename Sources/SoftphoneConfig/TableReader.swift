import TOMLKit

/// Collects the problems found while reading one file, in the order found.
final class IssueList {
    private(set) var items: [ConfigIssue] = []

    func add(_ key: String, _ reason: String) {
        items.append(ConfigIssue(key: key, reason: reason))
    }
}

/// Reads one TOML table by hand, checking each value's type, and remembers which
/// keys were asked for so that everything else can be reported as unknown.
///
/// Every read that fails records an issue naming the full key path and returns `nil`,
/// so callers fall back to a default and carry on: all problems get reported.
final class TableReader {
    let table: TOMLTable
    /// The key path of this table: "" for the root, "sip", "queues[2]".
    let path: String
    let issues: IssueList
    private var known: Set<String> = []

    init(_ table: TOMLTable, path: String, issues: IssueList) {
        self.table = table
        self.path = path
        self.issues = issues
    }

    /// The display path of `key` in this table (`sip.listen`); keys that are not bare
    /// TOML keys are quoted (`sip."two words"`).
    func keyPath(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
        }
        let shown = bare ? key : key.quoted
        return path.isEmpty ? shown : "\(path).\(shown)"
    }

    /// Whether the key is present, whatever its type.
    func has(_ key: String) -> Bool {
        known.insert(key)
        return table[key] != nil
    }

    private func raw(_ key: String) -> TOMLValueConvertible? {
        known.insert(key)
        return table[key]
    }

    /// A string value; `nil` when absent or on error. Empty (or blank) strings are
    /// reported as `must not be empty` unless `allowEmpty`.
    func string(_ key: String, allowEmpty: Bool = false) -> String? {
        guard let value = raw(key) else { return nil }
        guard let string = value.string else {
            issues.add(keyPath(key), "must be a string")
            return nil
        }
        if !allowEmpty && string.allSatisfy(\.isWhitespace) {
            issues.add(keyPath(key), "must not be empty")
            return nil
        }
        return string
    }

    /// An integer value; `nil` when absent or on error. `typeReason` is what a value
    /// of another type is told (`must be a positive integer` reads better than two errors).
    func int(_ key: String, typeReason: String = "must be an integer") -> Int? {
        guard let value = raw(key) else { return nil }
        guard value.type == .int, let int = value.int else {
            issues.add(keyPath(key), typeReason)
            return nil
        }
        return int
    }

    /// An integer of at least 1.
    func positiveInt(_ key: String) -> Int? {
        guard let int = int(key, typeReason: "must be a positive integer") else { return nil }
        guard int > 0 else {
            issues.add(keyPath(key), "must be a positive integer")
            return nil
        }
        return int
    }

    func bool(_ key: String) -> Bool? {
        guard let value = raw(key) else { return nil }
        guard value.type == .bool, let bool = value.bool else {
            issues.add(keyPath(key), "must be true or false")
            return nil
        }
        return bool
    }

    /// One of a fixed set of strings: `must be one of a, b, c (got "x")`.
    func choice(_ key: String, among options: [String]) -> String? {
        guard let value = raw(key) else { return nil }
        let list = options.joined(separator: ", ")
        guard let string = value.string else {
            issues.add(keyPath(key), "must be one of \(list)")
            return nil
        }
        guard options.contains(string) else {
            issues.add(keyPath(key), "must be one of \(list) (got \(string.quoted))")
            return nil
        }
        return string
    }

    /// A `HOST:PORT` value; with `allowAnyPort`, port 0 (a free port chosen at start) is accepted too.
    func hostPort(_ key: String, allowAnyPort: Bool = false) -> HostPort? {
        guard let value = raw(key) else { return nil }
        if allowAnyPort, let string = value.string, string.hasSuffix(":0"),
           let address = HostPort(parsing: String(string.dropLast()) + "1") {
            return HostPort(host: address.host, port: 0)
        }
        guard let string = value.string, let address = HostPort(parsing: string) else {
            issues.add(keyPath(key), "must be HOST:PORT with a port 1–65535" + (allowAnyPort ? " (or 0: any free port)" : ""))
            return nil
        }
        return address
    }

    /// A `sip:` or `sips:` URI.
    func sipURI(_ key: String) -> String? {
        guard let value = raw(key) else { return nil }
        guard let string = value.string, Validation.isSIPURI(string) else {
            issues.add(keyPath(key), "must be a sip: or sips: URI")
            return nil
        }
        return string
    }

    /// An `http://` or `https://` URL.
    func httpURL(_ key: String) -> String? {
        guard let value = raw(key) else { return nil }
        guard let string = value.string, Validation.isHTTPURL(string) else {
            issues.add(keyPath(key), "must be an http:// or https:// URL")
            return nil
        }
        return string
    }

    /// The name of an environment variable (letters, digits, `_`; not starting with a digit).
    func environmentName(_ key: String) -> String? {
        guard let value = raw(key) else { return nil }
        guard let string = value.string, Validation.isEnvironmentName(string) else {
            issues.add(keyPath(key), "must be an environment variable name (letters, digits and _)")
            return nil
        }
        return string
    }

    /// An array of strings (`codecs = ["opus", "pcmu"]`); `nil` when absent or on error
    /// (not an array, or an element that is not a string).
    func stringArray(_ key: String) -> [String]? {
        guard let value = raw(key) else { return nil }
        guard value.type == .array, let array = value.array else {
            issues.add(keyPath(key), "must be an array of strings")
            return nil
        }
        var strings: [String] = []
        for index in 0..<array.count {
            guard let string = array[index].string else {
                issues.add(keyPath(key), "must be an array of strings (element \(index + 1) is not a string)")
                return nil
            }
            strings.append(string)
        }
        return strings
    }

    /// A sub-table (`[sip]`); `nil` when absent or not a table.
    func table(_ key: String) -> TableReader? {
        guard let value = raw(key) else { return nil }
        guard value.type == .table, let table = value.table else {
            issues.add(keyPath(key), "must be a table ([\(keyPath(key))])")
            return nil
        }
        return TableReader(table, path: keyPath(key), issues: issues)
    }

    /// An array of tables (`[[queues]]`); entries that are not tables are reported
    /// and skipped. Entries are numbered from 1 in key paths: `queues[1]`.
    func tableArray(_ key: String) -> [TableReader] {
        guard let value = raw(key) else { return [] }
        guard value.type == .array, let array = value.array else {
            issues.add(keyPath(key), "must be an array of tables ([[\(keyPath(key))]])")
            return []
        }
        var readers: [TableReader] = []
        for index in 0..<array.count {
            let element = array[index]
            let elementPath = "\(keyPath(key))[\(index + 1)]"
            guard element.type == .table, let table = element.table else {
                issues.add(elementPath, "must be a table")
                continue
            }
            readers.append(TableReader(table, path: elementPath, issues: issues))
        }
        return readers
    }

    /// Reports every key that was never asked for. `forbidden` gives a key its own
    /// reason (a secret written into the file); `unknownReason` is what the others get.
    func reportUnknownKeys(forbidden: [String: String] = [:], unknownReason: String = "unknown key") {
        for key in table.keys where !known.contains(key) {
            if let reason = forbidden[key] {
                issues.add(keyPath(key), reason)
                continue
            }
            var reason = unknownReason
            if let suggestion = Validation.closest(to: key, among: known.subtracting(table.keys)) {
                reason += " (did you mean \(suggestion)?)"
            }
            issues.add(keyPath(key), reason)
        }
    }
}

/// Format checks shared by the readers.
enum Validation {
    static func isSIPURI(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("sips:") {
            rest = text.dropFirst(5)
        } else if lower.hasPrefix("sip:") {
            rest = text.dropFirst(4)
        } else {
            return false
        }
        let host = rest.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).last ?? ""
        return !rest.isEmpty && !host.isEmpty && !host.hasPrefix(":") && !host.hasPrefix(";")
            && !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    /// The host and port of a `sip:`/`sips:` URI (port nil when none is written); nil when
    /// the host is empty or not a name or address, or the port is not 1–65535.
    static func sipURIHostPort(_ text: String) -> (host: String, port: Int?)? {
        guard isSIPURI(text), let colon = text.firstIndex(of: ":") else { return nil }
        var rest = text[text.index(after: colon)...]
        rest = rest.prefix { $0 != ";" && $0 != "?" }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = Substring(rest)
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let c = rest.lastIndex(of: ":") {
            host = rest[..<c]
            portText = rest[rest.index(after: c)...]
        }
        guard isHostName(String(host)) || host.contains(":") else { return nil }
        if let portText {
            guard let port = Int(portText), (1...65_535).contains(port) else { return nil }
            return (String(host), port)
        }
        return (String(host), nil)
    }

    /// A DNS name or IPv4 address: letters, digits, `-` and `.`, no empty label.
    static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.unicodeScalars.allSatisfy {
                ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
            }
        }
    }

    /// Whether a host is a loopback address (127.0.0.0/8, ::1) or `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }

    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return false
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !authority.isEmpty && !authority.hasPrefix(":")
            && !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    static func isEnvironmentName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    /// The candidate closest to a mistyped key, if it is close enough to be a typo
    /// (at most two edits, and fewer than half the key's length).
    static func closest(to key: String, among candidates: Set<String>) -> String? {
        let typed = Array(key.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            if distance <= 2, distance * 2 < max(typed.count, 2), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance, counting a swap of two neighbours as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
