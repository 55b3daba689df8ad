/// Why a body is not a presence document the softphone accepts.
public enum PIDFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bytes, or only white space.
    case empty
    /// Larger than `PIDFLimits.maximumBytes`.
    case tooLarge(bytes: Int, limit: Int)
    /// The body does not start like XML (after white space and a byte order mark, the first character is not "<").
    case notXML
    /// A `<!DOCTYPE …>` (or any other markup declaration): entities, internal or
    /// external, are not accepted at all.
    case declarationNotAllowed
    /// Not UTF-8, or not well-formed (or not namespace-well-formed) XML: what is wrong,
    /// and where (1-based line and column, the column in characters).
    case malformed(detail: String, line: Int, column: Int)
    /// Elements nested deeper than `limit`.
    case tooDeep(limit: Int)
    /// More than `limit` elements.
    case tooManyElements(limit: Int)
    /// The root is not `presence` in the PIDF namespace.
    case wrongRoot(name: String, namespace: String?)
    /// `<presence>` without an `entity` attribute, or with a blank one.
    case missingEntity

    public var description: String {
        switch self {
        case .empty:
            "not a presence document: the body is empty"
        case .tooLarge(let bytes, let limit):
            "presence document too large: \(bytes) bytes, the limit is \(limit)"
        case .notXML:
            "not a presence document: the body is not XML (it does not start with \"<\")"
        case .declarationNotAllowed:
            "presence document rejected: it has a DOCTYPE or other markup declaration (entities are not accepted)"
        case .malformed(let detail, let line, let column):
            "malformed XML at line \(line), column \(column): \(detail)"
        case .tooDeep(let limit):
            "presence document rejected: elements nested more than \(limit) deep"
        case .tooManyElements(let limit):
            "presence document rejected: more than \(limit) elements"
        case .wrongRoot(let name, let namespace):
            if name == "presence" {
                "not a PIDF document: <presence> is in namespace \(namespace.map { "\"\($0)\"" } ?? "none"), expected \"\(PIDFNamespace.pidf)\""
            } else {
                "not a PIDF document: the root element is <\(name)>\(namespace.map { " in namespace \"\($0)\"" } ?? ""), expected <presence> in \"\(PIDFNamespace.pidf)\""
            }
        case .missingEntity:
            "not a PIDF document: <presence> has no entity attribute"
        }
    }
}

/// The bounds a parsed document must stay within.
public enum PIDFLimits {
    /// 64 KiB: a PIDF body of one presentity is a few hundred bytes; Kamailio's
    /// aggregate of several publishers a few KiB.
    public static let maximumBytes = 64 * 1024
    /// The deepest PIDF/RPID structure is about 6 (presence/person/place-is/audio/noisy).
    public static let maximumDepth = 32
    public static let maximumElements = 4096
}
