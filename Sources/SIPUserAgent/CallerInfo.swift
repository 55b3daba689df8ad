import SIP

/// What an INVITE says about who calls and how the call reached the line.
enum CallerInfo {
    /// The caller: the From display name and the user part of its URI (the number), or
    /// the whole URI when it has no user part. P-Asserted-Identity wins when present.
    static func party(_ request: SIPRequest) -> LineCaller {
        let asserted = request.headers.values(HeaderName("P-Asserted-Identity"))
            .compactMap { try? NameAddress(parsing: $0) }.first
        guard let from = asserted ?? (try? request.headers.from) else { return LineCaller(number: "unknown") }
        let number = from.uri.decodedUser.map(printable) ?? from.uri.description
        let name = from.displayName.map(printable).flatMap { $0.isEmpty || $0 == number ? nil : $0 }
        return LineCaller(number: number.isEmpty ? "anonymous" : number, name: name)
    }

    /// What queue recognition looks at (SPEC section 6): the To user, the users of
    /// Diversion and History-Info entries, and an X-Queue header.
    static func hints(_ request: SIPRequest) -> LineCallHints {
        let to = (try? request.headers.to)?.uri.decodedUser
        var redirecting: [String] = []
        for name in ["Diversion", "History-Info"] {
            for field in request.headers.fields where field.key == HeaderName(name) {
                for value in SIPHeaders.splitList(field.value) {
                    if let user = (try? NameAddress(parsing: value))?.uri.decodedUser { redirecting.append(user) }
                }
            }
        }
        if let ruriUser = request.uri.decodedUser, ruriUser != to { redirecting.append(ruriUser) }
        return LineCallHints(toUser: to, redirectingUsers: redirecting,
                                        xQueue: request.headers.first(HeaderName("X-Queue")))
    }

    /// Text from the network with control characters removed.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
