import SIP

/// The server-side Via processing of RFC 3261 §18.2.1 and RFC 3581 §4.
enum ViaStamp {
    /// Returns `headers` with `received` (and `rport` when asked for) added to the top Via.
    /// Headers without a readable top Via are returned unchanged; other Via values in the
    /// same field are kept as written.
    static func stamp(_ headers: SIPHeaders, source: SIPEndpoint) -> SIPHeaders {
        guard let index = headers.fields.firstIndex(where: { $0.key == .via }) else { return headers }
        let field = headers.fields[index]
        var elements = SIPHeaders.splitList(field.value)
        guard let first = elements.first, var via = try? Via(parsing: first) else { return headers }
        guard stamp(&via, source: source) else { return headers }
        elements[0] = via.description
        var out = headers
        out.fields[index] = SIPHeader(name: field.name, value: elements.joined(separator: ", "))
        return out
    }

    /// Adds `received` when the sent-by host is not the source address, or when an empty
    /// `rport` asks for it; fills an empty `rport` with the source port. Returns whether
    /// anything changed.
    static func stamp(_ via: inout Via, source: SIPEndpoint) -> Bool {
        var changed = false
        let wantsRport = via.hasRport && via.rport == nil
        if wantsRport || SIPEndpoint(host: via.host, port: 0).host != source.host {
            if via.received != source.host {
                via.parameters.set("received", source.host)
                changed = true
            }
        }
        if wantsRport {
            via.parameters.set("rport", String(source.port))
            changed = true
        }
        return changed
    }

    /// A request message with its top Via stamped; responses are returned unchanged.
    static func stamp(_ message: SIPMessage, source: SIPEndpoint) -> SIPMessage {
        guard case .request(var request) = message else { return message }
        request.headers = stamp(request.headers, source: source)
        return .request(request)
    }

    /// The error's partial request with its top Via stamped, so a `400` echoes it.
    static func stamp(_ error: SIPParseError, source: SIPEndpoint) -> SIPParseError {
        var error = error
        if let partial = error.partialRequest {
            error.partialRequest?.headers = stamp(partial.headers, source: source)
        }
        return error
    }
}
