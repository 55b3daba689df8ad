import PIDF
import SIP

/// The agent's presence publication (RFC 3903): the entity tag of the state the presence
/// server holds, the request in flight, the presence still to send.
struct Publication: Sendable {
    var callID = ""
    var sequence: UInt32 = 0
    /// The server's SIP-ETag for our current publication; nil when it holds none.
    var entityTag: String?
    /// The PUBLISH whose answer counts.
    var current: TransactionKey?
    /// The presence the agent shows now (what the server should hold); nil before the first.
    var wanted: PIDFDocument?
    /// What the server holds (or is being sent).
    var sent: PIDFDocument?
    /// The lifetime asked for (raised by 423).
    var expires: UInt32 = 0
    /// The presence server refused us; we said so once.
    var told = false
}

extension LineAgent {
    /// Where PUBLISH and SUBSCRIBE go: the registrar, acting as presence server.
    var presenceServer: SIPHop? { configuration.presence ? configuration.outboundProxy : nil }

    /// The presence to publish changed; nil removes the publication.
    mutating func publish(_ document: PIDFDocument?, _ now: SIPInstant, _ out: inout [LineOutput]) {
        guard presenceServer != nil else { return }
        publication.wanted = document
        if publication.current == nil { sendPublication(now, &out) }
    }

    /// Sends what `wanted` asks: a new or modified state with a PIDF body, or the removal.
    mutating func sendPublication(_ now: SIPInstant, _ out: inout [LineOutput]) {
        guard let hop = presenceServer, publication.current == nil else { return }
        let wanted = publication.wanted
        if wanted == nil && publication.entityTag == nil {
            publication.sent = nil
            return  // nothing published, nothing to remove
        }
        if wanted == publication.sent, publication.entityTag != nil { return }
        if publication.callID.isEmpty { publication.callID = token(16) + "@" + configuration.local.host }
        if publication.expires == 0 { publication.expires = configuration.presenceExpires }
        publication.sequence += 1
        let aor = configuration.addressOfRecord
        var request = makeRequest(.publish, uri: aor, to: NameAddress(uri: aor).description, from: tagged(aor),
                                  callID: publication.callID, sequence: publication.sequence, transport: hop.transport)
        request.headers.add("Event", "presence")
        if let tag = publication.entityTag { request.headers.add("SIP-If-Match", tag) }
        addCredentials(&request)
        if let wanted {
            request.headers.add("Expires", String(publication.expires))
            request.headers.set("Content-Type", PIDFDocument.contentType)
            request.body = Array(wanted.xml.utf8)
        } else {
            request.headers.add("Expires", "0")
        }
        publication.sent = wanted
        publication.current = sendRequest(request, to: hop, owner: .publication, now, &out)
    }

    /// Refreshes the publication (SIP-If-Match, no body) or tries again after a failure.
    mutating func publicationTimer(_ now: SIPInstant, _ out: inout [LineOutput]) {
        guard let hop = presenceServer, publication.current == nil else { return }
        guard let tag = publication.entityTag, publication.wanted != nil, publication.wanted == publication.sent else {
            sendPublication(now, &out)
            return
        }
        publication.sequence += 1
        let aor = configuration.addressOfRecord
        var refresh = makeRequest(.publish, uri: aor, to: NameAddress(uri: aor).description, from: tagged(aor),
                                  callID: publication.callID, sequence: publication.sequence, transport: hop.transport)
        refresh.headers.add("Event", "presence")
        refresh.headers.add("SIP-If-Match", tag)
        refresh.headers.add("Expires", String(publication.expires))
        addCredentials(&refresh)
        publication.current = sendRequest(refresh, to: hop, owner: .publication, now, &out)
    }

    mutating func publicationResponse(_ response: SIPResponse, key: TransactionKey, _ now: SIPInstant,
                                      _ out: inout [LineOutput]) {
        guard key == publication.current, response.statusCode >= 200 else { return }
        publication.current = nil
        switch response.statusCode {
        case 200..<300:
            publication.told = false
            if publication.sent == nil {
                publication.entityTag = nil
                out.append(.cancelTimer(.publication))
            } else {
                publication.entityTag = response.headers.first(HeaderName("SIP-ETag")) ?? publication.entityTag
                let granted = ((try? response.headers.expires) ?? nil) ?? publication.expires
                out.append(.startTimer(.publication, after: Self.refreshDelay(max(granted, 2))))
            }
            sendPublication(now, &out)  // a change that came meanwhile
        case 412:
            // The server forgot our publication: start a new one.
            publication.entityTag = nil
            publication.sent = nil
            sendPublication(now, &out)
        case 423:
            // Interval Too Brief: take a usable Min-Expires once, else give up for now.
            let minimum = response.headers.first(HeaderName("Min-Expires")).flatMap { UInt32($0.trimmed) }
            if let minimum, minimum > publication.expires, minimum <= 86_400 {
                publication.expires = minimum
                publication.sent = nil
                sendPublication(now, &out)
            } else {
                publicationFailed(key: key, reason: "423 Interval Too Brief without a usable Min-Expires", now, &out)
            }
        default:
            publicationFailed(key: key, reason: "\(response.statusCode) \(response.reasonPhrase)", now, &out)
        }
    }

    mutating func publicationFailed(key: TransactionKey, reason: String, _ now: SIPInstant, _ out: inout [LineOutput]) {
        if key == publication.current { publication.current = nil }
        publication.sent = nil
        if publication.wanted == nil { publication.entityTag = nil }
        if !publication.told {
            publication.told = true
            note("presence not published: \(reason); trying again in a minute", &out)
        }
        out.append(.startTimer(.publication, after: .seconds(60)))
    }
}
