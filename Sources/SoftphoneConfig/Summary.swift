extension Configuration {
    /// The SIP user the line registers as: `sip.username`, else `user.extension`;
    /// `nil` when there is no registrar (the line only listens).
    public var registrationUser: String? {
        guard sip.registrar != nil else { return nil }
        return sip.username ?? user.extension
    }

    /// A few lines for a person checking the file (`softphone --check`): who, the line,
    /// Teams, the Team tab, the queues, the answering rule, wrap-up, sound. Secrets are never
    /// shown, only the variables they come from; control characters are escaped.
    public var summaryLines: [String] {
        var lines: [String] = []
        lines.append("user: \(user.name.printable)" + (user.extension.map { ", extension \($0.printable)" } ?? ""))

        var line = "line: listens on \(sip.listen)"
        if let registrar = sip.registrar {
            line += ", registers at \(registrar.printable)"
            if let who = registrationUser { line += " as \(who.printable)" }
            if sip.username != nil { line += " (password from $\(sip.passwordEnv))" }
        } else {
            line += ", no registrar (listen only)"
        }
        line += ", SIP presence \(sip.presence ? "on" : "off")"
        if let audio = sip.audioFile { line += ", plays \(audio.printable) in calls" }
        lines.append(line)

        if let teams {
            var text = "teams: "
            if teams.sync == .off {
                text += "configured, sync off"
            } else {
                text += "on, sync \(teams.sync.rawValue), "
                switch teams.notifications {
                case .poll: text += "polling every \(teams.pollIntervalMs) ms"
                case .webhook:
                    text += "webhook on \(teams.webhookListen)"
                    if let url = teams.webhookURL { text += " (public URL \(url.printable))" }
                }
            }
            text += ", user \(teams.userID.printable) at \(teams.graphURL.printable)"
            switch teams.auth {
            case .device: text += ", sign-in by device code (softphone teams login)"
            case .app: text += ", app sign-in (secret from $\(teams.clientSecretEnv))"
            }
            lines.append(text)
        } else {
            lines.append("teams: off (no [teams] section)")
        }

        lines.append("colleagues: \(colleagues.count)")
        let queueList = queues.map { "\($0.name.printable) \($0.number.printable)" }
        lines.append("queues: \(queues.count)" + (queues.isEmpty ? "" : " (\(queueList.joined(separator: ", ")))"))
        lines.append("answering: \(answering.summary)")
        lines.append("wrap-up: " + (wrapUpSeconds == 0 ? "off" : "\(wrapUpSeconds) s"))
        lines.append("audio: \(audio.summary)")
        return lines
    }
}
